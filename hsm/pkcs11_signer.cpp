// Signing through PKCS#11: one session per worker, object handles cached.
#include <map>

#include "hsm/pkcs11_key_store.hpp"
#include "hsm/public_key.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

base::Result<Bytes> token_sign(const Pkcs11Session& s, CK_OBJECT_HANDLE key, Algorithm alg, RsaSigning rsa,
                               size_t signature_size, std::span<const uint8_t> data) {
  auto mechs = mechanisms_for(alg, rsa);
  Bytes input;
  std::span<const uint8_t> in = data;
  KeyFamily family = info(alg).family;
  if (family == KeyFamily::ecdsa || (family == KeyFamily::rsa && rsa == RsaSigning::digest_info)) {
    // Hash here, send only the digest: less traffic to the token, and
    // CKM_ECDSA takes a digest by definition (PKCS#11 v2.40 section 2.3.6).
    auto hash = digest(alg, data);
    if (!hash) return std::move(hash).error();
    if (family == KeyFamily::rsa) {
      auto prefix = digest_info_prefix(alg);
      input.assign(prefix.begin(), prefix.end());
    }
    input.insert(input.end(), hash->begin(), hash->end());
    in = input;
  }
  CK_MECHANISM mech{mechs.sign, nullptr, 0};
  CK_RV rv = s.fn()->C_SignInit(s.handle(), &mech, key);
  if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
    return make_error(Errc::not_found, "the private key is no longer in the token (" + ck_rv_name(rv) + ")");
  }
  if (rv != CKR_OK)
    return make_error(Errc::io, "C_SignInit " + mechanism_name(mechs.sign) + ": " + ck_rv_name(rv));
  Bytes sig(signature_size);
  CK_ULONG len = sig.size();
  rv = s.fn()->C_Sign(s.handle(), const_cast<uint8_t*>(in.data()), in.size(), sig.data(), &len);
  if (rv != CKR_OK)
    return make_error(Errc::io, "C_Sign " + mechanism_name(mechs.sign) + ": " + ck_rv_name(rv));
  if (len != signature_size) {
    return make_error(Errc::internal, "token returned a " + std::to_string(len) +
                                          "-byte signature, expected " + std::to_string(signature_size));
  }
  return sig;
}

size_t signature_size(const KeyInfo& key) {
  if (info(key.algorithm).family != KeyFamily::rsa) return info(key.algorithm).signature_size;
  // RFC 3110 section 2: skip the exponent; the rest is the modulus.
  const Bytes& f = key.public_key;
  if (f.empty()) return 0;
  size_t skip = f[0] != 0 ? 1 + f[0] : f.size() >= 3 ? 3 + (static_cast<size_t>(f[1]) << 8 | f[2]) : f.size();
  return skip < f.size() ? f.size() - skip : 0;
}

namespace {

// A worker's session. Declared order matters: the session closes before the
// token (and with it, possibly, the login) is released.
struct WorkerSession {
  std::shared_ptr<Pkcs11Token> token;
  Pkcs11Session session;
};

class Pkcs11PrivateKey final : public PrivateKey {
 public:
  Pkcs11PrivateKey(std::shared_ptr<WorkerSession> worker, CK_OBJECT_HANDLE handle, KeyInfo info)
      : worker_(std::move(worker)),
        handle_(handle),
        info_(std::move(info)),
        signature_size_(signature_size(info_)) {}

  const KeyInfo& info() const noexcept override { return info_; }

  base::Result<Bytes> sign(std::span<const uint8_t> data) override {
    return token_sign(worker_->session, handle_, info_.algorithm, worker_->token->rsa_signing,
                      signature_size_, data);
  }

 private:
  std::shared_ptr<WorkerSession> worker_;
  CK_OBJECT_HANDLE handle_;  // valid in every session of this application
  KeyInfo info_;
  size_t signature_size_;
};

class Pkcs11KeySession final : public KeySession {
 public:
  explicit Pkcs11KeySession(std::shared_ptr<WorkerSession> worker) : worker_(std::move(worker)) {}

  base::Result<std::shared_ptr<PrivateKey>> open(std::string_view ref,
                                                 std::optional<Algorithm> algorithm) override {
    if (auto it = cache_.find(ref); it != cache_.end()) {
      if (algorithm && *algorithm != it->second->algorithm()) {
        return make_error(Errc::conflict,
                          "key " + std::string(ref) + " is " + std::string(name(it->second->algorithm())));
      }
      return std::shared_ptr<PrivateKey>(it->second);
    }
    const Pkcs11Token& token = *worker_->token;
    auto selector = parse_key_ref(ref, token.label);
    if (!selector) return std::move(selector).error();
    auto objects = find_key_objects(worker_->session, *selector, ref);
    if (!objects) return std::move(objects).error();
    auto key_info = read_key_info(worker_->session, *objects, algorithm, token.label);
    if (!key_info) return std::move(key_info).error();
    SIGNERD_TRY(token.check_mechanisms(key_info->algorithm));
    auto key = std::make_shared<Pkcs11PrivateKey>(worker_, objects->private_key, std::move(*key_info));
    cache_.emplace(std::string(ref), key);
    return std::shared_ptr<PrivateKey>(std::move(key));
  }

 private:
  std::shared_ptr<WorkerSession> worker_;
  std::map<std::string, std::shared_ptr<Pkcs11PrivateKey>, std::less<>> cache_;
};

}  // namespace

base::Result<std::unique_ptr<KeySession>> Pkcs11KeyStore::open_for_worker() {
  auto session = Pkcs11Session::open(token_->module, token_->slot);
  if (!session) return std::move(session).error();
  auto worker = std::make_shared<WorkerSession>(WorkerSession{token_, std::move(*session)});
  return std::unique_ptr<KeySession>(std::make_unique<Pkcs11KeySession>(std::move(worker)));
}

}  // namespace signerd::hsm
