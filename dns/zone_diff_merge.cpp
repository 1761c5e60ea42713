#include "dns/zone_diff_merge.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace signerd::dns {
namespace {

// Net change of one RRset relative to the first step's base: RRs of the
// base that are gone (at the base's TTL) and RRs that are new (at the TTL
// of the latest step that added to the set, which apply_diff gives the
// whole set).
struct NetChange {
  std::optional<RRset> removed;
  std::optional<RRset> added;
};

using Key = std::pair<std::string, uint16_t>;  // canonical owner key, type

Key key_of(const RRset& set) {
  std::string k;
  set.owner().view().append_canonical_key(k);
  return {std::move(k), code(set.type())};
}

RRset empty_like(const RRset& set) { return RRset(set.owner(), set.type(), set.rclass(), set.ttl()); }

void remove_rr(NetChange& net, const RRset& from, std::span<const uint8_t> rd) {
  if (net.added && net.added->remove(rd)) return;  // added by an earlier step: the two cancel
  if (!net.removed) net.removed = empty_like(from);
  net.removed->add(rd);
}

void add_rr(NetChange& net, const RRset& from, std::span<const uint8_t> rd) {
  if (net.removed && net.removed->ttl() == from.ttl() && net.removed->remove(rd)) return;
  if (!net.added) net.added = empty_like(from);
  net.added->add(rd);
}

}  // namespace

ZoneDiff merge_diffs(std::span<const ZoneDiff> steps) {
  ZoneDiff out;
  if (steps.empty()) return out;
  out.from = steps.front().from;
  out.to = steps.back().to;
  std::map<Key, NetChange> changes;
  for (const ZoneDiff& step : steps) {
    for (const RRset& set : step.removed) {
      NetChange& net = changes[key_of(set)];
      for (const auto& rd : set.rdatas()) remove_rr(net, set, rd);
    }
    for (const RRset& set : step.added) {
      NetChange& net = changes[key_of(set)];
      for (const auto& rd : set.rdatas()) add_rr(net, set, rd);
      if (net.added) net.added->set_ttl(set.ttl());
    }
  }
  for (auto& [key, net] : changes) {
    if (net.removed && !net.removed->empty()) out.removed.push_back(std::move(*net.removed));
    if (net.added && !net.added->empty()) out.added.push_back(std::move(*net.added));
  }
  return out;
}

}  // namespace signerd::dns
