// dnssec/resign_rules.hpp — when an RRSIG of a signed base carries over to
// the next signed version, shared by sign_diff (sign_diff.hpp) and
// sign_change (sign_change.hpp) so that both keep exactly the same ones.
//
// Owns: the keys expected over each RRset (ExpectedKeys), the test that a
// base RRset holds the same TTL and RDATA as the next one, the test that
// an RRSIG group is by exactly the expected keys, and the check that a
// signed base belongs to an unsigned one. Does not own: which RRsets are
// signed (signing_rules.hpp), signing (signing_pool.hpp).
// Internal to dnssec/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/signing_pool.hpp"
#include "dnssec/zone_signer.hpp"

namespace signerd::dnssec::detail {

// (algorithm, key tag): which key made an RRSIG, as far as the RRSIG says.
using KeyId = std::pair<uint8_t, uint16_t>;

// The keys that sign the DNSKEY RRset and those that sign the rest, sorted.
struct ExpectedKeys {
  std::vector<KeyId> dnskey;  // over DNSKEY, CDS and CDNSKEY (signed_by_ksk)
  std::vector<KeyId> zone;

  // The keys expected over an RRset of `type`, as signing_pool.cpp signs it.
  const std::vector<KeyId>& of(dns::RRType type) const noexcept {
    return signed_by_ksk(type) ? dnskey : zone;
  }
};

ExpectedKeys expected_keys(std::span<const SigningKey> keys, const KeySetInfo& key_set);

bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept;

// True when `old` holds exactly what `job` signs: TTL (it is in the RRSIG,
// RFC 4034 3.1.4) and RDATA, both sides in canonical order.
bool same_rrset(const SignJob& job, dns::RRsetView old) noexcept;

// The RDATA of `rrsigs` when every one has original TTL `ttl`, expires at
// or after `refresh_by` (RFC 4034 3.1.5 serial arithmetic; none: no
// expiry check) and their (algorithm, key tag) pairs are exactly
// `expected`; std::nullopt when the RRset they cover must be signed anew.
std::optional<std::vector<std::span<const uint8_t>>> reusable_rrsigs(dns::RRsetView rrsigs, uint32_t ttl,
                                                                     const std::vector<KeyId>& expected,
                                                                     std::optional<uint32_t> refresh_by);

// Errc::conflict naming `who` when `signed_base` is not of unsigned_base's
// origin and serial.
Result<void> check_bases(const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base,
                         std::string_view who);

}  // namespace signerd::dnssec::detail
