// hsm/pem_key_store.hpp — software keys in PEM files, for operators who
// choose no HSM and for tests that cross-check the PKCS#11 backend.
//
// Owns: PemKeyStore, one file per key in a directory: `<id hex>.pem`, mode
// 0600, two header lines (`signerd-algorithm: 13`, `signerd-label: …`) that
// OpenSSL's PEM reader skips, then the PKCS#8 private key. Signing uses
// OpenSSL EVP in-process. Does not own: encryption of the files at rest
// (protect the directory: 0700, owned by the signerd user).
#pragma once

#include <mutex>
#include <string>

#include "hsm/key_store.hpp"
#include "hsm/secret_string.hpp"

namespace signerd::hsm {

class PemKeyStore final : public KeyStore {
 public:
  // Uses `dir`, creating it with mode 0700 when missing. Errors: io.
  static base::Result<std::unique_ptr<PemKeyStore>> create(const std::string& dir);

  // References: the CKA_ID-like id in hex, or the key file's path.
  base::Result<KeyInfo> generate(const KeySpec& spec) override;
  base::Result<std::vector<KeyInfo>> list() override;
  base::Result<KeyInfo> find(std::string_view ref, std::optional<Algorithm> algorithm = {}) override;
  base::Result<void> remove(std::string_view ref) override;
  base::Result<std::unique_ptr<KeySession>> open_for_worker() override;

  // Stores an existing private key (PEM, PKCS#8 or traditional) under the
  // spec's id and label. Errors: malformed (not a PEM private key), conflict
  // (key type or curve differs from spec.algorithm, or the id is taken), io.
  base::Result<KeyInfo> import_pem(const KeySpec& spec, const SecretString& pem);

  const std::string& dir() const noexcept { return dir_; }

 private:
  explicit PemKeyStore(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
  std::mutex mutex_;  // serialises file creation and removal
};

}  // namespace signerd::hsm
