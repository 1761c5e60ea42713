#include "dnssec/denial.hpp"

#include <algorithm>

#include "dns/wire.hpp"
#include "dnssec/signing_rules.hpp"

namespace signerd::dnssec {

using dns::RRType;

Result<uint32_t> denial_ttl(const dns::ZoneVersion& zone) {
  auto soa = zone.apex().find(RRType::SOA);
  if (!soa || soa->size() == 0) {
    return base::make_error(base::Errc::not_found,
                            "zone " + zone.origin().to_text() + ": no SOA at the apex");
  }
  auto rdata = soa->rdata(0);
  // MINIMUM is the last of the SOA's five 32-bit fields (RFC 1035 3.3.13).
  if (rdata.size() < 20) {
    return base::make_error(base::Errc::malformed, "zone " + zone.origin().to_text() + ": short SOA RDATA");
  }
  uint32_t minimum = dns::get_u32(rdata.data() + rdata.size() - 4);
  return std::min(soa->ttl(), minimum);
}

std::vector<RRType> denial_types(dns::NodeView node, std::span<const RRType> apex_added, RRType chain_type) {
  NodeRole role = role_of(node);
  std::vector<RRType> types;
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    RRType t = node.rrset(i).type();
    if (t == RRType::RRSIG || t == RRType::NSEC || t == RRType::NSEC3) continue;
    if (is_authoritative(role, t)) types.push_back(t);
  }
  if (role == NodeRole::apex) types.insert(types.end(), apex_added.begin(), apex_added.end());
  // The NSEC record lives at the name it describes; an NSEC3 does not.
  if (chain_type == RRType::NSEC && is_authoritative(role, RRType::NSEC)) types.push_back(RRType::NSEC);
  if (std::any_of(types.begin(), types.end(), [&](RRType t) { return is_signed(role, t); })) {
    types.push_back(RRType::RRSIG);
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

}  // namespace signerd::dnssec
