#include "dnssec/verify_chain.hpp"

#include <algorithm>
#include <optional>

#include "dnssec/denial.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/type_bitmap.hpp"

namespace signerd::dnssec::verify_detail {

using base::Errc;
using dns::RRType;

base::Error zone_error(Errc code, const dns::ZoneVersion& zone, dns::NameView owner, RRType type,
                       std::string_view what) {
  std::string detail =
      "zone " + zone.origin().to_text() + ": " + owner.to_text() + " " + dns::to_text(type) + ": ";
  detail += what;
  return base::make_error(code, std::move(detail));
}

std::string types_text(std::span<const RRType> types) {
  std::string out;
  for (RRType t : types) out += (out.empty() ? "" : " ") + dns::to_text(t);
  return out.empty() ? "(none)" : out;
}

bool only_rrsigs(dns::NodeView node) noexcept {
  // Several RRSIG groups (one per covered type) may be all there is.
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    if (node.rrset(i).type() != RRType::RRSIG) return false;
  }
  return node.rrset_count() > 0;
}

std::vector<RRType> expected_bitmap(dns::NodeView node) {
  NodeRole role = role_of(node);
  std::vector<RRType> types;
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    RRType t = node.rrset(i).type();
    if (t == RRType::NSEC3 || (t == RRType::RRSIG && !types.empty() && types.back() == t)) continue;
    // At a cut RRSIG is not authoritative data, but the RRSIGs over DS and
    // NSEC are the parent's and listed (RFC 4034 section 4.1.2).
    if (t == RRType::RRSIG || is_authoritative(role, t)) types.push_back(t);
  }
  std::sort(types.begin(), types.end());
  return types;
}

namespace {

// Names whose NSEC (RFC 4035 section 2.3) must exist: those with
// authoritative data, cuts included; not glue, occluded data or ENTs.
bool wants_nsec(dns::NodeView node) noexcept {
  NodeRole role = role_of(node);
  return node.rrset_count() > 0 && !only_rrsigs(node) && is_authoritative(role, RRType::NSEC);
}

struct NsecRecord {
  dns::Name next;
  std::vector<RRType> types;
};

// NSEC RDATA: uncompressed next domain name, then the bitmap (RFC 4034 4.2).
std::optional<NsecRecord> parse_nsec(std::span<const uint8_t> rdata) {
  size_t pos = 0;
  while (pos < rdata.size() && rdata[pos] != 0) pos += size_t{rdata[pos]} + 1;
  if (pos >= rdata.size()) return std::nullopt;
  auto next = dns::Name::from_wire(rdata.first(pos + 1));
  auto types = parse_type_bitmap(rdata.subspan(pos + 1));
  if (!next || !types) return std::nullopt;
  return NsecRecord{std::move(*next), std::move(*types)};
}

// The one NSEC at `node`, checked on its own: count, TTL, RDATA, bitmap.
base::Result<NsecRecord> check_nsec_at(const dns::ZoneVersion& zone, dns::NodeView node, uint32_t ttl) {
  auto nsec = node.find(RRType::NSEC);
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, zone, node.owner(), RRType::NSEC, what);
  };
  if (!nsec) return fail(Errc::not_found, "no NSEC at a name with authoritative data (RFC 4035 2.3)");
  if (nsec->size() != 1) {
    return fail(Errc::conflict, std::to_string(nsec->size()) + " NSEC records, expected one");
  }
  if (nsec->ttl() != ttl) {
    return fail(Errc::conflict, "TTL " + std::to_string(nsec->ttl()) +
                                    ", expected min(SOA TTL, SOA MINIMUM) " + std::to_string(ttl) +
                                    " (RFC 9077 3)");
  }
  auto record = parse_nsec(nsec->rdata(0));
  if (!record) return fail(Errc::malformed, "RDATA does not parse");
  auto expected = expected_bitmap(node);
  if (record->types != expected) {
    return fail(Errc::conflict,
                "bitmap lists " + types_text(record->types) + " but the name has " + types_text(expected));
  }
  return std::move(*record);
}

}  // namespace

base::Result<size_t> verify_nsec_chain(const dns::ZoneVersion& zone) {
  auto ttl = denial_ttl(zone);
  if (!ttl) return std::move(ttl).error();
  std::optional<size_t> previous;  // node index of the last NSEC owner
  dns::Name previous_next;
  size_t count = 0;
  // Walking the zone in canonical order (RFC 4034 6.1) gives the order the
  // next-name fields must follow, without asking the chain builder.
  for (size_t i = 0; i < zone.node_count(); ++i) {
    dns::NodeView node = zone.node(i);
    if (!wants_nsec(node)) {
      if (node.find(RRType::NSEC)) {
        return zone_error(Errc::conflict, zone, node.owner(), RRType::NSEC,
                          "NSEC at a name without authoritative data (glue, occluded or empty non-terminal)");
      }
      continue;
    }
    auto record = check_nsec_at(zone, node, *ttl);
    if (!record) return std::move(record).error();
    if (previous && !(previous_next == node.owner())) {
      return zone_error(Errc::conflict, zone, zone.node(*previous).owner(), RRType::NSEC,
                        "next name " + previous_next.to_text() + ", but the next name with data is " +
                            node.owner().to_text());
    }
    previous = i;
    previous_next = std::move(record->next);
    ++count;
  }
  // RFC 4034 4.1.1: the last NSEC points back to the apex.
  if (previous && !(previous_next == zone.apex().owner())) {
    return zone_error(Errc::conflict, zone, zone.node(*previous).owner(), RRType::NSEC,
                      "last NSEC has next name " + previous_next.to_text() + ", not the apex");
  }
  return count;
}

}  // namespace signerd::dnssec::verify_detail
