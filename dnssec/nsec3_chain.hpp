// dnssec/nsec3_chain.hpp — the NSEC3 chain of a zone (RFC 5155 section 7.1).
//
// Owns: which names get an NSEC3 (every authoritative name and empty
// non-terminal; with opt-out, not insecure delegations nor the empty
// non-terminals that exist only because of them), their hashed owners in
// hash order with circular next-hashed-owner fields, the flags, bitmaps and
// TTL, and the detection of hash collisions. Does not own: signing, the
// NSEC3PARAM record (nsec3_hash.hpp), incremental upkeep.
#pragma once

#include <span>

#include "base/result.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/nsec3_hash.hpp"

namespace signerd::dnssec {

// The NSEC3 chain of `zone` with `params`. `apex_added` lists the types the
// signer adds at the apex (DNSKEY, NSEC3PARAM, CDS, CDNSKEY as configured).
// Every record carries the opt-out flag when params.opt_out.
// Errors: check_nsec3_params's; Errc::conflict naming both names when two
// names hash alike (RFC 5155 section 7.1: choose a new salt);
// Errc::out_of_range when a hashed owner exceeds 255 octets; denial_ttl's.
Result<DenialChain> build_nsec3_chain(const dns::ZoneVersion& zone, const Nsec3Params& params,
                                      std::span<const dns::RRType> apex_added);

// The RDATA of one NSEC3 record (RFC 5155 section 3.2): the chain's and
// sign_change's, so that both make the same bytes.
dns::Rdata nsec3_rdata(const Nsec3Params& params, const Nsec3Hash& next, std::span<const dns::RRType> types);

// The nodes (indices into `zone`) that get an NSEC3, in canonical order.
std::vector<size_t> nsec3_node_indices(const dns::ZoneVersion& zone, bool opt_out);

struct HashedNode {
  Nsec3Hash hash;
  size_t node;  // index into the zone
};

// Sorts by hash. Errc::conflict naming both owners when two hashes are
// equal. A step of build_nsec3_chain, public so that the rule is testable
// without finding a SHA-1 collision.
Result<void> sort_hashed_nodes(const dns::ZoneVersion& zone, std::vector<HashedNode>& hashed);

}  // namespace signerd::dnssec
