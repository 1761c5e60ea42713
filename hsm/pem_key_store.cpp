#include "hsm/pem_key_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/log.hpp"
#include "hsm/public_key.hpp"

namespace signerd::hsm {

using base::Errc;
using base::make_error;

namespace {

using Dir = base::CHandle<DIR, &closedir>;

constexpr std::string_view kAlgorithmHeader = "signerd-algorithm: ";
constexpr std::string_view kLabelHeader = "signerd-label: ";

struct LoadedKey {
  KeyInfo info;
  std::shared_ptr<EVP_PKEY> key;  // shared by the sessions that opened it
};

base::Result<Bytes> ref_to_id(std::string_view ref) {
  if (ref.ends_with(".pem")) {
    ref.remove_suffix(4);
    if (auto slash = ref.rfind('/'); slash != std::string_view::npos) ref.remove_prefix(slash + 1);
  }
  return from_hex(ref);
}

// Header lines, up to the PEM block. Errors: malformed.
base::Result<std::pair<Algorithm, std::string>> parse_headers(std::string_view text,
                                                              const std::string& path) {
  std::optional<Algorithm> alg;
  std::string label;
  while (!text.empty() && !text.starts_with("-----")) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    if (line.starts_with(kAlgorithmHeader)) alg = algorithm_from_name(line.substr(kAlgorithmHeader.size()));
    if (line.starts_with(kLabelHeader)) label = std::string(line.substr(kLabelHeader.size()));
  }
  if (!alg)
    return make_error(Errc::malformed, path + ": no valid '" + std::string(kAlgorithmHeader) + "' line");
  return std::make_pair(*alg, label);
}

base::Result<LoadedKey> load_key(const std::string& path, const Bytes& id, std::optional<Algorithm> hint) {
  auto text = read_secret_file(path);
  if (!text) {
    if (text.error().code == Errc::io && errno == ENOENT)
      return make_error(Errc::not_found, path + ": no such key");
    return std::move(text).error();
  }
  auto headers = parse_headers(text->view(), path);
  if (!headers) return std::move(headers).error();
  Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return make_error(Errc::malformed, path + ": no PEM private key");
  LoadedKey out{KeyInfo{}, std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free)};
  out.info.algorithm = headers->first;
  if (hint && *hint != out.info.algorithm) {
    return make_error(Errc::conflict, path + ": key is " + std::string(name(out.info.algorithm)));
  }
  auto field = public_key_field(out.info.algorithm, raw);
  if (!field) return make_error(field.error().code, path + ": " + field.error().detail);
  out.info.public_key = std::move(*field);
  out.info.id = id;
  out.info.label = headers->second;
  out.info.uri = path;
  return out;
}

// Writes header and key to a new 0600 file; nothing is left on failure.
base::Result<void> write_key_file(const std::string& path, const KeySpec& spec, EVP_PKEY* key) {
  Bio mem(BIO_new(BIO_s_secmem()));  // wiped when freed
  std::string headers = std::string(kAlgorithmHeader) + std::to_string(number(spec.algorithm)) + "\n" +
                        std::string(kLabelHeader) + spec.label + "\n";
  if (!mem || BIO_write(mem.get(), headers.data(), static_cast<int>(headers.size())) <= 0 ||
      PEM_write_bio_PrivateKey(mem.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(Errc::internal, "OpenSSL: cannot encode the private key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(mem.get(), &data);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return make_error(Errc::conflict, path + ": a key with this id exists");
  if (fd < 0) return make_error(Errc::io, path + ": " + std::strerror(errno));
  base::UniqueFd file(fd);
  bool ok = ::write(fd, data, static_cast<size_t>(size)) == size && ::fsync(fd) == 0;
  int saved = errno;
  if (!ok) {
    ::unlink(path.c_str());
    return make_error(Errc::io, path + ": " + std::strerror(saved));
  }
  return base::ok();
}

class PemPrivateKey final : public PrivateKey {
 public:
  explicit PemPrivateKey(LoadedKey loaded) : loaded_(std::move(loaded)) {}
  const KeyInfo& info() const noexcept override { return loaded_.info; }

  base::Result<Bytes> sign(std::span<const uint8_t> data) override {
    Algorithm alg = loaded_.info.algorithm;
    std::string md(hsm::info(alg).digest);
    MdCtx ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, md.empty() ? nullptr : md.c_str(), nullptr, nullptr,
                              loaded_.key.get(), nullptr) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
      return make_error(Errc::internal, "OpenSSL: cannot set up " + std::string(name(alg)) + " signing");
    }
    Bytes sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
      return make_error(Errc::internal, "OpenSSL: " + std::string(name(alg)) + " signing failed");
    }
    sig.resize(len);
    // OpenSSL gives ECDSA as DER; DNSSEC wants r||s (RFC 6605 section 4).
    if (hsm::info(alg).family == KeyFamily::ecdsa) return ecdsa_der_to_raw(sig, hsm::info(alg).field_size);
    return sig;
  }

 private:
  LoadedKey loaded_;
};

class PemKeySession final : public KeySession {
 public:
  explicit PemKeySession(std::string dir) : dir_(std::move(dir)) {}

