#include "dnssec/nsec_chain.hpp"

#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"

namespace signerd::dnssec {
namespace {

bool has_nsec(dns::NodeView node) noexcept {
  NodeRole role = role_of(node);
  return node.rrset_count() > 0 && is_authoritative(role, dns::RRType::NSEC);
}

}  // namespace

Result<DenialChain> build_nsec_chain(const dns::ZoneVersion& zone, std::span<const dns::RRType> apex_added) {
  auto ttl = denial_ttl(zone);
  if (!ttl) return std::move(ttl).error();

  std::vector<size_t> owners;
  for (size_t i = 0; i < zone.node_count(); ++i) {
    if (has_nsec(zone.node(i))) owners.push_back(i);
  }

  DenialChain chain{dns::RRType::NSEC, *ttl, {}};
  chain.records.reserve(owners.size());
  for (size_t k = 0; k < owners.size(); ++k) {
    dns::NodeView node = zone.node(owners[k]);
    // The last NSEC points back to the apex, node 0 (RFC 4034 4.1.1).
    dns::NameView next = zone.node(k + 1 < owners.size() ? owners[k + 1] : 0).owner();
    DenialRecord record{dns::Name(node.owner()), {}};
    record.rdata.assign(next.wire().begin(), next.wire().end());
    append_type_bitmap(denial_types(node, apex_added, dns::RRType::NSEC), record.rdata);
    chain.records.push_back(std::move(record));
  }
  return chain;
}

}  // namespace signerd::dnssec
