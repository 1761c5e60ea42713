// Key generation inside the token (Pkcs11KeyStore::generate).
#include <openssl/rand.h>

#include <string_view>

#include "base/log.hpp"
#include "hsm/pkcs11_key_store.hpp"
#include "hsm/public_key.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

namespace {

// Destroys the objects of a half-made key unless kept: a failed generation
// must not leave a dangling private key in the token.
class CreatedObjects {
 public:
  explicit CreatedObjects(const Pkcs11Session& session) : session_(session) {}
  CreatedObjects(const CreatedObjects&) = delete;
  CreatedObjects& operator=(const CreatedObjects&) = delete;
  ~CreatedObjects() {
    for (CK_OBJECT_HANDLE h : handles_) {
      if (auto r = session_.destroy(h); !r)
        base::log::error("hsm: cleanup after failed generation: " + r.error().detail);
    }
  }
  void add(CK_OBJECT_HANDLE h) { handles_.push_back(h); }
  void keep() { handles_.clear(); }

 private:
  const Pkcs11Session& session_;
  std::vector<CK_OBJECT_HANDLE> handles_;
};

base::Result<void> check_spec(const KeySpec& spec, const Pkcs11Token& token) {
  SIGNERD_TRY(check_label(spec.label));
  if (info(spec.algorithm).family == KeyFamily::rsa && (spec.rsa_bits < 1024 || spec.rsa_bits > 4096)) {
    return make_error(Errc::invalid_argument, "RSA key size " + std::to_string(spec.rsa_bits) +
                                                  " outside 1024..4096 (RFC 5702 section 2)");
  }
  if (spec.id.size() > 255) return make_error(Errc::invalid_argument, "key id longer than 255 bytes");
  return token.check_mechanisms(spec.algorithm);
}

base::Result<void> check_id_free(const Pkcs11Session& s, const Bytes& id, std::string_view token) {
  std::vector<CK_ATTRIBUTE> match = {attr_bytes(CKA_ID, id.data(), id.size())};
  auto found = s.find(match);
  if (!found) return std::move(found).error();
  if (!found->empty()) {
    return make_error(Errc::conflict,
                      "token '" + std::string(token) + "' already holds a key with id " + to_hex(id));
  }
  return base::ok();
}

// The private-key template is the policy of DESIGN.md: on the token, private,
// sensitive, never extractable, for signing only, with the mechanisms it may
// be used with (which also records the hash of an RSA key).
base::Result<CK_OBJECT_HANDLE> generate_pair(const Pkcs11Session& s, const KeySpec& spec, const Bytes& id,
                                             CreatedObjects& created) {
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  CK_ULONG bits = spec.rsa_bits;
  const uint8_t exponent[] = {0x01, 0x00, 0x01};  // 65537
  Bytes params = ec_params_for(spec.algorithm);
  auto mechs = mechanisms_for(spec.algorithm, RsaSigning::hash_in_token);
  std::vector<CK_MECHANISM_TYPE> allowed = {mechs.sign};
  if (info(spec.algorithm).family == KeyFamily::rsa) allowed.push_back(CKM_RSA_PKCS);  // the digest_info path

  std::vector<CK_ATTRIBUTE> pub = {attr(CKA_TOKEN, yes), attr(CKA_PRIVATE, no), attr(CKA_VERIFY, yes),
                                   attr_bytes(CKA_ID, id.data(), id.size()),
                                   attr_bytes(CKA_LABEL, spec.label.data(), spec.label.size())};
  std::vector<CK_ATTRIBUTE> priv = {
      attr(CKA_TOKEN, yes),
      attr(CKA_PRIVATE, yes),
      attr(CKA_SENSITIVE, yes),
      attr(CKA_EXTRACTABLE, no),
      attr(CKA_SIGN, yes),
      attr(CKA_DECRYPT, no),
      attr_bytes(CKA_ID, id.data(), id.size()),
      attr_bytes(CKA_LABEL, spec.label.data(), spec.label.size()),
      attr_bytes(CKA_ALLOWED_MECHANISMS, allowed.data(), allowed.size() * sizeof(CK_MECHANISM_TYPE))};
  if (info(spec.algorithm).family == KeyFamily::rsa) {
    pub.push_back(attr(CKA_MODULUS_BITS, bits));
    pub.push_back(attr_bytes(CKA_PUBLIC_EXPONENT, exponent, sizeof exponent));
  } else {
    pub.push_back(attr_bytes(CKA_EC_PARAMS, params.data(), params.size()));
  }
  CK_MECHANISM mech{mechs.generate, nullptr, 0};
  CK_OBJECT_HANDLE pub_h = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv_h = CK_INVALID_HANDLE;
  CK_RV rv = s.fn()->C_GenerateKeyPair(s.handle(), &mech, pub.data(), pub.size(), priv.data(), priv.size(),
                                       &pub_h, &priv_h);
  // Some tokens hand back one handle on failure; clean up whatever exists.
  if (pub_h != CK_INVALID_HANDLE) created.add(pub_h);
  if (priv_h != CK_INVALID_HANDLE) created.add(priv_h);
  if (rv != CKR_OK) {
    return make_error(Errc::io, std::string(name(spec.algorithm)) + " key generation (" +
                                    mechanism_name(mechs.generate) + "): " + ck_rv_name(rv));
  }
  return priv_h;
}

}  // namespace

base::Result<KeyInfo> Pkcs11KeyStore::generate(const KeySpec& spec) {
  SIGNERD_TRY(check_spec(spec, *token_));
  Bytes id = spec.id;
  if (id.empty()) {
    id.resize(16);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
      return make_error(Errc::internal, "RAND_bytes");
  }
  std::lock_guard lock(token_->admin_mutex);
  const Pkcs11Session& s = *token_->admin;
  SIGNERD_TRY(check_id_free(s, id, token_->label));

  CreatedObjects created(s);
  auto priv = generate_pair(s, spec, id, created);
  if (!priv) return std::move(priv).error();
  KeySelector selector{id, std::nullopt};
  auto objects = find_key_objects(s, selector, to_hex(id));
  if (!objects) return std::move(objects).error();
  auto key = read_key_info(s, *objects, spec.algorithm, token_->label);
  if (!key) return std::move(key).error();

  // Self-test: a key that cannot produce a verifiable signature is removed now,
  // not discovered when the zone is published.
  static constexpr uint8_t kProbe[] = {'s', 'i', 'g', 'n', 'e', 'r', 'd'};
  auto sig = token_sign(s, *priv, key->algorithm, token_->rsa_signing, signature_size(*key), kProbe);
  if (!sig) return std::move(sig).error();
  if (auto ok = verify(key->algorithm, key->public_key, kProbe, *sig); !ok) {
    return make_error(Errc::internal, "new key failed its self-test: " + ok.error().detail);
  }
  created.keep();
  base::log::info("hsm: token '" + token_->label + "': generated " + std::string(name(key->algorithm)) +
                  " key " + key->uri);
  return key;
}

}  // namespace signerd::hsm
