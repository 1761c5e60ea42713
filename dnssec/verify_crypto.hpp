// dnssec/verify_crypto.hpp — the signature arithmetic of verify_zone.hpp,
// cheap enough per RRSIG to check a whole zone on every core.
//
// Owns: VerifyKeys (the zone keys as OpenSSL public keys and their
// digests, built once and then shared read-only by every worker) and
// SignatureChecker (one worker's OpenSSL state: digest contexts and, per
// key, a verification context set up once and reused for every RRSIG).
// ECDSA and RSA hash the signing input here and verify the digest with
// EVP_PKEY_verify, the operation `openssl speed` times; EdDSA (PureEdDSA
// hashes inside, RFC 8032) goes through EVP_DigestVerify. Does not own:
// which key an RRSIG names or the RRSIG field rules (verify_signatures.hpp),
// the DNSKEY field formats (hsm/public_key.hpp).
// Internal to dnssec/.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/raii.hpp"
#include "hsm/algorithm.hpp"
#include "hsm/openssl_handles.hpp"

namespace signerd::dnssec::verify_detail {

using EvpMd = base::CHandle<EVP_MD, &EVP_MD_free>;

// The zone keys, by index. Thread-safety: add() before sharing; after that
// read-only, safe from any number of threads (OpenSSL 3 allows concurrent
// operations on one EVP_PKEY and one fetched EVP_MD).
class VerifyKeys {
 public:
  struct Key {
    hsm::Algorithm algorithm;
    hsm::EvpPkey pkey;  // null: the DNSKEY field does not parse, nothing verifies with it
    EvpMd md;           // the algorithm's digest; null for EdDSA
  };

  // Appends the key with DNSKEY public key field `field` (RFC 3110,
  // RFC 6605 section 4, RFC 8080 section 3); its index is size() before.
  void add(hsm::Algorithm algorithm, std::span<const uint8_t> field);
  size_t size() const noexcept { return keys_.size(); }
  const Key& key(size_t index) const noexcept { return keys_[index]; }

 private:
  std::vector<Key> keys_;
};

// One worker's verifier. Not thread-safe: one per thread; `keys` must
// outlive it and not change.
class SignatureChecker {
 public:
  explicit SignatureChecker(const VerifyKeys& keys);

  // Whether the RRSIG signature field `signature` (r||s for ECDSA, RFC 6605
  // section 4) is a signature of `data` by key `index`. A key that does not
  // parse, a signature of the wrong size and any OpenSSL failure count as
  // not verifying, as hsm::verify() has it.
  bool verify(size_t index, std::span<const uint8_t> data, std::span<const uint8_t> signature);

 private:
  struct Slot {
    hsm::PkeyCtx ctx;  // EVP_PKEY_verify_init done (and RSA padding and digest set)
    bool tried = false;
  };
  EVP_PKEY_CTX* prepared(size_t index);
  bool verify_eddsa(const VerifyKeys::Key& key, std::span<const uint8_t> data,
                    std::span<const uint8_t> signature);

  const VerifyKeys& keys_;
  hsm::MdCtx digest_;  // hashes the signing input (ECDSA, RSA)
  hsm::MdCtx eddsa_;   // EVP_DigestVerify (EdDSA)
  std::vector<Slot> slots_;
};

}  // namespace signerd::dnssec::verify_detail
