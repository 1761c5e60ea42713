// dnssec/nsec3_hash.hpp — NSEC3 hashing and parameters (RFC 5155).
//
// Owns: Nsec3Params, the iterated hash IH(salt, owner, iterations) of
// RFC 5155 section 5, the base32hex owner label of section 3.3 (RFC 4648
// section 7, lower case as the signers print it) and NSEC3PARAM RDATA
// (section 4). Does not own: the chain (nsec3_chain.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dnssec/digest.hpp"

namespace signerd::dnssec {

using base::Result;

inline constexpr uint8_t kNsec3HashSha1 = 1;       // RFC 5155 section 11
inline constexpr uint8_t kNsec3FlagOptOut = 0x01;  // RFC 5155 section 3.1.2.1
inline constexpr size_t kNsec3HashSize = 20;

using Nsec3Hash = std::array<uint8_t, kNsec3HashSize>;

// RFC 9276 section 3.1 recommends iterations 0 and an empty salt: the
// defaults. opt_out is a property of the chain, not of NSEC3PARAM.
struct Nsec3Params {
  uint8_t algorithm = kNsec3HashSha1;
  uint16_t iterations = 0;
  std::vector<uint8_t> salt;  // at most 255 octets
  bool opt_out = false;
};

// Errc::unsupported for a hash algorithm other than SHA-1;
// Errc::invalid_argument for a salt over 255 octets.
Result<void> check_nsec3_params(const Nsec3Params& params);

// Computes NSEC3 hashes with one reusable digest context. Single-threaded.
class Nsec3Hasher {
 public:
  // Fails as check_nsec3_params, or Errc::internal from OpenSSL.
  static Result<Nsec3Hasher> create(const Nsec3Params& params);

  // IH(salt, owner in canonical (lowercased) wire form, iterations).
  Result<Nsec3Hash> hash(dns::NameView owner);

 private:
  Nsec3Hasher(Hasher hasher, std::vector<uint8_t> salt, uint16_t iterations)
      : hasher_(std::move(hasher)), salt_(std::move(salt)), iterations_(iterations) {}
  Hasher hasher_;
  std::vector<uint8_t> salt_;
  uint16_t iterations_;
};

// One-shot form of Nsec3Hasher::hash.
Result<Nsec3Hash> nsec3_hash(dns::NameView owner, const Nsec3Params& params);

// RFC 4648 section 7 "base32hex" without padding, lower case.
std::string base32hex_encode(std::span<const uint8_t> data);

// The hashed owner name: base32hex(hash) + "." + zone. Errc::out_of_range
// when the result would exceed 255 octets.
Result<dns::Name> nsec3_owner(const Nsec3Hash& hash, const dns::Name& zone);

// NSEC3PARAM RDATA: algorithm, flags 0 (RFC 5155 4.1.2: the opt-out flag is
// not set here), iterations, salt length, salt.
dns::Rdata make_nsec3param_rdata(const Nsec3Params& params);

// The parameters NSEC3PARAM RDATA names (opt_out false: it is not there).
// nullopt when the RDATA is not one (too short, salt length past the end,
// trailing octets).
std::optional<Nsec3Params> parse_nsec3param_rdata(std::span<const uint8_t> rdata);

}  // namespace signerd::dnssec
