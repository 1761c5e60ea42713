#include "dns/zone_diff.hpp"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "dns/rdata_schema.hpp"
#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

// Canonical owner key, type, and for RRSIG the type covered: RRSIGs are
// one group per covered type, each with its own TTL (zone_version.hpp).
using RRsetKey = std::tuple<std::string, uint16_t, uint16_t>;

RRsetKey key_of(NameView owner, RRType type, RRType covered) {
  std::string k;
  owner.append_canonical_key(k);
  return {std::move(k), code(type), code(covered)};
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
Result<std::map<RRsetKey, RRset>> index_section(const std::vector<RRset>& section) {
  std::map<RRsetKey, RRset> out;
  for (const RRset& set : section) {
    for (const auto& rd : set.rdatas()) {
      const RRType covered = covered_of(set.type(), rd);
      auto [it, inserted] = out.try_emplace(key_of(set.owner(), set.type(), covered), set.owner(), set.type(),
                                            set.rclass(), set.ttl());
      if (!it->second.add(rd)) {
        return base::make_error(
            base::Errc::conflict,
            "diff lists an RR of " + describe(set.owner(), set.type(), covered) + " twice");
      }
      if (!inserted) it->second.set_ttl(set.ttl());
    }
  }
  return out;
}

// The RRset (or RRSIG group) of `key` in `zone`.
std::optional<RRsetView> find_group(const ZoneVersion& zone, NameView owner, RRType type, RRType covered) {
  auto node = zone.find(owner);
  if (!node) return std::nullopt;
  return type == RRType::RRSIG ? node->find_rrsig(covered) : node->find(type);
}

}  // namespace

Result<std::shared_ptr<const ZoneVersion>> apply_diff(const ZoneVersion& current, const ZoneDiff& diff,
                                                      ZoneLimits limits) {
  using base::Errc;
  if (diff.from != current.serial()) {
    return base::make_error(Errc::conflict, "diff from serial " + std::to_string(diff.from) +
                                                " does not apply to serial " +
                                                std::to_string(current.serial()));
  }
  auto removed = index_section(diff.removed);
  if (!removed) return std::move(removed).error();
  auto added = index_section(diff.added);
  if (!added) return std::move(added).error();

  ZoneBuilder builder(current.origin(), current.rclass(), limits);
  size_t removed_found = 0;
  Result<void> status;
  current.for_each_rrset([&](const NodeView& node, const RRsetView& set) {
    if (!status) return;
    RRsetKey key = key_of(node.owner(), set.type(), set.covered());
    auto rem = removed->find(key);
    auto add = added->find(key);
    uint32_t ttl = add != added->end() ? add->second.ttl() : set.ttl();
    for (size_t i = 0; i < set.size(); ++i) {
      auto rd = set.rdata(i);
      if (rem != removed->end() && rem->second.contains(rd)) {
        ++removed_found;
        continue;
      }
      if (add != added->end() && add->second.contains(rd)) {
        status = base::make_error(Errc::conflict, "diff adds an RR of " +
                                                      describe(node.owner(), set.type(), set.covered()) +
                                                      " that is already present");
        return;
      }
      status = builder.add(node.owner(), set.type(), current.rclass(), ttl, rd);
      if (!status) return;
    }
  });
  SIGNERD_TRY(status);
  size_t removed_total = 0;
  for (const auto& [k, set] : *removed) removed_total += set.size();
  if (removed_found != removed_total) {
    for (const auto& [k, set] : *removed) {
      const auto covered = static_cast<RRType>(std::get<2>(k));
      auto present = find_group(current, set.owner(), set.type(), covered);
      for (const auto& rd : set.rdatas()) {
        bool found = false;
        if (present) {
          for (size_t i = 0; i < present->size() && !found; ++i) {
            found = canonical_rdata_compare(set.type(), present->rdata(i), rd) == 0;
          }
        }
        if (!found) {
          return base::make_error(
              Errc::conflict,
              "diff removes an RR of " + describe(set.owner(), set.type(), covered) + " that is not present");
        }
      }
    }
  }
  for (const auto& [k, set] : *added) SIGNERD_TRY(builder.add(set));

  auto next = std::move(builder).finish();
  if (!next) return std::move(next).error();
  if ((*next)->serial() != diff.to) {
    return base::make_error(Errc::conflict, "diff ends at serial " + std::to_string((*next)->serial()) +
                                                ", not the announced " + std::to_string(diff.to));
  }
  return next;
}

namespace {

// Appends the differences of one RRset present in `from` and/or `to`.
void diff_rrsets(NameView owner, RRClass rclass, const RRsetView* a, const RRsetView* b, ZoneDiff& out) {
  RRType type = a != nullptr ? a->type() : b->type();
  if (a == nullptr || b == nullptr || a->ttl() != b->ttl()) {
    if (a != nullptr) out.removed.push_back(a->to_rrset(owner, rclass));
    if (b != nullptr) out.added.push_back(b->to_rrset(owner, rclass));
    return;
  }
  RRset gone(Name(owner), type, rclass, a->ttl());
  RRset fresh(Name(owner), type, rclass, b->ttl());
  size_t i = 0;
  size_t j = 0;
  // Both sides are in canonical order: one merge pass.
  while (i < a->size() || j < b->size()) {
    std::strong_ordering c = i == a->size()   ? std::strong_ordering::greater
                             : j == b->size() ? std::strong_ordering::less
                                              : canonical_rdata_compare(type, a->rdata(i), b->rdata(j));
    if (c < 0) {
      gone.add(a->rdata(i++));
    } else if (c > 0) {
      fresh.add(b->rdata(j++));
    } else {
      ++i;
      ++j;
    }
  }
  if (!gone.empty()) out.removed.push_back(std::move(gone));
  if (!fresh.empty()) out.added.push_back(std::move(fresh));
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

}  // namespace signerd::dns
