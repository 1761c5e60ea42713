#include "dnssec/nsec3_chain.hpp"

#include <algorithm>

#include "dns/wire.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"

namespace signerd::dnssec {
namespace {

// RFC 5155 7.1: with opt-out, "owner names of unsigned delegations MAY be
// excluded"; we always exclude them, as the opt-out choice intends.
bool needs_nsec3(dns::NodeView node, bool opt_out) noexcept {
  switch (role_of(node)) {
    case NodeRole::apex:
    case NodeRole::authoritative: return true;
    case NodeRole::delegation: return !opt_out || node.find(dns::RRType::DS).has_value();
    case NodeRole::occluded:
    case NodeRole::empty_non_terminal: return false;  // ENTs: decided by their descendants
  }
  return false;
}

}  // namespace

dns::Rdata nsec3_rdata(const Nsec3Params& params, const Nsec3Hash& next, std::span<const dns::RRType> types) {
  dns::Rdata out;
  dns::put_u8(out, params.algorithm);
  dns::put_u8(out, params.opt_out ? kNsec3FlagOptOut : 0);
  dns::put_u16(out, params.iterations);
  dns::put_u8(out, static_cast<uint8_t>(params.salt.size()));
  dns::put_bytes(out, params.salt);
  dns::put_u8(out, static_cast<uint8_t>(next.size()));
  dns::put_bytes(out, next);
  append_type_bitmap(types, out);
  return out;
}

std::vector<size_t> nsec3_node_indices(const dns::ZoneVersion& zone, bool opt_out) {
  // RFC 5155 7.1: every empty non-terminal gets an NSEC3 "unless the empty
  // non-terminal is only derived from an insecure delegation covered by an
  // Opt-Out NSEC3 RR". So an ENT is in when any name below it is. Names
  // below a node follow it in canonical order, so a stack of the ENTs
  // enclosing the current name, not yet known to be needed, decides it in
  // one pass.
  std::vector<char> in(zone.node_count(), 0);
  std::vector<size_t> open_ents;
  for (size_t i = 0; i < zone.node_count(); ++i) {
    dns::NodeView node = zone.node(i);
    while (!open_ents.empty() && !node.owner().is_subdomain_of(zone.node(open_ents.back()).owner())) {
      open_ents.pop_back();
    }
    NodeRole role = role_of(node);
    if (role == NodeRole::empty_non_terminal) {
      if (opt_out) {
        open_ents.push_back(i);
      } else {
        in[i] = 1;
      }
    } else if (needs_nsec3(node, opt_out)) {
      in[i] = 1;
      for (size_t ent : open_ents) in[ent] = 1;
      open_ents.clear();
    }
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i]) out.push_back(i);
  }
  return out;
}

Result<void> sort_hashed_nodes(const dns::ZoneVersion& zone, std::vector<HashedNode>& hashed) {
  std::sort(hashed.begin(), hashed.end(),
            [](const HashedNode& a, const HashedNode& b) { return a.hash < b.hash; });
  for (size_t k = 1; k < hashed.size(); ++k) {
    if (hashed[k].hash == hashed[k - 1].hash) {
      return base::make_error(base::Errc::conflict,
                              "NSEC3 hash collision: " + zone.node(hashed[k - 1].node).owner().to_text() +
                                  " and " + zone.node(hashed[k].node).owner().to_text() + " both hash to " +
                                  base32hex_encode(hashed[k].hash) + "; choose another salt (RFC 5155 7.1)");
    }
  }
  return base::ok();
}

Result<DenialChain> build_nsec3_chain(const dns::ZoneVersion& zone, const Nsec3Params& params,
                                      std::span<const dns::RRType> apex_added) {
  auto ttl = denial_ttl(zone);
  if (!ttl) return std::move(ttl).error();
  auto hasher = Nsec3Hasher::create(params);
  if (!hasher) return std::move(hasher).error();

  std::vector<HashedNode> hashed;
  for (size_t i : nsec3_node_indices(zone, params.opt_out)) {
    auto h = hasher->hash(zone.node(i).owner());
    if (!h) return std::move(h).error();
    hashed.push_back({*h, i});
  }
  SIGNERD_TRY(sort_hashed_nodes(zone, hashed));

  DenialChain chain{dns::RRType::NSEC3, *ttl, {}};
  chain.records.reserve(hashed.size());
  for (size_t k = 0; k < hashed.size(); ++k) {
    const Nsec3Hash& next = hashed[(k + 1) % hashed.size()].hash;
    auto owner = nsec3_owner(hashed[k].hash, zone.origin());
    if (!owner) return std::move(owner).error();
    auto types = denial_types(zone.node(hashed[k].node), apex_added, dns::RRType::NSEC3);
    chain.records.push_back({std::move(*owner), nsec3_rdata(params, next, types)});
  }
  return chain;
}

}  // namespace signerd::dnssec