  base::Result<std::shared_ptr<PrivateKey>> open(std::string_view ref,
                                                 std::optional<Algorithm> algorithm) override {
    if (auto it = cache_.find(ref); it != cache_.end()) {
      if (algorithm && *algorithm != it->second->algorithm())
        return make_error(Errc::conflict, "algorithm differs");
      return it->second;
    }
    auto id = ref_to_id(ref);
    if (!id) return std::move(id).error();
    auto loaded = load_key(dir_ + "/" + to_hex(*id) + ".pem", *id, algorithm);
    if (!loaded) return std::move(loaded).error();
    auto key = std::make_shared<PemPrivateKey>(std::move(*loaded));
    cache_.emplace(std::string(ref), key);
    return std::shared_ptr<PrivateKey>(std::move(key));
  }

 private:
  std::string dir_;
  std::map<std::string, std::shared_ptr<PrivateKey>, std::less<>> cache_;
};

base::Result<EvpPkey> new_key(const KeySpec& spec) {
  EVP_PKEY* key = nullptr;
  switch (spec.algorithm) {
    case Algorithm::rsasha256:
    case Algorithm::rsasha512: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{spec.rsa_bits}); break;
    case Algorithm::ecdsap256sha256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case Algorithm::ecdsap384sha384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case Algorithm::ed25519: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case Algorithm::ed448: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"); break;
  }
  if (key == nullptr)
    return make_error(Errc::internal, "OpenSSL: " + std::string(name(spec.algorithm)) + " keygen");
  return EvpPkey(key);
}

}  // namespace

base::Result<std::unique_ptr<PemKeyStore>> PemKeyStore::create(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return make_error(Errc::io, dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(Errc::io, dir + ": not a directory");
  return std::unique_ptr<PemKeyStore>(new PemKeyStore(dir));
}

base::Result<KeyInfo> PemKeyStore::import_pem(const KeySpec& spec, const SecretString& pem) {
  SIGNERD_TRY(check_label(spec.label));
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return make_error(Errc::malformed, "not a PEM private key");
  if (auto field = public_key_field(spec.algorithm, key.get()); !field) return std::move(field).error();
  Bytes id = spec.id;
  if (id.empty()) {
    id.resize(16);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
      return make_error(Errc::internal, "RAND_bytes");
  }
  std::string path = dir_ + "/" + to_hex(id) + ".pem";
  {
    std::lock_guard lock(mutex_);
    SIGNERD_TRY(write_key_file(path, spec, key.get()));
  }
  auto loaded = load_key(path, id, spec.algorithm);
  if (!loaded) {
    ::unlink(path.c_str());
    return std::move(loaded).error();
  }
  base::log::info("hsm: stored " + std::string(name(spec.algorithm)) + " key " + path);
  return loaded->info;
}

base::Result<KeyInfo> PemKeyStore::generate(const KeySpec& spec) {
  SIGNERD_TRY(check_label(spec.label));
  if (info(spec.algorithm).family == KeyFamily::rsa && (spec.rsa_bits < 1024 || spec.rsa_bits > 4096)) {
    return make_error(Errc::invalid_argument, "RSA key size outside 1024..4096 (RFC 5702 section 2)");
  }
  auto key = new_key(spec);
  if (!key) return std::move(key).error();
  Bio mem(BIO_new(BIO_s_secmem()));
  if (!mem || PEM_write_bio_PrivateKey(mem.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(Errc::internal, "OpenSSL: cannot encode the new key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(mem.get(), &data);
  return import_pem(spec, SecretString(std::string_view(data, static_cast<size_t>(size))));
}

base::Result<std::vector<KeyInfo>> PemKeyStore::list() {
  Dir dir(::opendir(dir_.c_str()));
  if (!dir) return make_error(Errc::io, dir_ + ": " + std::strerror(errno));
  std::vector<KeyInfo> keys;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view file = entry->d_name;
    if (!file.ends_with(".pem")) continue;
    auto id = ref_to_id(file);
    auto loaded = id ? load_key(dir_ + "/" + std::string(file), *id, std::nullopt)
                     : base::Result<LoadedKey>(id.error());
    if (!loaded) {
      base::log::debug("hsm: skipping " + std::string(file) + ": " + loaded.error().detail);
      continue;
    }
    keys.push_back(std::move(loaded->info));
  }
  return keys;
}

base::Result<KeyInfo> PemKeyStore::find(std::string_view ref, std::optional<Algorithm> algorithm) {
  auto id = ref_to_id(ref);
  if (!id) return std::move(id).error();
  auto loaded = load_key(dir_ + "/" + to_hex(*id) + ".pem", *id, algorithm);
  if (!loaded) return std::move(loaded).error();
  return std::move(loaded->info);
}

base::Result<void> PemKeyStore::remove(std::string_view ref) {
  auto id = ref_to_id(ref);
  if (!id) return std::move(id).error();
  std::string path = dir_ + "/" + to_hex(*id) + ".pem";
  std::lock_guard lock(mutex_);
  if (::unlink(path.c_str()) != 0) {
    return make_error(errno == ENOENT ? Errc::not_found : Errc::io, path + ": " + std::strerror(errno));
  }
  base::log::info("hsm: removed key " + path);
  return base::ok();
}

base::Result<std::unique_ptr<KeySession>> PemKeyStore::open_for_worker() {
  return std::unique_ptr<KeySession>(std::make_unique<PemKeySession>(dir_));
}

}  // namespace signerd::hsm
