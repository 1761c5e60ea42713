// The NSEC3 half of verify_chain.hpp. The chain is checked from the
// records themselves: their owners and next-hashed-owner fields must form
// one sorted ring, and every name of the zone is hashed here and looked up
// in it, so nothing of nsec3_chain.cpp's selection logic is reused.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "dns/wire.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/nsec3_hash.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"
#include "dnssec/verify_chain.hpp"

namespace signerd::dnssec::verify_detail {
namespace {

using base::Errc;
using dns::RRType;

struct Nsec3Rdata {
  uint8_t algorithm = 0;
  uint8_t flags = 0;
  uint16_t iterations = 0;
  std::span<const uint8_t> salt;
  std::span<const uint8_t> next;
  std::vector<RRType> types;
};

// RFC 5155 section 3.2: algorithm, flags, iterations, salt length, salt,
// hash length, next hashed owner, type bitmap.
std::optional<Nsec3Rdata> parse_nsec3(std::span<const uint8_t> rd) {
  if (rd.size() < 5) return std::nullopt;
  Nsec3Rdata out{rd[0], rd[1], dns::get_u16(rd.data() + 2), {}, {}, {}};
  size_t salt_end = 5 + size_t{rd[4]};
  if (rd.size() < salt_end + 1) return std::nullopt;
  size_t next_end = salt_end + 1 + size_t{rd[salt_end]};
  if (next_end == salt_end + 1 || rd.size() < next_end) return std::nullopt;
  out.salt = rd.subspan(5, rd[4]);
  out.next = rd.subspan(salt_end + 1, next_end - salt_end - 1);
  auto types = parse_type_bitmap(rd.subspan(next_end));
  if (!types) return std::nullopt;
  out.types = std::move(*types);
  return out;
}

// RFC 5155 section 4: one NSEC3PARAM at the apex, flags zero (4.1.2), and
// a hash we can compute (section 11: SHA-1 only).
base::Result<Nsec3Params> read_nsec3param(const dns::ZoneVersion& zone) {
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, zone, zone.apex().owner(), RRType::NSEC3PARAM, what);
  };
  auto param = zone.apex().find(RRType::NSEC3PARAM);
  if (!param) return fail(Errc::not_found, "no NSEC3PARAM at the apex of an NSEC3 zone");
  if (param->size() != 1) {
    return fail(Errc::unsupported, "more than one NSEC3PARAM (a chain change in progress)");
  }
  auto rd = param->rdata(0);
  if (rd.size() < 5 || rd.size() != 5 + size_t{rd[4]}) return fail(Errc::malformed, "RDATA does not parse");
  if (rd[1] != 0) {
    return fail(Errc::conflict, "flags " + std::to_string(rd[1]) + ", must be 0 (RFC 5155 4.1.2)");
  }
  Nsec3Params params{rd[0], dns::get_u16(rd.data() + 2), {rd.begin() + 5, rd.end()}, false};
  if (params.algorithm != kNsec3HashSha1) {
    return fail(Errc::unsupported, "hash algorithm " + std::to_string(params.algorithm));
  }
  return params;
}

struct ChainEntry {
  size_t node;
  std::string label;  // the hashed owner's label, lowercased
  Nsec3Rdata rdata;
  bool used = false;
};

std::string lowered_label(dns::NameView owner) {
  auto label = owner.first_label();
  std::string out(label.begin(), label.end());
  for (char& c : out) c = static_cast<char>(dns::to_lower_octet(static_cast<uint8_t>(c)));
  return out;
}

