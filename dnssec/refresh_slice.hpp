// dnssec/refresh_slice.hpp — which names' signatures are due, a slice at a
// time.
//
// Owns: next_refresh_slice(), the walk that feeds sliced signature
// refresh. Re-signing a 1M-name zone whole takes minutes on the zone's
// strand, and changes from the primary would wait behind it; in slices
// (each given to sign_change with the names to refresh) a change waits for
// one slice at most. Does not own: re-signing (sign_change.hpp), or when a
// refresh is due and how large a slice is (signerd/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/zone_signer.hpp"

namespace signerd::dnssec {

struct RefreshSlice {
  // Names of the unsigned zone, canonical order.
  std::vector<dns::Name> names;
  // Where the next slice starts; std::nullopt when this one reached the
  // end of the zone.
  std::optional<dns::Name> next;
  size_t names_walked = 0;
};

// Which RRSIGs make a name due, besides those expiring.
enum class StaleSigners {
  ignore,
  // A key change signed gradually (sign_change.hpp, KeyChange::gradual):
  // an RRSIG group not by exactly the keys that sign the apex SOA (which
  // every serial re-signs with the zone's current keys) is due as well.
  // Groups over DNSKEY, CDS and CDNSKEY, which other keys sign, never are.
  due,
};

// Walks `unsigned_zone`'s names in canonical order from `from` (the apex
// when std::nullopt) and returns those that have, in `signed_zone`, an RRSIG
// expiring before `due` (RRSIG wire time, RFC 4034 3.1.5 serial
// arithmetic): at the name itself or, with NSEC3, over its NSEC3 record at
// the hashed owner. Stops after `max_names` such names (at least one) or
// `max_walk` names walked, whichever comes first.
// With StaleSigners::due, a name signed by other keys is due too.
// Errors: the NSEC3 hasher's.
Result<RefreshSlice> next_refresh_slice(const dns::ZoneVersion& unsigned_zone,
                                        const dns::ZoneVersion& signed_zone, const DenialKind& denial,
                                        uint32_t due, const std::optional<dns::Name>& from, size_t max_names,
                                        size_t max_walk, StaleSigners stale = StaleSigners::ignore);

// The first owner of `signed_zone` (canonical order, NSEC3 owners among
// them) with an RRSIG group not by exactly the apex SOA's signers (groups
// over DNSKEY, CDS and CDNSKEY aside); std::nullopt when there is none.
// A gradual key change is complete when this finds none: the check, in
// O(zone), that no refresh walk missed a record.
std::optional<dns::Name> first_stale_signature(const dns::ZoneVersion& signed_zone);

}  // namespace signerd::dnssec
