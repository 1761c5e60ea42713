// apply_diff (zone_diff.hpp): the next version of a zone, made by
// rebuilding only the leaves (zone_leaf.hpp) that a diff touches.
//
// Each owner of the diff marks a range of the base zone's nodes to rebuild:
// its own node (or the place where it goes), the empty non-terminals just
// above it (they go when it goes), and, when it gains or loses an NS or a
// DNAME, its whole subtree (whose names become occluded or visible). The
// ranges are rebuilt from the base's data with the diff applied, with the
// flags the builder would give them: the nodes just before a range that
// are ancestors of its names seed the classifier, and the node just after
// it brings back the empty non-terminals it still needs. Every other leaf
// is shared with the base.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_leaf.hpp"

namespace signerd::dns {
namespace {

using base::Errc;

// Canonical owner key, type, and for RRSIG the type covered: RRSIGs are
// one group per covered type, each with its own TTL (zone_version.hpp).
using RRsetKey = std::tuple<std::string, uint16_t, uint16_t>;
using Section = std::map<RRsetKey, RRset>;

std::string owner_key(NameView owner) {
  std::string k;
  owner.append_canonical_key(k);
  return k;
}

RRType covered_of(RRType type, std::span<const uint8_t> rdata) noexcept {
  return type == RRType::RRSIG && rdata.size() >= 2 ? static_cast<RRType>(get_u16(rdata.data())) : RRType{};
}

std::string describe(NameView owner, RRType type, RRType covered) {
  std::string out = owner.to_text() + " " + to_text(type);
  if (type == RRType::RRSIG) out += " covering " + to_text(covered);
  return out;
}

// Indexes a diff section, merging RRsets that appear more than once and
// splitting RRSIG RRsets into one group per covered type.
Result<Section> index_section(const std::vector<RRset>& section) {
  Section out;
  for (const RRset& set : section) {
    for (const auto& rd : set.rdatas()) {
      const RRType covered = covered_of(set.type(), rd);
      auto [it, inserted] = out.try_emplace({owner_key(set.owner()), code(set.type()), code(covered)},
                                            set.owner(), set.type(), set.rclass(), set.ttl());
      if (!it->second.add(rd)) {
        return base::make_error(
            Errc::conflict, "diff lists an RR of " + describe(set.owner(), set.type(), covered) + " twice");
      }
      if (!inserted) it->second.set_ttl(set.ttl());
    }
  }
  return out;
}

// What ZoneBuilder::add refuses.
Result<void> check_added(const ZoneVersion& z, const RRset& set) {
  auto fail = [&](const std::string& why) {
    return base::make_error(Errc::malformed, set.owner().to_text() + " " + to_text(set.type()) + ": " + why);
  };
  if (set.rclass() != z.rclass()) return fail("class " + to_text(set.rclass()) + " differs from the zone's");
  if (is_meta_type(set.type())) return fail("meta type is not zone data");
  if (!set.owner().is_subdomain_of(z.origin()))
    return fail("owner is outside the zone " + z.origin().to_text());
  for (const auto& rd : set.rdatas()) {
    if (rd.size() > 0xffff) return fail("RDATA over 65535 octets");
    if (auto v = validate_rdata(set.type(), rd); !v) return fail(v.error().detail);
  }
  return base::ok();
}

// The groups of `section` at one owner, in (type, covered) order.
std::vector<const RRset*> groups_at(const Section& section, const std::string& key) {
  std::vector<const RRset*> out;
  for (auto it = section.lower_bound({key, 0, 0}); it != section.end() && std::get<0>(it->first) == key; ++it)
    out.push_back(&it->second);
  return out;
}

// One RRset or RRSIG group of a rebuilt node.
struct Group {
  uint16_t type;
  uint16_t covered;
  uint32_t ttl;
  std::vector<std::span<const uint8_t>> rdatas;  // canonical order
};

bool has_type(const std::vector<Group>& groups, RRType type) {
  return std::any_of(groups.begin(), groups.end(), [&](const Group& g) { return g.type == code(type); });
}

// One owner of the diff.
struct Owner {
  Name name;
  std::string key;
  size_t pos = 0;  // lower_bound in the base
  bool exists = false;
};

// A range of base nodes [begin, end) to rebuild, and the owners of the
// diff that are not in the base but go inside it.
struct Region {
  size_t begin;
  size_t end;
  std::vector<const Owner*> new_owners;
};

class Patch {
 public:
  Patch(const ZoneVersion& base, const Section& removed, const Section& added, ZoneLimits limits)
      : z_(base), removed_(removed), added_(added), limits_(limits) {}

