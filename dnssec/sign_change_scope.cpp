#include "dnssec/sign_change_scope.hpp"

#include <algorithm>

#include "dns/wire.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"

namespace signerd::dnssec::detail {
namespace {

using dns::RRType;

// nsec3_chain.cpp's rule for a name with data: RFC 5155 7.1, opt-out
// leaves insecure delegations out.
bool needs_nsec3(dns::NodeView node, bool opt_out) noexcept {
  switch (role_of(node)) {
    case NodeRole::apex:
    case NodeRole::authoritative: return true;
    case NodeRole::delegation: return !opt_out || node.find(RRType::DS).has_value();
    default: return false;
  }
}

bool has_rrset(const dns::ZoneVersion& zone, dns::NameView owner, RRType type) noexcept {
  return zone.find(owner, type).has_value();
}

// Whether the owner (below the apex) gains or loses what occludes the names
// below it: a cut (NS) or a DNAME (RFC 6672 2.3).
bool occlusion_changes(const dns::ZoneVersion& before, const dns::ZoneVersion& after, dns::NameView owner) {
  for (RRType t : {RRType::NS, RRType::DNAME}) {
    if (has_rrset(before, owner, t) != has_rrset(after, owner, t)) return true;
  }
  return false;
}

void add_with_ancestors(const dns::ZoneVersion& zone, dns::NameView owner, std::set<dns::Name>& out) {
  const size_t apex_labels = zone.origin().label_count();
  for (dns::NameView n = owner; n.label_count() > apex_labels; n = n.parent()) {
    if (!out.insert(dns::Name(n)).second) break;  // its ancestors are in already
  }
}

int base32hex_value(uint8_t c) noexcept {
  c = dns::to_lower_octet(c);
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'v') return c - 'a' + 10;
  return -1;
}

// The first node after the subtree of node `index`, `top`; `index` + 1
// when its first label cannot grow. Label + "\0" sorts after every name
// below the label and before anything else after it (RFC 4034 6.1).
size_t after_subtree(const dns::ZoneVersion& zone, dns::NameView top, size_t index) {
  auto label = top.first_label();
  if (top.label_count() <= zone.origin().label_count() || label.size() >= 63) return index + 1;
  std::vector<uint8_t> grown(label.begin(), label.end());
  grown.push_back(0);
  auto next = dns::Name(top.parent()).prepend_label(grown);
  if (!next) return index + 1;
  return std::max(zone.lower_bound(*next), index + 1);
}

// The first node after the subtree of `owner`'s ancestor just below the
// apex, where hashed owners (one label below it) may follow again.
size_t skip_to_hashed(const dns::ZoneVersion& zone, dns::NameView owner, size_t index) {
  const size_t below = owner.label_count() - zone.origin().label_count();
  if (below <= 1) return index + 1;
  return after_subtree(zone, owner.strip_left(below - 1), index);
}

// Names below a cut or a DNAME are all occluded: none is in a chain.
bool occludes_below(dns::NodeView node) noexcept {
  return !node.is_occluded() && (node.is_delegation() || node.find(RRType::DNAME).has_value());
}

// The index of the cut or DNAME above occluded node `index`.
size_t occluding_ancestor(const dns::ZoneVersion& zone, size_t index) {
  const dns::NameView owner = zone.node(index).owner();
  for (size_t strip = owner.label_count() - zone.origin().label_count(); strip > 0; --strip) {
    auto node = zone.find(owner.strip_left(strip));
    if (node && occludes_below(*node)) return zone.lower_bound(node->owner());
  }
  return index;
}

}  // namespace

bool has_base_data(dns::NodeView node) noexcept {
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    if (!dns::is_signer_owned_type(node.rrset(i).type())) return true;
  }
  return false;
}

std::vector<RRType> chain_types(dns::NodeView node, std::span<const RRType> apex_added, RRType chain_type) {
  if (!has_base_data(node)) return {};
  std::vector<RRType> types = denial_types(node, apex_added, chain_type);
  // denial_types adds RRSIG and NSEC itself; other types of the signer's
  // are base_zone's to drop, but for its own apex additions.
  std::erase_if(types, [&](RRType t) {
    if (!dns::is_signer_owned_type(t) || t == RRType::RRSIG || t == RRType::NSEC) return false;
    return !node.is_apex() || std::find(apex_added.begin(), apex_added.end(), t) == apex_added.end();
  });
  return types;
}

