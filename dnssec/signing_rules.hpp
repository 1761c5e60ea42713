// dnssec/signing_rules.hpp — what the zone is authoritative for, and what
// gets signed, by the role of each name.
//
// Owns: NodeRole and one table of rules (RFC 4035 section 2.2, RFC 4034
// section 4.1.2) that answers, for a role and an RR type, whether the RRset
// is authoritative data (and so appears in NSEC/NSEC3 bitmaps) and whether
// it is signed. Does not own: the signing itself or the chains.
#pragma once

#include <cstdint>

#include "dns/rrtype.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dnssec {

enum class NodeRole : uint8_t {
  apex,
  authoritative,       // an ordinary name with data, wildcards included
  delegation,          // a zone cut below the apex
  occluded,            // glue and other data below a cut or a DNAME
  empty_non_terminal,  // no RRsets, names below it
};

// Occlusion wins over every other flag: a cut below a cut is glue.
NodeRole role_of(dns::NodeView node) noexcept;

// True when an RRset of `type` at a name of `role` is the zone's
// authoritative data: everything at the apex and ordinary names; NS, DS and
// NSEC at a cut (the NS is not authoritative but is listed, RFC 4034
// 4.1.2); nothing on occluded names or empty non-terminals.
bool is_authoritative(NodeRole role, dns::RRType type) noexcept;

// True when the signer signs the RRset of `type` at a name of `role`:
// every authoritative RRset but RRSIG itself, and at a cut only DS and
// NSEC, never the NS (RFC 4035 section 2.2).
bool is_signed(NodeRole role, dns::RRType type) noexcept;
inline bool is_signed(dns::NodeView node, dns::RRType type) noexcept {
  return is_signed(role_of(node), type);
}

}  // namespace signerd::dnssec