  Result<std::shared_ptr<const ZoneVersion>> run(const std::vector<Owner>& owners);

 private:
  Result<std::vector<Group>> merged_groups(NameView owner, const std::string& key,
                                           const std::optional<NodeView>& node);
  bool cut_or_dname_changes(const Owner& o);
  Region region_of(const Owner& o);
  Result<void> rebuild_region(const Region& r, LeafWriter& out);
  void copy_nodes(size_t begin, size_t end, LeafWriter& out);

  const ZoneVersion& z_;
  const Section& removed_;
  const Section& added_;
  ZoneLimits limits_;
};

Result<std::vector<Group>> Patch::merged_groups(NameView owner, const std::string& key,
                                                const std::optional<NodeView>& node) {
  std::vector<Group> out;
  if (node) {
    for (size_t i = 0; i < node->rrset_count(); ++i) {
      RRsetView set = node->rrset(i);
      Group g{code(set.type()), code(set.covered()), set.ttl(), {}};
      g.rdatas.reserve(set.size());
      for (size_t j = 0; j < set.size(); ++j) g.rdatas.push_back(set.rdata(j));
      out.push_back(std::move(g));
    }
  }
  auto group_of = [&](const RRset& set, RRType covered) -> Group& {
    auto it = std::find_if(out.begin(), out.end(), [&](const Group& g) {
      return g.type == code(set.type()) && g.covered == code(covered);
    });
    if (it != out.end()) return *it;
    out.push_back(Group{code(set.type()), code(covered), set.ttl(), {}});
    return out.back();
  };
  for (const RRset* set : groups_at(removed_, key)) {
    const RRType covered = covered_of(set->type(), set->rdatas().front());
    Group& g = group_of(*set, covered);
    for (const auto& rd : set->rdatas()) {
      auto it = std::find_if(g.rdatas.begin(), g.rdatas.end(), [&](std::span<const uint8_t> have) {
        return canonical_rdata_compare(set->type(), have, rd) == 0;
      });
      if (it == g.rdatas.end()) {
        return base::make_error(
            Errc::conflict,
            "diff removes an RR of " + describe(owner, set->type(), covered) + " that is not present");
      }
      g.rdatas.erase(it);
    }
  }
  for (const RRset* set : groups_at(added_, key)) {
    const RRType covered = covered_of(set->type(), set->rdatas().front());
    Group& g = group_of(*set, covered);
    for (const auto& rd : set->rdatas()) {
      const bool present = std::any_of(g.rdatas.begin(), g.rdatas.end(), [&](std::span<const uint8_t> have) {
        return canonical_rdata_compare(set->type(), have, rd) == 0;
      });
      if (present) {
        return base::make_error(
            Errc::conflict,
            "diff adds an RR of " + describe(owner, set->type(), covered) + " that is already present");
      }
      g.rdatas.push_back(rd);
    }
    g.ttl = set->ttl();  // an added RRset's TTL is the whole RRset's
    std::sort(g.rdatas.begin(), g.rdatas.end(),
              [&](auto a, auto b) { return canonical_rdata_compare(set->type(), a, b) < 0; });
  }
  std::erase_if(out, [](const Group& g) { return g.rdatas.empty(); });
  std::sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    return std::tie(a.type, a.covered) < std::tie(b.type, b.covered);
  });
  for (const Group& g : out) {
    if (g.rdatas.size() > std::min<size_t>(limits_.max_rrset_size, UINT16_MAX)) {
      return base::make_error(Errc::out_of_range,
                              describe(owner, static_cast<RRType>(g.type), static_cast<RRType>(g.covered)) +
                                  ": more than " + std::to_string(limits_.max_rrset_size) +
                                  " records in one RRset");
    }
  }
  if (out.size() > UINT16_MAX)
    return base::make_error(Errc::out_of_range, owner.to_text() + ": more than 65535 RRsets at one name");
  return out;
}

// Whether the owner's "is a cut" or "owns a DNAME" changes: then every
// name below it changes its flags.
bool Patch::cut_or_dname_changes(const Owner& o) {
  std::optional<NodeView> node;
  if (o.exists) node = z_.node(o.pos);
  auto count_after = [&](RRType type) {
    size_t have = 0;
    if (node) {
      if (auto set = node->find(type)) have = set->size();
    }
    auto gone = removed_.find({o.key, code(type), 0});
    auto fresh = added_.find({o.key, code(type), 0});
    const size_t minus = gone == removed_.end() ? 0 : gone->second.size();
    const size_t plus = fresh == added_.end() ? 0 : fresh->second.size();
    return std::make_pair(have > 0, have + plus > minus);
  };
  const bool apex = o.name == z_.origin();
  auto [ns_before, ns_after] = count_after(RRType::NS);
  auto [dname_before, dname_after] = count_after(RRType::DNAME);
  return (!apex && ns_before != ns_after) || dname_before != dname_after;
}

