#include "signerd/zone_steps.hpp"

#include <gtest/gtest.h>

#include "dns/soa.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/nsec3_hash.hpp"

namespace signerd {
namespace {

using dns::RRType;

constexpr std::string_view kZone = R"(
$TTL 300
@    SOA  ns1 hostmaster 2026120301 3600 600 86400 300
@    NS   ns1
ns1  A    192.0.2.1
www  A    192.0.2.80
)";

std::shared_ptr<const dns::ZoneVersion> zone(std::string_view text) {
  dns::ZoneFileOptions options;
  options.origin = *dns::Name::from_text("example.");
  auto r = dns::read_zone_text(text, options);
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.zone;
}

dns::Name name(const char* text) { return *dns::Name::from_text(text); }

uint32_t serial_of(const dns::RRset& soa) { return *dns::soa_serial(soa.rdatas()[0]); }

TEST(ZoneSteps, SoaBumpMovesOnlyTheSerial) {
  auto z = zone(kZone);
  auto bump = soa_bump(*z, 2026120305);
  ASSERT_TRUE(bump) << bump.error().to_string();
  EXPECT_EQ(bump->from, 2026120301u);
  EXPECT_EQ(bump->to, 2026120305u);
  ASSERT_EQ(bump->removed.size(), 1u);
  ASSERT_EQ(bump->added.size(), 1u);
  EXPECT_EQ(serial_of(bump->removed[0]), 2026120301u);
  EXPECT_EQ(serial_of(bump->added[0]), 2026120305u);
  auto next = dns::apply_diff(*z, *bump);
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ((*next)->serial(), 2026120305u);
  EXPECT_EQ((*next)->record_count(), z->record_count());
}

TEST(ZoneSteps, SigningChangeCarriesThePrimarysDataWithOurSerial) {
  auto view = zone(kZone);
  // The primary's IXFR from 2026120301 to 2026120302: www moved, a new SOA.
  auto primary_soa = apex_soa(*view);
  auto new_soa = soa_with_serial(*primary_soa, 2026120302);
  ASSERT_TRUE(new_soa);
  dns::RRset old_www(name("www.example."), RRType::A, dns::RRClass::IN, 300);
  old_www.add(dns::Rdata{192, 0, 2, 80});
  dns::RRset new_www(name("www.example."), RRType::A, dns::RRClass::IN, 300);
  new_www.add(dns::Rdata{192, 0, 2, 81});
  dns::ZoneDiff upstream{2026120301, 2026120302, {*primary_soa, old_www}, {*new_soa, new_www}};
  auto change = signing_change(*view, upstream, 7);
  ASSERT_TRUE(change) << change.error().to_string();
  EXPECT_EQ(change->from, view->serial());
  EXPECT_EQ(change->to, 7u);
  auto next = dns::apply_diff(*view, *change);
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ((*next)->serial(), 7u);
  auto www = (*next)->find(name("www.example."));
  ASSERT_TRUE(www);
  auto a = www->find(RRType::A);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rdata(0)[3], 81);
}

TEST(ZoneSteps, IxfrWithoutANewSoaIsRefused) {
  auto view = zone(kZone);
  auto r = signing_change(*view, dns::ZoneDiff{2026120301, 2026120302, {}, {}}, 7);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::malformed);
}

TEST(ZoneSteps, SigningViewKeepsTheVersionWhenTheSerialsAgree) {
  auto upstream = zone(kZone);
  auto same = signing_view(upstream, upstream->serial());
  ASSERT_TRUE(same);
  EXPECT_EQ(same->get(), upstream.get());
  auto ours = signing_view(upstream, 1);
  ASSERT_TRUE(ours) << ours.error().to_string();
  EXPECT_EQ((*ours)->serial(), 1u);
}

// RRSIG RDATA with only what the expiry scan reads: type covered,
// algorithm, labels, TTL, expiration, inception, key tag, signer.
dns::Rdata rrsig(uint32_t expiration) {
  dns::Rdata rd = {0, 1, 13, 2, 0, 0, 1, 44};
  for (int shift = 24; shift >= 0; shift -= 8) rd.push_back(static_cast<uint8_t>(expiration >> shift));
  rd.insert(rd.end(), {0, 0, 0, 0, 0, 1, 0});
  return rd;
}

