#include "dnssec/verify_zone.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <vector>

#include "dns/wire.hpp"
#include "dnssec/digest.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signing_input.hpp"
#include "dnssec/signing_rules.hpp"
#include "dnssec/verify_chain.hpp"
#include "hsm/algorithm.hpp"
#include "hsm/public_key.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using dns::RRType;
using verify_detail::zone_error;

struct ZoneKey {
  uint16_t tag;
  uint16_t flags;
  hsm::Algorithm algorithm;
  std::span<const uint8_t> public_key;  // into the zone
};

struct KeySet {
  std::vector<ZoneKey> keys;
  std::vector<uint8_t> algorithms;  // of the keys that sign data: zone flag, not revoked
};

// The apex DNSKEY RRset. Keys without the zone flag cannot sign zone data
// (RFC 4034 section 2.1.1) and are left out; a revoked key (RFC 5011
// section 3) may sign only the DNSKEY RRset and brings no algorithm.
base::Result<KeySet> read_keys(const dns::ZoneVersion& zone) {
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, zone, zone.apex().owner(), RRType::DNSKEY, what);
  };
  auto dnskeys = zone.apex().find(RRType::DNSKEY);
  if (!dnskeys) return fail(Errc::not_found, "no DNSKEY RRset at the apex");
  KeySet set;
  for (size_t i = 0; i < dnskeys->size(); ++i) {
    auto fields = parse_dnskey_rdata(dnskeys->rdata(i));
    if (!fields) return fail(Errc::malformed, "RDATA does not parse: " + fields.error().detail);
    uint16_t tag = key_tag(dnskeys->rdata(i));
    if ((fields->flags & kDnskeyZoneKey) == 0) continue;
    std::string key = "key tag " + std::to_string(tag) + " algorithm " + std::to_string(fields->algorithm);
    if (fields->protocol != kDnskeyProtocol)
      return fail(Errc::conflict, key + ": protocol is not 3 (RFC 4034 2.1.2)");
    auto alg = hsm::algorithm_from_number(fields->algorithm);
    if (!alg) return fail(Errc::unsupported, key + ": algorithm we cannot verify");
    set.keys.push_back({tag, fields->flags, *alg, fields->public_key});
    if ((fields->flags & kDnskeyRevoke) == 0) set.algorithms.push_back(fields->algorithm);
  }
  std::sort(set.algorithms.begin(), set.algorithms.end());
  set.algorithms.erase(std::unique(set.algorithms.begin(), set.algorithms.end()), set.algorithms.end());
  if (set.algorithms.empty()) return fail(Errc::not_found, "no usable zone key (zone flag set, not revoked)");
  return set;
}