Region Patch::region_of(const Owner& o) {
  size_t begin = o.pos;
  // Empty non-terminals right above the owner go if it was their only
  // descendant; rebuilding them lets the classifier decide.
  while (begin > 0) {
    NodeView prev = z_.node(begin - 1);
    if (!prev.is_empty_non_terminal() || !o.name.is_subdomain_of(prev.owner())) break;
    --begin;
  }
  size_t end = o.exists ? o.pos + 1 : o.pos;
  if (cut_or_dname_changes(o)) {
    while (end < z_.node_count() && z_.node(end).owner().is_subdomain_of(o.name)) ++end;
  }
  Region r{begin, end, {}};
  if (!o.exists) r.new_owners.push_back(&o);
  return r;
}

void Patch::copy_nodes(size_t begin, size_t end, LeafWriter& out) {
  for (size_t i = begin; i < end; ++i) {
    NodeView node = z_.node(i);
    out.add_node(node.owner(), node.flags());
    for (size_t j = 0; j < node.rrset_count(); ++j) {
      RRsetView set = node.rrset(j);
      out.begin_rrset(code(set.type()), set.ttl());
      for (size_t k = 0; k < set.size(); ++k) out.add_rdata(set.rdata(k));
      out.end_rrset();
    }
  }
}

Result<void> Patch::rebuild_region(const Region& r, LeafWriter& out) {
  // The first name this region opens; its ancestors before the region
  // are the only ones any name of the region can have there.
  NameView first = r.begin < r.end ? z_.node(r.begin).owner() : r.new_owners.front()->name.view();
  if (!r.new_owners.empty() && r.new_owners.front()->name.view() < first)
    first = r.new_owners.front()->name.view();
  NodeClassifier classifier;
  const size_t labels = first.label_count();
  for (size_t k = z_.origin().label_count(); k < labels; ++k) {
    const size_t i = z_.lower_bound(first.strip_left(labels - k));
    if (i >= r.begin) continue;
    NodeView a = z_.node(i);
    if (!(a.owner() == first.strip_left(labels - k))) continue;
    const uint8_t f = a.flags();
    classifier.seed(a.owner(), (f & (kNodeDelegation | kNodeBelowDelegation)) != 0,
                    (f & kNodeBelowDname) != 0 || a.find(RRType::DNAME).has_value());
  }
  auto emit = [&](NameView name, size_t, uint8_t flags) { out.add_node(name, flags); };

  size_t i = r.begin;
  size_t n = 0;  // into new_owners
  while (i < r.end || n < r.new_owners.size()) {
    std::optional<NodeView> node;
    NameView owner;
    std::string key;
    if (n == r.new_owners.size() || (i < r.end && z_.node(i).owner() < r.new_owners[n]->name.view())) {
      node = z_.node(i++);
      owner = node->owner();
      key = owner_key(owner);
    } else {
      owner = r.new_owners[n]->name.view();
      key = r.new_owners[n++]->key;
    }
    auto groups = merged_groups(owner, key, node);
    if (!groups) return std::move(groups).error();
    if (groups->empty()) continue;  // gone, or an empty non-terminal its children bring back
    classifier.open(owner, has_type(*groups, RRType::NS), has_type(*groups, RRType::DNAME), false, emit);
    for (const Group& g : *groups) {
      out.begin_rrset(g.type, g.ttl);
      for (auto rd : g.rdatas) out.add_rdata(rd);
      out.end_rrset();
    }
  }
  if (r.end < z_.node_count()) classifier.open(z_.node(r.end).owner(), false, false, true, emit);
  return base::ok();
}

