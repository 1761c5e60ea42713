#include "dnssec/verify_zone.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "dns/wire.hpp"
#include "dnssec/digest.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/verify_chain.hpp"
#include "dnssec/verify_signatures.hpp"
#include "hsm/algorithm.hpp"

namespace signerd::dnssec {
namespace {

using base::Errc;
using dns::RRType;
using verify_detail::KeySet;
using verify_detail::zone_error;

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
  auto totals = verify_detail::verify_signatures(signed_zone, *keys, static_cast<uint32_t>(seconds), options);
  if (!totals) return std::move(totals).error();
  report.rrsets = totals->rrsets;
  report.signatures = totals->signatures;
  report.threads = totals->threads;
  return report;
}

}  // namespace signerd::dnssec