// One NSEC3 node on its own: where it is, what else is there, its RDATA
// against the NSEC3PARAM (RFC 5155 section 8.2 would ignore a mismatch; a
// zone we sign must not have one).
base::Result<ChainEntry> read_entry(const dns::ZoneVersion& zone, size_t index, const Nsec3Params& params,
                                    uint32_t ttl) {
  dns::NodeView node = zone.node(index);
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, zone, node.owner(), RRType::NSEC3, what);
  };
  auto nsec3 = node.find(RRType::NSEC3);
  if (!(node.owner().parent() == zone.apex().owner()) || node.owner().first_label().size() != 32) {
    return fail(Errc::conflict, "owner is not a hashed label directly below the apex (RFC 5155 3)");
  }
  size_t data_sets = 0;  // RRSIG groups aside
  for (size_t i = 0; i < node.rrset_count(); ++i) data_sets += node.rrset(i).type() != RRType::RRSIG;
  if (data_sets != 1) {
    return fail(Errc::conflict, "other data at an NSEC3 owner");
  }
  if (nsec3->size() != 1) {
    return fail(Errc::conflict, std::to_string(nsec3->size()) + " NSEC3 records, expected one");
  }
  if (nsec3->ttl() != ttl) {
    return fail(Errc::conflict, "TTL " + std::to_string(nsec3->ttl()) + ", expected " + std::to_string(ttl) +
                                    " (RFC 9077 3)");
  }
  auto rd = parse_nsec3(nsec3->rdata(0));
  if (!rd) return fail(Errc::malformed, "RDATA does not parse");
  bool same = rd->algorithm == params.algorithm && rd->iterations == params.iterations &&
              std::equal(rd->salt.begin(), rd->salt.end(), params.salt.begin(), params.salt.end());
  if (!same) return fail(Errc::conflict, "hash algorithm, iterations or salt differ from the NSEC3PARAM");
  if ((rd->flags & ~kNsec3FlagOptOut) != 0) {
    return fail(Errc::conflict, "unknown flags " + std::to_string(rd->flags));
  }
  if (rd->next.size() != kNsec3HashSize) return fail(Errc::conflict, "next hashed owner is not a SHA-1 hash");
  return ChainEntry{index, lowered_label(node.owner()), std::move(*rd)};
}

// Every NSEC3 in canonical order, which for base32hex labels of one length
// is hash order: sorted, with one opt-out setting.
base::Result<std::vector<ChainEntry>> read_chain(const dns::ZoneVersion& zone, const Nsec3Params& params,
                                                 uint32_t ttl) {
  std::vector<ChainEntry> chain;
  for (size_t i = 0; i < zone.node_count(); ++i) {
    if (!zone.node(i).find(RRType::NSEC3)) continue;
    auto entry = read_entry(zone, i, params, ttl);
    if (!entry) return std::move(entry).error();
    if (!chain.empty() && !(chain.back().label < entry->label)) {
      return zone_error(Errc::conflict, zone, zone.node(i).owner(), RRType::NSEC3,
                        "hashes out of order or repeated");
    }
    if (!chain.empty() && (chain.front().rdata.flags != entry->rdata.flags)) {
      return zone_error(Errc::conflict, zone, zone.node(i).owner(), RRType::NSEC3,
                        "opt-out flag differs from the rest of the chain");
    }
    chain.push_back(std::move(*entry));
  }
  if (chain.empty()) {
    return zone_error(Errc::not_found, zone, zone.apex().owner(), RRType::NSEC3,
                      "NSEC3PARAM but no NSEC3 chain");
  }
  return chain;
}

// RFC 5155 section 3.1.7: each next hashed owner is the following record's
// hash, and the last record's is the first's: one closed ring.
base::Result<void> check_ring(const dns::ZoneVersion& zone, const std::vector<ChainEntry>& chain) {
  for (size_t i = 0; i < chain.size(); ++i) {
    const ChainEntry& next = chain[(i + 1) % chain.size()];
    if (base32hex_encode(chain[i].rdata.next) != next.label) {
      return zone_error(Errc::conflict, zone, zone.node(chain[i].node).owner(), RRType::NSEC3,
                        "next hashed owner " + base32hex_encode(chain[i].rdata.next) +
                            ", but the next NSEC3 is " + next.label);
    }
  }
  return base::ok();
}

enum class Need : uint8_t { not_hashed, required, optional, forbidden };

