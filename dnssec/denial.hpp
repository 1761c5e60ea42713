// dnssec/denial.hpp — what NSEC and NSEC3 chains have in common.
//
// Owns: DenialRecord and DenialChain (a chain as unsigned (owner, RDATA)
// pairs ready to sign), the TTL of denial records (RFC 9077 section 3)
// and the list of types a name's NSEC or NSEC3 bitmap carries.
// Does not own: the chains (nsec_chain.hpp, nsec3_chain.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec {

using base::Result;

struct DenialRecord {
  dns::Name owner;
  dns::Rdata rdata;
};

struct DenialChain {
  dns::RRType type = dns::RRType::NSEC;  // NSEC or NSEC3
  uint32_t ttl = 0;                      // for every record of the chain
  std::vector<DenialRecord> records;     // NSEC: canonical order; NSEC3: hash order
};

// RFC 9077 section 3 (updating RFC 4034 4, RFC 4035 2.3, RFC 5155 3):
// min(SOA TTL, SOA MINIMUM). Errc::not_found when the apex has no SOA.
Result<uint32_t> denial_ttl(const dns::ZoneVersion& zone);

// The types of `node`'s bitmap in a chain of `chain_type` (NSEC or NSEC3):
// its authoritative types (signing_rules.hpp), at the apex also
// `apex_added` (DNSKEY, NSEC3PARAM, CDS, CDNSKEY as the signer adds them),
// NSEC itself in an NSEC chain, and RRSIG when any of them is signed.
// RRSIG, NSEC and NSEC3 RRsets in the zone are ignored: the signer owns
// those. An empty non-terminal or occluded name gets no types.
std::vector<dns::RRType> denial_types(dns::NodeView node, std::span<const dns::RRType> apex_added,
                                      dns::RRType chain_type);

}  // namespace signerd::dnssec