bool in_nsec_chain(dns::NodeView node) noexcept {
  return has_base_data(node) && is_authoritative(role_of(node), RRType::NSEC);
}

Membership in_nsec3_chain(const dns::ZoneVersion& zone, size_t index, bool opt_out) {
  const dns::NodeView node = zone.node(index);
  if (has_base_data(node)) return needs_nsec3(node, opt_out) ? Membership::in : Membership::out;
  if (node.is_occluded()) return Membership::out;
  // An empty non-terminal of the base zone when a name below keeps base
  // data; with opt-out, only when one below needs an NSEC3 itself.
  size_t steps = 0;
  for (size_t j = index + 1; j < zone.node_count();) {
    const dns::NodeView below = zone.node(j);
    if (!below.owner().is_subdomain_of(node.owner())) break;
    if (++steps > kMaxNeighbourScan) return Membership::unknown;
    if (has_base_data(below) && (!opt_out || needs_nsec3(below, true))) return Membership::in;
    j = occludes_below(below) ? after_subtree(zone, below.owner(), j) : j + 1;
  }
  return Membership::out;
}

std::set<dns::Name> touched_names(const dns::ZoneVersion& before, const dns::ZoneVersion& after,
                                  const dns::ZoneDiff& change) {
  std::set<dns::Name> out{after.origin()};
  std::set<dns::Name> owners;
  for (const auto* section : {&change.removed, &change.added}) {
    for (const auto& set : *section) owners.insert(set.owner());
  }
  for (const auto& owner : owners) {
    add_with_ancestors(after, owner, out);
    if (owner == after.origin() || !occlusion_changes(before, after, owner)) continue;
    for (size_t i = after.lower_bound(owner); i < after.node_count(); ++i) {
      const dns::NodeView node = after.node(i);
      if (!node.owner().is_subdomain_of(owner)) break;
      out.insert(dns::Name(node.owner()));
    }
  }
  return out;
}

// Both walks step over occluded subtrees by lookup: a cut with much glue
// below costs no more than one without.
std::optional<size_t> nsec_previous(const dns::ZoneVersion& zone, dns::NameView name) {
  size_t steps = 0;
  for (size_t i = zone.lower_bound(name); i > 0;) {
    --i;
    if (zone.node(i).is_occluded()) i = occluding_ancestor(zone, i);
    if (in_nsec_chain(zone.node(i))) return i;
    if (++steps > kMaxNeighbourScan) return std::nullopt;
  }
  return 0;
}

std::optional<dns::NameView> nsec_next(const dns::ZoneVersion& zone, size_t index) {
  size_t steps = 0;
  for (size_t i = occludes_below(zone.node(index)) ? after_subtree(zone, zone.node(index).owner(), index)
                                                   : index + 1;
       i < zone.node_count();) {
    const dns::NodeView node = zone.node(i);
    if (in_nsec_chain(node)) return node.owner();
    if (++steps > kMaxNeighbourScan) return std::nullopt;
    i = occludes_below(node) ? after_subtree(zone, node.owner(), i) : i + 1;
  }
  // The last NSEC points back to the apex (RFC 4034 4.1.1).
  return zone.apex().owner();
}

std::optional<Nsec3Hash> hash_of_owner(dns::NameView owner) {
  auto label = owner.first_label();
  if (label.size() != 32) return std::nullopt;
  Nsec3Hash out{};
  uint64_t bits = 0;
  size_t nbits = 0;
  size_t k = 0;
  for (uint8_t c : label) {
    const int v = base32hex_value(c);
    if (v < 0) return std::nullopt;
    bits = bits << 5 | static_cast<uint64_t>(v);
    nbits += 5;
    if (nbits >= 8) {
      nbits -= 8;
      out[k++] = static_cast<uint8_t>(bits >> nbits);
    }
  }
  return out;
}