Result<std::shared_ptr<const ZoneVersion>> Patch::run(const std::vector<Owner>& owners) {
  std::vector<Region> regions;
  for (const Owner& o : owners) {
    Region r = region_of(o);
    if (!regions.empty() && r.begin <= regions.back().end) {
      Region& last = regions.back();
      last.begin = std::min(last.begin, r.begin);
      last.end = std::max(last.end, r.end);
      last.new_owners.insert(last.new_owners.end(), r.new_owners.begin(), r.new_owners.end());
    } else {
      regions.push_back(std::move(r));
    }
  }
  const auto& leaves = ZoneLeafAccess::leaves(z_);
  const size_t nodes = z_.node_count();
  auto leaf_of = [&](size_t i) {
    return i < nodes ? ZoneLeafAccess::locate(z_, i).first : leaves.size() - 1;
  };

  std::vector<ZoneLeafAccess::Span> spans;
  for (size_t k = 0; k < regions.size();) {
    // The leaves this region and any region sharing a leaf with it span.
    const size_t first = leaf_of(regions[k].begin);
    size_t last = regions[k].end > regions[k].begin ? leaf_of(regions[k].end - 1) : first;
    size_t k_end = k + 1;
    while (k_end < regions.size() && leaf_of(regions[k_end].begin) <= last) {
      const Region& r = regions[k_end++];
      last = std::max(last, r.end > r.begin ? leaf_of(r.end - 1) : leaf_of(r.begin));
    }
    const size_t span_begin = ZoneLeafAccess::leaf_start(z_, first);
    const size_t span_end = ZoneLeafAccess::leaf_start(z_, last + 1);
    size_t estimate = span_end - span_begin;
    for (size_t j = k; j < k_end; ++j) estimate += regions[j].new_owners.size();
    const size_t pieces = std::max<size_t>(1, (estimate + kLeafNodes - 1) / kLeafNodes);
    LeafWriter out((estimate + pieces - 1) / pieces);
    size_t i = span_begin;
    for (size_t j = k; j < k_end; ++j) {
      copy_nodes(i, regions[j].begin, out);
      SIGNERD_TRY(rebuild_region(regions[j], out));
      i = regions[j].end;
    }
    copy_nodes(i, span_end, out);
    spans.push_back(ZoneLeafAccess::Span{first, last, std::move(out).finish()});
    k = k_end;
  }
  std::vector<const ZoneLeaf*> rebuilt;
  for (const auto& span : spans) {
    for (const auto& leaf : span.fresh) rebuilt.push_back(leaf.get());
  }

  std::shared_ptr<ZoneVersion> zone = ZoneLeafAccess::patch(z_, std::move(spans));
  if (zone->record_count() > limits_.max_records) {
    return base::make_error(Errc::out_of_range,
                            "zone has more than " + std::to_string(limits_.max_records) + " records");
  }
  SIGNERD_TRY(check_apex(*zone));
  for (const ZoneLeaf* leaf : rebuilt) {
    for (uint32_t j = 0; j < leaf->nodes.size(); ++j) {
      NodeView node = ZoneLeafAccess::view(leaf, j);
      if (!node.is_occluded()) SIGNERD_TRY(check_node_types(node));
    }
  }
  return std::shared_ptr<const ZoneVersion>(std::move(zone));
}

}  // namespace

Result<std::shared_ptr<const ZoneVersion>> apply_diff(const ZoneVersion& current, const ZoneDiff& diff,
                                                      ZoneLimits limits) {
  if (diff.from != current.serial()) {
    return base::make_error(Errc::conflict, "diff from serial " + std::to_string(diff.from) +
                                                " does not apply to serial " +
                                                std::to_string(current.serial()));
  }
  for (const RRset& set : diff.added) SIGNERD_TRY(check_added(current, set));
  auto removed = index_section(diff.removed);
  if (!removed) return std::move(removed).error();
  auto added = index_section(diff.added);
  if (!added) return std::move(added).error();

  // The owners, in canonical order (the sections' keys are canonical).
  std::vector<Owner> owners;
  auto collect = [&](const Section& section) {
    for (const auto& [key, set] : section) {
      if (!owners.empty() && owners.back().key == std::get<0>(key)) continue;
      owners.push_back(Owner{set.owner(), std::get<0>(key)});
    }
  };
  collect(*removed);
  collect(*added);
  std::sort(owners.begin(), owners.end(), [](const Owner& a, const Owner& b) { return a.key < b.key; });
  owners.erase(std::unique(owners.begin(), owners.end(),
                           [](const Owner& a, const Owner& b) { return a.key == b.key; }),
               owners.end());
  for (Owner& o : owners) {
    o.pos = current.lower_bound(o.name);
    o.exists = o.pos < current.node_count() && current.node(o.pos).owner() == o.name;
  }

  Patch patch(current, *removed, *added, limits);
  auto next = patch.run(owners);
  if (!next) return next;
  if ((*next)->serial() != diff.to) {
    return base::make_error(Errc::conflict, "diff ends at serial " + std::to_string((*next)->serial()) +
                                                ", not the announced " + std::to_string(diff.to));
  }
  return next;
}

}  // namespace signerd::dns
