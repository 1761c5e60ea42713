// hsm/pkcs11_key_store.hpp — the KeyStore on a PKCS#11 token (the default).
//
// Owns: Pkcs11KeyStore (one token found by label, logged in with a PIN read
// from a 0600 file; key generation inside the token; lookup; removal) and the
// per-worker signing sessions (pkcs11_signer.cpp). Private keys are created
// CKA_SENSITIVE and not CKA_EXTRACTABLE: they never leave the token.
// Does not own: which keys a zone uses (store/, policy/).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hsm/key_store.hpp"
#include "hsm/pkcs11.hpp"
#include "hsm/pkcs11_objects.hpp"

namespace signerd::hsm {

struct Pkcs11Options {
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label = "signerd";
  std::string pin_file;  // mode 0600 or stricter; one trailing newline is ignored
  // digest_info measured as fast or faster through SoftHSM2 (hsm/README.md)
  // and sends 51-83 bytes instead of the whole RRset to the token.
  RsaSigning rsa_signing = RsaSigning::digest_info;
};

// What the store, its worker sessions and their keys share. The login (and
// with it the right to use private keys) lasts while any of them lives.
struct Pkcs11Token {
  std::shared_ptr<Pkcs11Module> module;
  CK_SLOT_ID slot = 0;
  std::string label;
  std::vector<CK_MECHANISM_TYPE> mechanisms;  // sorted, from C_GetMechanismList
  RsaSigning rsa_signing = RsaSigning::hash_in_token;

  std::mutex admin_mutex;                // guards admin's use: generate, list, find, remove
  std::shared_ptr<Pkcs11Session> admin;  // also carries the login
  std::optional<Pkcs11Login> login;      // destroyed first: logout before the session closes

  bool has_mechanism(CK_MECHANISM_TYPE m) const;
  // Errors: unsupported, naming the token, the algorithm and the mechanism.
  base::Result<void> check_mechanisms(Algorithm alg) const;
};

class Pkcs11KeyStore final : public KeyStore {
 public:
  // Loads the module, finds the token, reads the PIN file and logs in.
  // Errors: as Pkcs11Module::load, find_token, read_secret_file and
  // Pkcs11Login::login; each names the module, token or file concerned.
  static base::Result<std::unique_ptr<Pkcs11KeyStore>> create(const Pkcs11Options& options);

  base::Result<KeyInfo> generate(const KeySpec& spec) override;
  base::Result<std::vector<KeyInfo>> list() override;
  base::Result<KeyInfo> find(std::string_view ref, std::optional<Algorithm> algorithm = {}) override;
  base::Result<void> remove(std::string_view ref) override;
  base::Result<std::unique_ptr<KeySession>> open_for_worker() override;

  // Whether the token has the mechanisms to generate and sign with `alg`.
  base::Result<void> check_algorithm(Algorithm alg) const override { return token_->check_mechanisms(alg); }
  bool supports(Algorithm alg) const { return check_algorithm(alg).has_value(); }
  const Pkcs11Token& token() const noexcept { return *token_; }

 private:
  explicit Pkcs11KeyStore(std::shared_ptr<Pkcs11Token> token) : token_(std::move(token)) {}
  std::shared_ptr<Pkcs11Token> token_;
};

}  // namespace signerd::hsm