// RFC 5155 section 7.1: every authoritative name and empty non-terminal
// gets an NSEC3; with opt-out an insecure delegation MAY be left out, and so
// may an ENT with nothing but such delegations below it. Occluded names
// never get one.
std::vector<Need> needs(const dns::ZoneVersion& zone, bool opt_out) {
  std::vector<Need> out(zone.node_count(), Need::not_hashed);
  for (size_t i = 0; i < zone.node_count(); ++i) {
    dns::NodeView node = zone.node(i);
    if (node.find(RRType::NSEC3) || only_rrsigs(node)) continue;
    switch (role_of(node)) {
      case NodeRole::apex:
      case NodeRole::authoritative: out[i] = Need::required; break;
      case NodeRole::delegation:
        out[i] = !opt_out || node.find(RRType::DS) ? Need::required : Need::optional;
        break;
      case NodeRole::empty_non_terminal: out[i] = opt_out ? Need::optional : Need::required; break;
      case NodeRole::occluded: out[i] = Need::forbidden; break;
    }
  }
  if (!opt_out) return out;
  size_t apex_labels = zone.apex().owner().label_count();
  for (size_t i = 0; i < zone.node_count(); ++i) {
    if (out[i] != Need::required) continue;
    for (dns::NameView a = zone.node(i).owner(); a.label_count() > apex_labels + 1;) {
      a = a.parent();
      size_t j = zone.lower_bound(a);
      if (j < zone.node_count() && zone.node(j).is_empty_non_terminal() && out[j] == Need::optional)
        out[j] = Need::required;
    }
  }
  return out;
}

// Hashes every name and finds its NSEC3; checks the bitmap of the match.
base::Result<void> check_coverage(const dns::ZoneVersion& zone, const Nsec3Params& params,
                                  std::vector<ChainEntry>& chain) {
  auto hasher = Nsec3Hasher::create(params);
  if (!hasher) return std::move(hasher).error();
  std::unordered_map<std::string, size_t> by_label;
  for (size_t k = 0; k < chain.size(); ++k) by_label.emplace(chain[k].label, k);
  auto need = needs(zone, (chain.front().rdata.flags & kNsec3FlagOptOut) != 0);
  for (size_t i = 0; i < zone.node_count(); ++i) {
    if (need[i] == Need::not_hashed) continue;
    dns::NodeView node = zone.node(i);
    auto hash = hasher->hash(node.owner());
    if (!hash) return std::move(hash).error();
    std::string label = base32hex_encode(*hash);
    auto fail = [&](Errc code, const std::string& what) {
      return zone_error(code, zone, node.owner(), RRType::NSEC3, "(hashed owner " + label + ") " + what);
    };
    auto it = by_label.find(label);
    if (it == by_label.end()) {
      if (need[i] == Need::required) return fail(Errc::not_found, "no NSEC3 for this name (RFC 5155 7.1)");
      continue;
    }
    ChainEntry& entry = chain[it->second];
    if (need[i] == Need::forbidden) return fail(Errc::conflict, "NSEC3 for an occluded name");
    if (entry.used) return fail(Errc::conflict, "hash collides with another name's");
    entry.used = true;
    auto expected = expected_bitmap(node);
    if (entry.rdata.types != expected) {
      return fail(Errc::conflict, "bitmap lists " + types_text(entry.rdata.types) + " but the name has " +
                                      types_text(expected));
    }
  }
  for (const ChainEntry& entry : chain) {
    if (!entry.used) {
      return zone_error(Errc::conflict, zone, zone.node(entry.node).owner(), RRType::NSEC3,
                        "matches no name of the zone");
    }
  }
  return base::ok();
}

}  // namespace

base::Result<size_t> verify_nsec3_chain(const dns::ZoneVersion& zone) {
  auto params = read_nsec3param(zone);
  if (!params) return std::move(params).error();
  auto ttl = denial_ttl(zone);
  if (!ttl) return std::move(ttl).error();
  auto chain = read_chain(zone, *params, *ttl);
  if (!chain) return std::move(chain).error();
  // Coverage before the ring, so that a missing NSEC3 is reported by the
  // name that lost it rather than by its neighbour's next hashed owner.
  SIGNERD_TRY(check_coverage(zone, *params, *chain));
  SIGNERD_TRY(check_ring(zone, *chain));
  return chain->size();
}

}  // namespace signerd::dnssec::verify_detail
