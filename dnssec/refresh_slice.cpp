#include "dnssec/refresh_slice.hpp"

#include <algorithm>
#include <variant>

#include "dns/wire.hpp"
#include "dnssec/nsec3_hash.hpp"
#include "dnssec/resign_rules.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/zone_signer.hpp"

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

// The (algorithm, key tag) of each RRSIG, sorted (RFC 4034 3.1).
using Signers = std::vector<detail::KeyId>;
Signers signers_of(const dns::RRsetView& rrsigs) {
  Signers out;
  for (size_t j = 0; j < rrsigs.size(); ++j) {
    const auto rd = rrsigs.rdata(j);
    if (rd.size() < 18) continue;
    out.emplace_back(rd[2], dns::get_u16(rd.data() + 16));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool signed_by_other_keys(const dns::NodeView& node, const Signers& zone_signers) {
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    const dns::RRsetView set = node.rrset(i);
    if (set.type() != dns::RRType::RRSIG || signed_by_ksk(set.covered())) continue;
    if (signers_of(set) != zone_signers) return true;
  }
  return false;
}

Signers apex_soa_signers(const dns::ZoneVersion& signed_zone) {
  auto rrsigs = signed_zone.apex().find_rrsig(dns::RRType::SOA);
  return rrsigs ? signers_of(*rrsigs) : Signers{};
}

}  // namespace

std::optional<dns::Name> first_stale_signature(const dns::ZoneVersion& signed_zone) {
  const Signers zone_signers = apex_soa_signers(signed_zone);
  for (size_t i = 0; i < signed_zone.node_count(); ++i) {
    const dns::NodeView node = signed_zone.node(i);
    if (signed_by_other_keys(node, zone_signers)) return dns::Name(node.owner());
  }
  return std::nullopt;
}

Result<RefreshSlice> next_refresh_slice(const dns::ZoneVersion& unsigned_zone,
                                        const dns::ZoneVersion& signed_zone, const DenialKind& denial,
                                        uint32_t due, const std::optional<dns::Name>& from, size_t max_names,
                                        size_t max_walk, StaleSigners stale) {
  std::optional<Nsec3Hasher> hasher;
  if (const auto* nsec3 = std::get_if<Nsec3Params>(&denial)) {
    auto created = Nsec3Hasher::create(*nsec3);
    if (!created) return std::move(created).error();
    hasher.emplace(std::move(*created));
  }
  const dns::Name origin(unsigned_zone.origin());
  const Signers zone_signers = apex_soa_signers(signed_zone);
  auto due_at = [&](const dns::NodeView& signed_node) {
    return expires_before(signed_node, due) ||
           (stale == StaleSigners::due && signed_by_other_keys(signed_node, zone_signers));
  };
  RefreshSlice out;
  size_t i = from ? unsigned_zone.lower_bound(*from) : 0;
  for (; i < unsigned_zone.node_count(); ++i) {
    if (out.names.size() >= std::max<size_t>(max_names, 1) || out.names_walked >= max_walk) break;
    ++out.names_walked;
    const dns::NodeView node = unsigned_zone.node(i);
    bool due_here = false;
    if (auto signed_node = signed_zone.find(node.owner())) due_here = due_at(*signed_node);
    if (!due_here && hasher) {
      auto hash = hasher->hash(node.owner());
      if (!hash) return std::move(hash).error();
      auto hashed = nsec3_owner(*hash, origin);
      if (!hashed) return std::move(hashed).error();
      if (auto hashed_node = signed_zone.find(*hashed)) due_here = due_at(*hashed_node);
    }
    if (due_here) out.names.emplace_back(node.owner());
  }
  if (i < unsigned_zone.node_count()) out.next = dns::Name(unsigned_zone.node(i).owner());
  return out;
}

}  // namespace signerd::dnssec
