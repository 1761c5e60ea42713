#include "signerd/zone_steps.hpp"

#include <span>
#include <utility>

#include "dns/soa.hpp"
#include "dns/wire.hpp"
#include "dnssec/nsec3_hash.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;

void fold_expiration(std::span<const uint8_t> rrsig_rdata, std::optional<uint32_t>& earliest) {
  // RRSIG RDATA: the expiration is at offset 8 (RFC 4034 section 3.1).
  if (rrsig_rdata.size() < 12) return;
  const uint32_t expiration = dns::get_u32(rrsig_rdata.data() + 8);
  if (!earliest || static_cast<int32_t>(expiration - *earliest) < 0) earliest = expiration;
}

}  // namespace

std::optional<dns::RRset> apex_soa(const dns::ZoneVersion& zone) {
  auto soa = zone.apex().find(dns::RRType::SOA);
  if (!soa) return std::nullopt;
  return soa->to_rrset(zone.origin(), zone.rclass());
}

base::Result<dns::RRset> soa_with_serial(const dns::RRset& soa, uint32_t serial) {
  if (soa.size() != 1)
    return make_error(Errc::malformed, "SOA RRset holds " + std::to_string(soa.size()) + " RRs");
  auto rdata = dns::soa_with_serial(soa.rdatas()[0], serial);
  if (!rdata) return make_error(Errc::malformed, "malformed SOA RDATA");
  dns::RRset out(soa.owner(), soa.type(), soa.rclass(), soa.ttl());
  out.add(*rdata);
  return out;
}

base::Result<dns::ZoneDiff> soa_bump(const dns::ZoneVersion& view, uint32_t serial) {
  auto soa = apex_soa(view);
  if (!soa) return make_error(Errc::malformed, "the signing view has no SOA");
  auto ours = soa_with_serial(*soa, serial);
  if (!ours) return std::move(ours).error();
  dns::ZoneDiff change{view.serial(), serial, {}, {}};
  change.removed.push_back(std::move(*soa));
  change.added.push_back(std::move(*ours));
  return change;
}

base::Result<dns::ZoneDiff> signing_change(const dns::ZoneVersion& view, dns::ZoneDiff upstream,
                                           uint32_t serial) {
  std::optional<dns::RRset> new_soa;
  for (const auto& rrset : upstream.added)
    if (rrset.type() == dns::RRType::SOA) new_soa = rrset;
  if (!new_soa) return make_error(Errc::malformed, "IXFR without a new SOA");
  auto view_soa = apex_soa(view);
  if (!view_soa) return make_error(Errc::malformed, "the signing view has no SOA");
  dns::ZoneDiff change{view.serial(), serial, {}, {}};
  for (auto& rrset : upstream.removed)
    if (rrset.type() != dns::RRType::SOA) change.removed.push_back(std::move(rrset));
  for (auto& rrset : upstream.added)
    if (rrset.type() != dns::RRType::SOA) change.added.push_back(std::move(rrset));
  change.removed.push_back(std::move(*view_soa));
  auto ours = soa_with_serial(*new_soa, serial);
  if (!ours) return std::move(ours).error();
  change.added.push_back(std::move(*ours));
  return change;
}

base::Result<std::shared_ptr<const dns::ZoneVersion>> signing_view(
    std::shared_ptr<const dns::ZoneVersion> upstream, uint32_t serial) {
  if (serial == upstream->serial()) return upstream;
  auto soa = apex_soa(*upstream);
  if (!soa) return make_error(Errc::malformed, "transferred zone has no SOA");
  auto ours = soa_with_serial(*soa, serial);
  if (!ours) return std::move(ours).error();
  dns::ZoneDiff rewrite{upstream->serial(), serial, {std::move(*soa)}, {std::move(*ours)}};
  return dns::apply_diff(*upstream, rewrite);
}

std::optional<uint32_t> earliest_expiration(const dns::ZoneVersion& zone) {
  std::optional<uint32_t> earliest;
  zone.for_each_rrset([&](const dns::NodeView&, const dns::RRsetView& rrset) {
    if (rrset.type() != dns::RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) fold_expiration(rrset.rdata(i), earliest);
  });
  return earliest;
}

void fold_added_expirations(const dns::ZoneDiff& diff, std::optional<uint32_t>& earliest) {
  for (const auto& rrset : diff.added)
    if (rrset.type() == dns::RRType::RRSIG)
      for (const auto& rdata : rrset.rdatas()) fold_expiration(rdata, earliest);
}

std::optional<base::TimePoint> expiration_time(std::optional<uint32_t> expiration, base::TimePoint now) {
  if (!expiration) return std::nullopt;
  const auto now32 = static_cast<uint32_t>(now.time_since_epoch().count());
  return now + std::chrono::seconds{static_cast<int32_t>(*expiration - now32)};
}

bool adopt_served_salt(dnssec::SigningParams& params, const dns::ZoneVersion& served) {
  auto* wanted = std::get_if<dnssec::Nsec3Params>(&params.denial);
  if (wanted == nullptr) return false;
  auto nsec3param = served.apex().find(dns::RRType::NSEC3PARAM);
  if (!nsec3param || nsec3param->size() != 1) return false;
  auto stored = dnssec::parse_nsec3param_rdata(nsec3param->rdata(0));
  if (!stored || stored->algorithm != wanted->algorithm || stored->iterations != wanted->iterations ||
      stored->salt.size() != wanted->salt.size())
    return false;
  wanted->salt = std::move(stored->salt);
  return true;
}

}  // namespace signerd
