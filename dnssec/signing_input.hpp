// dnssec/signing_input.hpp — the octets an RRSIG signs.
//
// Owns: RFC 4034 section 3.1.8.1 (with the canonical RR form of section 6.2
// and RR order of 6.3): RRSIG RDATA without the signature, then every RR of
// the RRset in canonical form. The same bytes serve signing and
// verification, including of wildcard expansions (RFC 4035 section 5.3.2).
// Does not own: the signature algorithm (hsm/) or which RRsets are signed
// (signing_rules.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/rrsig.hpp"

namespace signerd::dnssec {

using base::Result;

// The signing input for the RRset (`owner`, fields.type_covered, `rclass`)
// whose RDATA are `rdatas` (any order; duplicates allowed, they are removed).
// Each RR is written with owner lowercased, fields.original_ttl and its
// canonical RDATA. When `owner` has more labels than fields.labels it is a
// wildcard expansion and the owner written is "*." plus the rightmost
// fields.labels labels.
// Errors: Errc::invalid_argument when fields.labels exceeds the owner's
// label count (rrsig_labels) or the RRset is empty; Errc::malformed for
// RDATA that is not valid for the type.
Result<std::vector<uint8_t>> signing_input(const RrsigFields& fields, dns::NameView owner,
                                           dns::RRClass rclass,
                                           std::span<const std::span<const uint8_t>> rdatas);

// The same for an owning RRset; its type must be fields.type_covered.
Result<std::vector<uint8_t>> signing_input(const RrsigFields& fields, const dns::RRset& rrset);

// The same for an RRset of a ZoneVersion; its type must be fields.type_covered.
Result<std::vector<uint8_t>> signing_input(const RrsigFields& fields, dns::NameView owner,
                                           dns::RRClass rclass, dns::RRsetView rrset);

}  // namespace signerd::dnssec
