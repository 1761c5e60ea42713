#include "dnssec/refresh_slice.hpp"

#include <algorithm>
#include <variant>

#include "dnssec/nsec3_hash.hpp"
#include "dnssec/rrsig.hpp"

namespace signerd::dnssec {

namespace {

bool expires_before(const dns::NodeView& node, uint32_t due) {
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    const dns::RRsetView set = node.rrset(i);
    if (set.type() != dns::RRType::RRSIG) continue;
    for (size_t j = 0; j < set.size(); ++j) {
      if (rrsig_expires_before(set.rdata(j), due)) return true;
    }
  }
  return false;
}

}  // namespace

Result<RefreshSlice> next_refresh_slice(const dns::ZoneVersion& unsigned_zone,
                                        const dns::ZoneVersion& signed_zone, const DenialKind& denial,
                                        uint32_t due, const std::optional<dns::Name>& from, size_t max_names,
                                        size_t max_walk) {
  std::optional<Nsec3Hasher> hasher;
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&denial)) {
    auto created = Nsec3Hasher::create(*nsec3);
    if (!created) return std::move(created).error();
    hasher.emplace(std::move(*created));
  }
  const dns::Name origin(unsigned_zone.origin());
  RefreshSlice out;
  size_t i = from ? unsigned_zone.lower_bound(*from) : 0;
  for (; i < unsigned_zone.node_count(); ++i) {
    if (out.names.size() >= std::max<size_t>(max_names, 1) || out.names_walked >= max_walk) break;
    ++out.names_walked;
    const dns::NodeView node = unsigned_zone.node(i);
    bool due_here = false;
    if (auto signed_node = signed_zone.find(node.owner())) due_here = expires_before(*signed_node, due);
    if (!due_here && hasher) {
      auto hash = hasher->hash(node.owner());
      if (!hash) return std::move(hash).error();
      auto hashed = nsec3_owner(*hash, origin);
      if (!hashed) return std::move(hashed).error();
      if (auto hashed_node = signed_zone.find(*hashed)) due_here = expires_before(*hashed_node, due);
    }
    if (due_here) out.names.emplace_back(node.owner());
  }
  if (i < unsigned_zone.node_count()) out.next = dns::Name(unsigned_zone.node(i).owner());
  return out;
}

}  // namespace signerd::dnssec