bool HashRing::usable(dns::NodeView node, Nsec3Hash& out) const {
  if (!node.find(RRType::NSEC3)) return false;
  auto hash = hash_of_owner(node.owner());
  if (!hash || leaving_.contains(*hash)) return false;
  out = *hash;
  return true;
}

// Hashed owners sort in hash order (base32hex keeps it, RFC 5155 3.3), but
// other names interleave: their subtrees are stepped over by lookup.
HashRing::Walk HashRing::base_after(const Nsec3Hash* hash, Nsec3Hash& out) const {
  size_t i = 1;
  if (hash != nullptr) {
    auto owner = nsec3_owner(*hash, base_.origin());
    if (!owner) return Walk::too_far;
    i = base_.lower_bound(*owner);
  }
  for (size_t steps = 0; i < base_.node_count(); ++steps) {
    if (steps > kMaxNeighbourScan) return Walk::too_far;
    const dns::NodeView node = base_.node(i);
    if (usable(node, out) && (hash == nullptr || *hash < out)) return Walk::found;
    i = skip_to_hashed(base_, node.owner(), i);
  }
  return Walk::none;
}

HashRing::Walk HashRing::base_before(const Nsec3Hash* hash, Nsec3Hash& out) const {
  size_t i = base_.node_count();
  if (hash != nullptr) {
    auto owner = nsec3_owner(*hash, base_.origin());
    if (!owner) return Walk::too_far;
    i = base_.lower_bound(*owner);
  }
  const size_t apex_labels = base_.origin().label_count();
  for (size_t steps = 0; i > 1; ++steps) {
    if (steps > kMaxNeighbourScan) return Walk::too_far;
    const dns::NodeView node = base_.node(--i);
    if (usable(node, out) && (hash == nullptr || out < *hash)) return Walk::found;
    const size_t below = node.owner().label_count() - apex_labels;
    // Up to the ancestor one label below the apex, whose subtree this is.
    if (below > 1) i = std::min(i, base_.lower_bound(node.owner().strip_left(below - 1))) + 1;
  }
  return Walk::none;
}

std::optional<Nsec3Hash> HashRing::next(const Nsec3Hash& hash) const {
  std::optional<Nsec3Hash> best;
  auto consider = [&best](const Nsec3Hash& h) {
    if (!best || h < *best) best = h;
  };
  Nsec3Hash found{};
  for (const Nsec3Hash* from : {&hash, static_cast<const Nsec3Hash*>(nullptr)}) {
    const Walk w = base_after(from, found);
    if (w == Walk::too_far) return std::nullopt;
    if (w == Walk::found) consider(found);
    auto e = from != nullptr ? entering_.upper_bound(hash) : entering_.begin();
    if (e != entering_.end()) consider(*e);
    if (best) return best;  // else wrap around to the first hash
  }
  return std::nullopt;
}

std::optional<Nsec3Hash> HashRing::previous(const Nsec3Hash& hash) const {
  std::optional<Nsec3Hash> best;
  auto consider = [&best](const Nsec3Hash& h) {
    if (!best || *best < h) best = h;
  };
  Nsec3Hash found{};
  for (const Nsec3Hash* from : {&hash, static_cast<const Nsec3Hash*>(nullptr)}) {
    const Walk w = base_before(from, found);
    if (w == Walk::too_far) return std::nullopt;
    if (w == Walk::found) consider(found);
    auto e = from != nullptr ? entering_.lower_bound(hash) : entering_.end();
    if (e != entering_.begin()) consider(*std::prev(e));
    if (best) return best;  // else wrap around to the last hash
  }
  return std::nullopt;
}

std::optional<dns::Rdata> with_next_hash(std::span<const uint8_t> rdata, const Nsec3Hash& next) {
  // Hash algorithm 1, flags 1, iterations 2, salt length 1 (RFC 5155 3.2).
  if (rdata.size() < 5) return std::nullopt;
  const size_t length_at = 5 + size_t{rdata[4]};
  if (rdata.size() < length_at + 1 + next.size() || rdata[length_at] != next.size()) return std::nullopt;
  dns::Rdata out(rdata.begin(), rdata.end());
  std::copy(next.begin(), next.end(), out.begin() + static_cast<std::ptrdiff_t>(length_at + 1));
  return out;
}

}  // namespace signerd::dnssec::detail
