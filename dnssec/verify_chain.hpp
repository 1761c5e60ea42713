// dnssec/verify_chain.hpp — the denial-chain half of verify_zone.hpp.
//
// Owns: the NSEC and NSEC3 chain checks of a signed zone and the helpers
// verify_zone.cpp shares with them (error text, expected bitmaps). Internal
// to dnssec/: callers use verify_zone(). Does not own: signatures, which
// verify_zone.cpp checks for the chain records like for any other RRset.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec::verify_detail {

// "zone example.: www.example. A: <what>".
base::Error zone_error(base::Errc code, const dns::ZoneVersion& zone, dns::NameView owner, dns::RRType type,
                       std::string_view what);

// "A NS RRSIG".
std::string types_text(std::span<const dns::RRType> types);

// True when the only RRset at `node` is RRSIG: not data for a chain (the
// signature checks report such RRSIGs as orphans).
bool only_rrsigs(dns::NodeView node) noexcept;

// The types a correct NSEC or NSEC3 bitmap lists for `node`, read from the
// signed zone itself: its authoritative types (signing_rules.hpp; so NS but
// not glue at a cut), NSEC where present, and RRSIG where any RRSIG is
// (RFC 4034 section 4.1.2, RFC 5155 section 3.2.1). NSEC3 RRsets live at
// hashed owners and are never listed. Ascending.
std::vector<dns::RRType> expected_bitmap(dns::NodeView node);

// RFC 4034 section 4, RFC 4035 section 2.3: one NSEC at every name with
// authoritative data, none elsewhere, next names following the zone's
// canonical order and closing at the apex, bitmaps as expected_bitmap(),
// TTL as RFC 9077 section 3. Returns the number of NSEC records.
base::Result<size_t> verify_nsec_chain(const dns::ZoneVersion& zone);

// RFC 5155 sections 4, 7.1 and 8.3: one NSEC3PARAM at the apex; NSEC3
// records one label below the apex with its parameters, sorted and
// circular; one for every authoritative name and needed empty
// non-terminal (opt-out: insecure delegations may go without), none for
// occluded names, none that match no name. Returns the number of NSEC3s.
base::Result<size_t> verify_nsec3_chain(const dns::ZoneVersion& zone);

}  // namespace signerd::dnssec::verify_detail