std::string time_text(uint32_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

// RFC 1982 serial arithmetic, as RFC 4034 section 3.1.5 asks for the
// signature times: a <= b when b is at most 2^31 - 1 seconds after a.
bool serial_le(uint32_t a, uint32_t b) noexcept { return static_cast<int32_t>(b - a) >= 0; }

// What one RRSIG is judged against.
struct SigCheck {
  const RrsigFields& fields;
  dns::NameView owner;
  dns::NameView apex;
  uint32_t ttl;  // of the covered RRset
  uint32_t now;
};

// The field rules of RFC 4035 section 5.3.1, with the signer's side of
// RFC 4034 section 3.1.4 (original TTL); the time rules last.
struct FieldRule {
  bool (*broken)(const SigCheck&);
  std::string (*describe)(const SigCheck&);
};

constexpr FieldRule kFieldRules[] = {
    {[](const SigCheck& c) { return !(c.fields.signer == c.apex); },
     [](const SigCheck& c) { return "signer name " + c.fields.signer.to_text() + " is not the apex"; }},
    {[](const SigCheck& c) { return c.fields.labels != rrsig_labels(c.owner); },
     [](const SigCheck& c) {
       return "labels " + std::to_string(c.fields.labels) + ", expected " +
              std::to_string(rrsig_labels(c.owner));
     }},
    {[](const SigCheck& c) { return c.fields.original_ttl != c.ttl; },
     [](const SigCheck& c) {
       return "original TTL " + std::to_string(c.fields.original_ttl) + " differs from the RRset TTL " +
              std::to_string(c.ttl);
     }},
    {[](const SigCheck& c) { return !serial_le(c.fields.inception, c.fields.expiration); },
     [](const SigCheck& c) {
       return "inception " + time_text(c.fields.inception) + " after expiration " +
              time_text(c.fields.expiration);
     }},
    {[](const SigCheck& c) { return !serial_le(c.fields.inception, c.now); },
     [](const SigCheck& c) {
       return "signature not yet valid (inception " + time_text(c.fields.inception) + ")";
     }},
    {[](const SigCheck& c) { return !serial_le(c.now, c.fields.expiration); },
     [](const SigCheck& c) {
       return "signature expired (expiration " + time_text(c.fields.expiration) + ")";
     }},
};

struct Context {
  const dns::ZoneVersion& zone;
  const KeySet& keys;
  uint32_t now;
  const VerifyOptions& options;
  VerifyReport& report;
};

// One RRSIG over `rrset`; returns the key it verifies with. Key tags are
// not unique (RFC 4034 appendix B), so every key with the tag is tried.
base::Result<const ZoneKey*> check_rrsig(const Context& ctx, dns::NodeView node, dns::RRsetView rrset,
                                         const ParsedRrsig& sig) {
  const RrsigFields& f = sig.fields;
  auto fail = [&](Errc code, const std::string& what) {
    return zone_error(code, ctx.zone, node.owner(), rrset.type(),
                      "RRSIG key tag " + std::to_string(f.key_tag) + " algorithm " +
                          std::to_string(f.algorithm) + ": " + what);
  };
  SigCheck check{f, node.owner(), ctx.zone.apex().owner(), rrset.ttl(), ctx.now};
  for (const FieldRule& rule : kFieldRules) {
    if (rule.broken(check)) return fail(Errc::conflict, rule.describe(check));
  }
  auto input = signing_input(f, node.owner(), ctx.zone.rclass(), rrset);
  if (!input) return fail(input.error().code, input.error().detail);
  bool found = false;
  for (const ZoneKey& key : ctx.keys.keys) {
    if (key.tag != f.key_tag || static_cast<uint8_t>(key.algorithm) != f.algorithm) continue;
    // RFC 5011 section 3: a revoked key signs only the DNSKEY RRset.
    if ((key.flags & kDnskeyRevoke) != 0 && rrset.type() != RRType::DNSKEY) continue;
    found = true;
    if (hsm::verify(key.algorithm, key.public_key, *input, sig.signature)) return &key;
  }
  if (!found) return fail(Errc::conflict, "no such zone key in the DNSKEY RRset");
  return fail(Errc::conflict, "signature does not verify");
}

// RFC 4035 section 2.2 and RFC 6840 section 5.11: a valid RRSIG for each
// algorithm of the zone keys; for the DNSKEY RRset optionally by a SEP key.
base::Result<void> check_rrset(const Context& ctx, dns::NodeView node, dns::RRsetView rrset,
                               std::span<const ParsedRrsig> sigs) {
  ++ctx.report.rrsets;
  bool want_sep = ctx.options.require_sep_for_dnskey && rrset.type() == RRType::DNSKEY;
  std::vector<uint8_t> good;  // algorithms with a valid (SEP, if wanted) RRSIG
  std::optional<base::Error> first_failure;
  for (const ParsedRrsig& sig : sigs) {
    if (sig.fields.type_covered != rrset.type()) continue;
    auto key = check_rrsig(ctx, node, rrset, sig);
    if (!key) {
      if (ctx.options.strict_signatures) return std::move(key).error();
      if (!first_failure) first_failure = std::move(key).error();
      continue;
    }
    ++ctx.report.signatures;
    if (!want_sep || ((*key)->flags & kDnskeySep) != 0) good.push_back(sig.fields.algorithm);
  }
  for (uint8_t alg : ctx.keys.algorithms) {
    if (std::find(good.begin(), good.end(), alg) != good.end()) continue;
    std::string what = std::string("no valid RRSIG") + (want_sep ? " by a SEP key" : "") + " of algorithm " +
                       std::to_string(alg) + " (RFC 4035 2.2)";
    if (first_failure) what += "; " + first_failure->detail;
    return zone_error(Errc::not_found, ctx.zone, node.owner(), rrset.type(), what);
  }
  return base::ok();
}

const char* why_unsigned(NodeRole role) noexcept {
  switch (role) {
    case NodeRole::occluded: return "occluded data (glue, or below a DNAME) is not signed";
    case NodeRole::delegation: return "at a delegation only DS and NSEC are signed (RFC 4035 2.2)";
    default: return "this RRset is not signed";
  }
}

// Every RRSIG at `node` covers an RRset that is there and must be signed,
// with that RRset's TTL (RFC 4034 section 3); then every such RRset has
// its RRSIGs.
base::Result<void> check_node(const Context& ctx, dns::NodeView node) {
  NodeRole role = role_of(node);
  std::vector<ParsedRrsig> sigs;
  for (size_t g = 0; g < node.rrset_count(); ++g) {
    dns::RRsetView rrsigs = node.rrset(g);
    if (rrsigs.type() != RRType::RRSIG) continue;
    for (size_t i = 0; i < rrsigs.size(); ++i) {
      auto sig = parse_rrsig_rdata(rrsigs.rdata(i));
      if (!sig) return zone_error(Errc::malformed, ctx.zone, node.owner(), RRType::RRSIG, sig.error().detail);
      RRType covered = sig->fields.type_covered;
      auto what = [&](const std::string& why) {
        return "RRSIG covering " + dns::to_text(covered) + ": " + why;
      };
      auto covered_set = node.find(covered);
      if (!covered_set || covered == RRType::RRSIG) {
        return zone_error(Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG, what("no such RRset here"));
      }
      if (!is_signed(role, covered)) {
        return zone_error(Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG, what(why_unsigned(role)));
      }
      if (rrsigs.ttl() != covered_set->ttl()) {
        return zone_error(
            Errc::conflict, ctx.zone, node.owner(), RRType::RRSIG,
            what("TTL " + std::to_string(rrsigs.ttl()) + " differs from the covered RRset's TTL " +
                 std::to_string(covered_set->ttl()) + " (RFC 4034 3)"));
      }
      sigs.push_back(std::move(*sig));
    }
  }
  for (size_t i = 0; i < node.rrset_count(); ++i) {
    dns::RRsetView rrset = node.rrset(i);
    if (is_signed(role, rrset.type())) SIGNERD_TRY(check_rrset(ctx, node, rrset, sigs));
  }
  return base::ok();
}

// RFC 8078 section 4: the DELETE forms, "0 0 0 00" and "0 3 0 AA==".
constexpr uint8_t kCdsDelete[] = {0, 0, 0, 0, 0};
constexpr uint8_t kCdnskeyDelete[] = {0, 0, 3, 0, 0};

bool same_octets(std::span<const uint8_t> a, std::span<const uint8_t> b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Whether CDS RDATA `cds` is a digest of DNSKEY RDATA `dnskey` at `owner`
// (RFC 4034 section 5.1.4), the digest recomputed here rather than by the
// signer's DS code. A digest type we do not know matches on key tag and
// algorithm alone.
bool cds_matches(std::span<const uint8_t> cds, dns::NameView owner, std::span<const uint8_t> dnskey) {
  if (cds.size() < 4 || dnskey.size() < 4) return false;
  if (dns::get_u16(cds.data()) != key_tag(dnskey) || cds[2] != dnskey[3]) return false;
  std::optional<DigestAlgorithm> algorithm;
  if (cds[3] == 1) algorithm = DigestAlgorithm::sha1;
  if (cds[3] == 2) algorithm = DigestAlgorithm::sha256;
  if (cds[3] == 4) algorithm = DigestAlgorithm::sha384;
  if (!algorithm) return true;
  const dns::Name canonical_owner = dns::Name(owner).lowercased();
  auto d = digest(*algorithm, {canonical_owner.wire(), dnskey});
  return d && same_octets(*d, cds.subspan(4));
}

// RFC 7344 section 4.1: each apex CDS and CDNSKEY is for a key of the apex
// DNSKEY RRset; or the RRset is the DELETE form, alone (RFC 8078 section 4).
base::Result<void> check_cds_rrset(const dns::ZoneVersion& zone, RRType type) {
  const dns::NodeView apex = zone.apex();
  auto set = apex.find(type);
  auto dnskeys = apex.find(RRType::DNSKEY);
  if (!set || !dnskeys) return base::ok();
  const std::span<const uint8_t> delete_form =
      type == RRType::CDS ? std::span<const uint8_t>(kCdsDelete) : std::span<const uint8_t>(kCdnskeyDelete);
  for (size_t i = 0; i < set->size(); ++i) {
    const auto rd = set->rdata(i);
    if (same_octets(rd, delete_form)) {
      if (set->size() == 1) continue;
      return zone_error(Errc::conflict, zone, apex.owner(), type,
                        "the DELETE form with other records (RFC 8078 section 4)");
    }
    bool found = false;
    for (size_t k = 0; k < dnskeys->size() && !found; ++k) {
      found = type == RRType::CDS ? cds_matches(rd, apex.owner(), dnskeys->rdata(k))
                                  : same_octets(rd, dnskeys->rdata(k));
    }
    if (!found) {
      return zone_error(Errc::conflict, zone, apex.owner(), type,
                        "record " + std::to_string(i) + " is for no key of the DNSKEY RRset (RFC 7344 4.1)");
    }
  }
  return base::ok();
}

// Picks the chain: NSEC3 when the apex has an NSEC3PARAM or any NSEC3
// exists, NSEC otherwise; both at once, or neither, is an error.
base::Result<void> check_denial(const dns::ZoneVersion& zone, VerifyReport& report) {
  bool nsec = false;
  bool nsec3 = zone.apex().find(RRType::NSEC3PARAM).has_value();
  for (size_t i = 0; i < zone.node_count(); ++i) {
    nsec = nsec || zone.node(i).find(RRType::NSEC).has_value();
    nsec3 = nsec3 || zone.node(i).find(RRType::NSEC3).has_value();
  }
  if (nsec && nsec3) {
    return zone_error(Errc::conflict, zone, zone.apex().owner(), RRType::NSEC, "both NSEC and NSEC3 records");
  }
  if (!nsec && !nsec3) {
    return zone_error(Errc::not_found, zone, zone.apex().owner(), RRType::NSEC,
                      "neither an NSEC nor an NSEC3 chain");
  }
  report.denial = nsec ? RRType::NSEC : RRType::NSEC3;
  auto count = nsec ? verify_detail::verify_nsec_chain(zone) : verify_detail::verify_nsec3_chain(zone);
  if (!count) return std::move(count).error();
  report.denial_records = *count;
  return base::ok();
}

}  // namespace

Result<VerifyReport> verify_zone(const dns::ZoneVersion& signed_zone, base::TimePoint now,
                                 const VerifyOptions& options) {
  VerifyReport report;
  auto keys = read_keys(signed_zone);
  if (!keys) return std::move(keys).error();
  report.zone_keys = keys->keys.size();
  report.algorithms = keys->algorithms.size();
  SIGNERD_TRY(check_cds_rrset(signed_zone, RRType::CDS));
  SIGNERD_TRY(check_cds_rrset(signed_zone, RRType::CDNSKEY));
  SIGNERD_TRY(check_denial(signed_zone, report));
  // RFC 4034 3.1.5: the times are seconds since the epoch modulo 2^32.
  auto seconds = static_cast<uint64_t>(now.time_since_epoch().count());
  Context ctx{signed_zone, *keys, static_cast<uint32_t>(seconds), options, report};
  // Canonical order, so the first failure reported is the same on every run.
  for (size_t i = 0; i < signed_zone.node_count(); ++i) SIGNERD_TRY(check_node(ctx, signed_zone.node(i)));
  return report;
}

}  // namespace signerd::dnssec
