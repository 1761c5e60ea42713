#include "dns/zone_diff.hpp"

#include "dns/rdata_schema.hpp"

namespace signerd::dns {
namespace {

std::span<const uint8_t> rdata_at(const RRsetView& set, size_t i) { return set.rdata(i); }
std::span<const uint8_t> rdata_at(const RRset& set, size_t i) { return set.rdatas()[i]; }
RRset whole(const RRsetView& set, NameView owner, RRClass rclass) { return set.to_rrset(owner, rclass); }
RRset whole(const RRset& set, NameView, RRClass) { return set; }

// Both sides are in canonical order (RRsetView and RRset keep it): one
// merge pass.
template <typename To>
void diff_one(NameView owner, RRClass rclass, const RRsetView* a, const To* b, ZoneDiff& out) {
  if (a == nullptr && b == nullptr) return;
  if (a == nullptr || b == nullptr || a->ttl() != b->ttl()) {
    if (a != nullptr) out.removed.push_back(a->to_rrset(owner, rclass));
    if (b != nullptr) out.added.push_back(whole(*b, owner, rclass));
    return;
  }
  const RRType type = a->type();
  RRset gone(Name(owner), type, rclass, a->ttl());
  RRset fresh(Name(owner), type, rclass, b->ttl());
  size_t i = 0;
  size_t j = 0;
  while (i < a->size() || j < b->size()) {
    std::strong_ordering c = i == a->size()   ? std::strong_ordering::greater
                             : j == b->size() ? std::strong_ordering::less
                                              : canonical_rdata_compare(type, a->rdata(i), rdata_at(*b, j));
    if (c < 0) {
      gone.add(a->rdata(i++));
    } else if (c > 0) {
      fresh.add(rdata_at(*b, j++));
    } else {
      ++i;
      ++j;
    }
  }
  if (!gone.empty()) out.removed.push_back(std::move(gone));
  if (!fresh.empty()) out.added.push_back(std::move(fresh));
}

void diff_rrsets(NameView owner, RRClass rclass, const RRsetView* a, const RRsetView* b, ZoneDiff& out) {
  diff_one(owner, rclass, a, b, out);
}

void diff_nodes(const NodeView* a, const NodeView* b, RRClass rclass, ZoneDiff& out) {
  NameView owner = a != nullptr ? a->owner() : b->owner();
  size_t i = 0;
  size_t j = 0;
  size_t na = a != nullptr ? a->rrset_count() : 0;
  size_t nb = b != nullptr ? b->rrset_count() : 0;
  while (i < na || j < nb) {
    // Nodes are sorted by (type, covered type): RRSIG groups pair by both.
    auto order = [](RRsetView v) { return uint32_t{code(v.type())} << 16 | code(v.covered()); };
    uint64_t ta = i < na ? order(a->rrset(i)) : uint64_t{1} << 32;
    uint64_t tb = j < nb ? order(b->rrset(j)) : uint64_t{1} << 32;
    if (ta < tb) {
      RRsetView x = a->rrset(i++);
      diff_rrsets(owner, rclass, &x, nullptr, out);
    } else if (tb < ta) {
      RRsetView y = b->rrset(j++);
      diff_rrsets(owner, rclass, nullptr, &y, out);
    } else {
      RRsetView x = a->rrset(i++);
      RRsetView y = b->rrset(j++);
      diff_rrsets(owner, rclass, &x, &y, out);
    }
  }
}

}  // namespace

void diff_rrset(NameView owner, RRClass rclass, const RRsetView* from, const RRset* to, ZoneDiff& out) {
  diff_one(owner, rclass, from, to, out);
}

ZoneDiff diff_versions(const ZoneVersion& from, const ZoneVersion& to) {
  ZoneDiff out;
  out.from = from.serial();
  out.to = to.serial();
  size_t i = 0;
  size_t j = 0;
  while (i < from.node_count() || j < to.node_count()) {
    std::strong_ordering c = i == from.node_count() ? std::strong_ordering::greater
                             : j == to.node_count() ? std::strong_ordering::less
                                                    : from.node(i).owner() <=> to.node(j).owner();
    if (c < 0) {
      NodeView a = from.node(i++);
      diff_nodes(&a, nullptr, from.rclass(), out);
    } else if (c > 0) {
      NodeView b = to.node(j++);
      diff_nodes(nullptr, &b, from.rclass(), out);
    } else {
      NodeView a = from.node(i++);
      NodeView b = to.node(j++);
      diff_nodes(&a, &b, from.rclass(), out);
    }
  }
  return out;
}

ZoneDiff diff_owners(const ZoneVersion& from, const ZoneVersion& to, const std::set<Name>& owners) {
  ZoneDiff out;
  out.from = from.serial();
  out.to = to.serial();
  for (const Name& owner : owners) {
    const auto a = from.find(owner);
    const auto b = to.find(owner);
    if (a || b) diff_nodes(a ? &*a : nullptr, b ? &*b : nullptr, from.rclass(), out);
  }
  return out;
}

}  // namespace signerd::dns
