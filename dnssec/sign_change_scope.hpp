// dnssec/sign_change_scope.hpp — the parts of sign_change (sign_change.hpp)
// that decide which names a change reaches, without walking the zone.
//
// Owns: how a name of the unsigned zone appears in base_zone() (which drops
// the signer's types) and in its NSEC or NSEC3 chain, the names a change
// touches, bounded walks to a name's neighbours in the NSEC chain of the
// next unsigned version and in the NSEC3 hash order of the signed base.
// Does not own: the chains' definitions (nsec_chain.hpp, nsec3_chain.hpp,
// which these rules must match), signing, the signed diff.
// Internal to dnssec/.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/nsec3_hash.hpp"

namespace signerd::dnssec::detail {

// True when the node keeps some RRset in base_zone(): one of a type the
// signer does not own (dns::is_signer_owned_type).
bool has_base_data(dns::NodeView node) noexcept;

// The bitmap types of an unsigned node as the chain of base_zone() lists
// them (denial_types of the base node): the signer's types dropped, and at
// the apex `apex_added` added (apex_added_types in signing_pool.hpp:
// DNSKEY, NSEC3PARAM, CDS, CDNSKEY as base_zone adds them). Empty without
// base data.
std::vector<dns::RRType> chain_types(dns::NodeView node, std::span<const dns::RRType> apex_added,
                                     dns::RRType chain_type);

// True when the node owns an NSEC in the chain of base_zone(): a name with
// base data that is the apex, authoritative or a cut (nsec_chain.cpp).
bool in_nsec_chain(dns::NodeView node) noexcept;

enum class Membership : uint8_t { out, in, unknown };

// Whether node `index` of `zone` (unsigned) owns an NSEC3 in the chain of
// its base zone (nsec3_node_indices): unknown when that depends on more
// than kMaxNeighbourScan names below it.
Membership in_nsec3_chain(const dns::ZoneVersion& zone, size_t index, bool opt_out);

// The names whose signed form may change: every owner of `change`, its
// ancestors, the whole subtree (in `after`) of an owner that gains or
// loses a cut or a DNAME, and the apex. Canonical order.
std::set<dns::Name> touched_names(const dns::ZoneVersion& before, const dns::ZoneVersion& after,
                                  const dns::ZoneDiff& change);

// The NSEC chain of base_zone(zone) around a name: the member before
// `name` (not itself) and the member after node `index`, wrapping to the
// apex; std::nullopt when finding it passes more than kMaxNeighbourScan
// names.
std::optional<size_t> nsec_previous(const dns::ZoneVersion& zone, dns::NameView name);
std::optional<dns::NameView> nsec_next(const dns::ZoneVersion& zone, size_t index);

// The NSEC3 hash order of the next chain: the signed base's NSEC3 records
// less the hashes that `leaving` names, plus those of `entering`.
class HashRing {
 public:
  HashRing(const dns::ZoneVersion& signed_base, std::set<Nsec3Hash> entering, std::set<Nsec3Hash> leaving)
      : base_(signed_base), entering_(std::move(entering)), leaving_(std::move(leaving)) {}

  // The hash after (before) `hash`, circularly; `hash` itself when it is
  // alone. std::nullopt when the walk passes more than kMaxNeighbourScan
  // names of the signed base, or the chain is empty.
  std::optional<Nsec3Hash> next(const Nsec3Hash& hash) const;
  std::optional<Nsec3Hash> previous(const Nsec3Hash& hash) const;

 private:
  enum class Walk : uint8_t { found, none, too_far };
  Walk base_after(const Nsec3Hash* hash, Nsec3Hash& out) const;
  Walk base_before(const Nsec3Hash* hash, Nsec3Hash& out) const;
  bool usable(dns::NodeView node, Nsec3Hash& out) const;

  const dns::ZoneVersion& base_;
  std::set<Nsec3Hash> entering_;
  std::set<Nsec3Hash> leaving_;
};

// The hash that a hashed owner's first label spells (base32hex, RFC 5155
// section 3.3); std::nullopt when it spells none.
std::optional<Nsec3Hash> hash_of_owner(dns::NameView owner);

// `rdata` (an NSEC3's) with its next hashed owner replaced by `next`;
// std::nullopt when the RDATA is malformed or holds another hash length.
std::optional<dns::Rdata> with_next_hash(std::span<const uint8_t> rdata, const Nsec3Hash& next);

}  // namespace signerd::dnssec::detail
