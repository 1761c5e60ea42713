// dnssec/digest.hpp — the message digests the signing engine computes itself.
//
// Owns: SHA-1 (NSEC3 hashing, RFC 5155 section 5), SHA-256 and SHA-384 (DS
// digests, RFC 4509 and RFC 6605) through OpenSSL's EVP digest interface.
// Does not own: anything with a key (hsm/), or the choice of which digest a
// record uses (dnskey.hpp, nsec3_hash.hpp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "base/result.hpp"

struct evp_md_ctx_st;

namespace signerd::dnssec {

using base::Result;

enum class DigestAlgorithm : uint8_t { sha1, sha256, sha384, sha512 };

// Output size in octets: 20, 32, 48.
size_t digest_size(DigestAlgorithm algorithm) noexcept;

// A reusable digest context, for loops such as NSEC3's iterations that
// would otherwise allocate a context per step. Single-threaded; movable.
class Hasher {
 public:
  // Fails (Errc::internal) only when OpenSSL cannot allocate or initialise.
  static Result<Hasher> create(DigestAlgorithm algorithm);

  // Starts a new digest; update() and finish() follow.
  Result<void> reset();
  Result<void> update(std::span<const uint8_t> data);
  // Writes digest_size() octets to `out` (which must hold them).
  Result<void> finish(std::span<uint8_t> out);

  DigestAlgorithm algorithm() const noexcept { return algorithm_; }

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* p) const noexcept;
  };
  Hasher(DigestAlgorithm algorithm, evp_md_ctx_st* ctx) : algorithm_(algorithm), ctx_(ctx) {}

  DigestAlgorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

// One-shot digest of the concatenation of `parts`.
Result<std::vector<uint8_t>> digest(DigestAlgorithm algorithm,
                                    std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace signerd::dnssec
