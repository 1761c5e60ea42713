// dnssec/nsec_chain.hpp — the NSEC chain of a zone (RFC 4034 section 4,
// RFC 4035 section 2.3).
//
// Owns: one NSEC per authoritative name with data, in canonical order, the
// last one pointing back to the apex. Glue, occluded names and empty
// non-terminals get none. Does not own: signing the records or keeping the
// chain current across diffs.
#pragma once

#include <span>

#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/denial.hpp"

namespace signerd::dnssec {

// The NSEC chain of `zone`. `apex_added` lists the types the signer adds at
// the apex (DNSKEY, and CDS/CDNSKEY when configured) so that the apex
// bitmap shows them. Next names keep the zone's spelling (RFC 6840 5.1: the
// next name is not lowercased). Errors: denial_ttl's.
Result<DenialChain> build_nsec_chain(const dns::ZoneVersion& zone, std::span<const dns::RRType> apex_added);

}  // namespace signerd::dnssec
