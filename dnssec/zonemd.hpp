// dnssec/zonemd.hpp — the message digest of a whole zone (RFC 8976).
//
// Owns: the ZONEMD RDATA of a zone for the SIMPLE scheme with SHA-384 or
// SHA-512 (RFC 8976 section 3.3), and (declared in signing_pool.hpp) the
// signer's steps that publish it: placeholders in the base zone, the
// digest over the signed zone, then the RRSIGs over the ZONEMD RRset.
// Does not own: verifying a zone received from a primary (the caller
// compares zonemd_rdata with what the zone carries), or deciding that a
// zone without ZONEMD gets one (an operator opt-in, not implemented).
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec {

using base::Result;

// RFC 8976 section 5.2 and 5.3 registries.
inline constexpr uint8_t kZonemdSchemeSimple = 1;
inline constexpr uint8_t kZonemdSha384 = 1;
inline constexpr uint8_t kZonemdSha512 = 2;

// True for the (scheme, hash algorithm) pairs zonemd_rdata computes.
bool zonemd_supported(uint8_t scheme, uint8_t hash_algorithm) noexcept;

// Digest octets of `hash_algorithm` (48, 64), 0 when unsupported.
size_t zonemd_digest_size(uint8_t hash_algorithm) noexcept;

// The ZONEMD RDATA (serial, scheme, hash algorithm, digest) of `zone`:
// serial is the SOA serial; the digest covers every RR in canonical form
// and order (RFC 8976 section 3.3.1), glue and occluded data included,
// except the apex ZONEMD RRset and the apex RRSIGs covering it (3.3.1.1).
// Errors: Errc::unsupported for a pair zonemd_supported rejects;
// Errc::internal when OpenSSL fails. Thread-safety: reads `zone` only.
Result<dns::Rdata> zonemd_rdata(const dns::ZoneVersion& zone, uint8_t scheme, uint8_t hash_algorithm);

}  // namespace signerd::dnssec