TEST(ZoneSteps, EarliestExpirationComparesInSerialArithmetic) {
  dns::RRset sigs(name("www.example."), RRType::RRSIG, dns::RRClass::IN, 300);
  sigs.add(rrsig(0xFFFFFF00u));  // before the 2^32 wrap
  sigs.add(rrsig(0x00000100u));  // after it: later, although smaller
  dns::ZoneDiff diff{1, 2, {}, {sigs}};
  std::optional<uint32_t> earliest;
  fold_added_expirations(diff, earliest);
  EXPECT_EQ(earliest, 0xFFFFFF00u);
  fold_added_expirations(dns::ZoneDiff{1, 2, {}, {}}, earliest);
  EXPECT_EQ(earliest, 0xFFFFFF00u);
  EXPECT_FALSE(earliest_expiration(*zone(kZone)));  // unsigned: none
}

TEST(ZoneSteps, ExpirationTimeIsNearNow) {
  const base::TimePoint now{std::chrono::seconds(1'800'000'000)};
  EXPECT_EQ(expiration_time(1'800'000'000u + 60, now), now + std::chrono::seconds(60));
  EXPECT_EQ(expiration_time(1'800'000'000u - 60, now), now - std::chrono::seconds(60));
  EXPECT_FALSE(expiration_time(std::nullopt, now));
}

TEST(ZoneSteps, ServedSaltIsAdoptedWhenTheParametersAgree) {
  dnssec::Nsec3Params stored{dnssec::kNsec3HashSha1, 0, {0xAB, 0xCD, 0xEF, 0x01}, false};
  auto served = zone(std::string(kZone) + "@ 0 NSEC3PARAM 1 0 0 ABCDEF01\n");
  dnssec::SigningParams params;
  params.denial = dnssec::Nsec3Params{dnssec::kNsec3HashSha1, 0, {1, 2, 3, 4}, true};
  EXPECT_TRUE(adopt_served_salt(params, *served));
  const auto& adopted = std::get<dnssec::Nsec3Params>(params.denial);
  EXPECT_EQ(adopted.salt, stored.salt);
  EXPECT_TRUE(adopted.opt_out);  // a property of the chain, from the policy

  // A policy that changed its salt length or iterations draws anew.
  dnssec::SigningParams longer;
  longer.denial = dnssec::Nsec3Params{dnssec::kNsec3HashSha1, 0, {1, 2, 3, 4, 5, 6, 7, 8}, false};
  EXPECT_FALSE(adopt_served_salt(longer, *served));
  EXPECT_EQ(std::get<dnssec::Nsec3Params>(longer.denial).salt.size(), 8u);
  dnssec::SigningParams more_iterations;
  more_iterations.denial = dnssec::Nsec3Params{dnssec::kNsec3HashSha1, 5, {1, 2, 3, 4}, false};
  EXPECT_FALSE(adopt_served_salt(more_iterations, *served));
  // NSEC, or a zone served without NSEC3PARAM, adopt nothing.
  dnssec::SigningParams nsec;
  EXPECT_FALSE(adopt_served_salt(nsec, *served));
  EXPECT_FALSE(adopt_served_salt(params, *zone(kZone)));
}

TEST(Nsec3Param, RdataRoundTripsAndMalformedIsRefused) {
  dnssec::Nsec3Params p{dnssec::kNsec3HashSha1, 7, {9, 8, 7}, false};
  auto parsed = dnssec::parse_nsec3param_rdata(dnssec::make_nsec3param_rdata(p));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->iterations, 7);
  EXPECT_EQ(parsed->salt, p.salt);
  const std::vector<uint8_t> short_salt = {1, 0, 0, 7, 3, 9, 8};
  EXPECT_FALSE(dnssec::parse_nsec3param_rdata(short_salt));
  const std::vector<uint8_t> trailing = {1, 0, 0, 7, 0, 5};
  EXPECT_FALSE(dnssec::parse_nsec3param_rdata(trailing));
  EXPECT_FALSE(dnssec::parse_nsec3param_rdata(std::vector<uint8_t>{1, 0}));
}

}  // namespace
}  // namespace signerd
