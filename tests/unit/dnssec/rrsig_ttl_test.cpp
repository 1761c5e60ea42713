// RFC 4034 section 3: "The TTL value of an RRSIG RR MUST match the TTL
// value of the RRset it covers." A name with A (TTL 300) and TXT (7200),
// an apex whose MX, ZONEMD and NSEC TTLs differ from the SOA's: after
// sign_zone and after sign_diff every RRSIG carries its covered TTL (as
// its own TTL and its original TTL field), our verifier and BIND's and
// ldns's accept the zone, and the master file shows each TTL.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec/zone_signer.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

using dns::RRType;

// SOA minimum 300, so the NSEC TTL (RFC 9077: min of SOA TTL and minimum)
// is 300 while the SOA's is 3600.
constexpr std::string_view kZone = R"(
$ORIGIN example.
$TTL 3600
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
@ 900 MX 10 mail
@ 5000 ZONEMD 1 1 1 00
ns1 A 192.0.2.1
mail 300 A 192.0.2.25
mail 7200 TXT "hello"
)";

class RrsigTtlTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    keys_ = ZoneKeys{store_.get(), {make_key(hsm::Algorithm::ed25519, 257, KeyRole::csk, "example. csk")}};
    unsigned_ = testing::zone(kZone, "example.");
    ASSERT_TRUE(unsigned_);
  }

  // Every RRSIG group: one covered type, the covered RRset's TTL as its
  // TTL and in every original TTL field. Returns the number of groups.
  static size_t expect_covered_ttls(const dns::ZoneVersion& z) {
    size_t groups = 0;
    z.for_each_rrset([&](dns::NodeView node, dns::RRsetView set) {
      if (set.type() != RRType::RRSIG) return;
      ++groups;
      const std::string where = node.owner().to_text() + " RRSIG " + dns::to_text(set.covered());
      auto covered = node.find(set.covered());
      ASSERT_TRUE(covered) << where;
      EXPECT_EQ(set.ttl(), covered->ttl()) << where;
      for (size_t i = 0; i < set.size(); ++i) {
        auto parsed = parse_rrsig_rdata(set.rdata(i));
        ASSERT_TRUE(parsed) << where;
        EXPECT_EQ(parsed->fields.type_covered, set.covered()) << where;
        EXPECT_EQ(parsed->fields.original_ttl, covered->ttl()) << where;
      }
    });
    return groups;
  }
  static uint32_t rrsig_ttl(const dns::ZoneVersion& z, std::string_view owner, RRType covered) {
    auto node = z.find(testing::name(owner));
    EXPECT_TRUE(node) << owner;
    auto set = node ? node->find_rrsig(covered) : std::nullopt;
    EXPECT_TRUE(set) << owner << " RRSIG " << dns::to_text(covered);
    return set ? set->ttl() : 0;
  }
  // Our verifier, then dnssec-verify and ldns-verify-zone on the master
  // file (ldns also checks the ZONEMD digest); returns the file's text.
  std::string expect_valid(const dns::ZoneVersion& z, base::TimePoint now) {
    auto report = verify_zone(z, now);
    EXPECT_TRUE(report) << report.error().to_string();
    std::string text = write(z, "zone.signed");
    expect_verifiers_accept("zone.signed");
    return text;
  }
  static void expect_line(const std::string& text, const std::string& start) {
    EXPECT_NE(text.find("\n" + start), std::string::npos) << "no line " << start << " in\n" << text;
  }

  ZoneKeys keys_;
  SigningParams params_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  base::TimePoint now_ = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

dns::RRset rrset_of(std::string_view text) {
  auto rs = testing::records(text, "example.");
  EXPECT_FALSE(rs.empty()) << text;
  dns::RRset out(rs.at(0).owner, rs[0].type, dns::RRClass::IN, rs[0].ttl);
  for (const auto& r : rs) out.add(r.rdata);
  return out;
}

TEST_F(RrsigTtlTest, SignZoneGivesEachRrsigItsCoveredTtl) {
  for (bool nsec3 : {false, true}) {
    SCOPED_TRACE(nsec3 ? "NSEC3" : "NSEC");
    if (nsec3) params_.denial = Nsec3Params{};
    auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
    ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
    const dns::ZoneVersion& z = **signed_zone;
    EXPECT_GT(expect_covered_ttls(z), 8u);
    EXPECT_EQ(rrsig_ttl(z, "mail.example.", RRType::A), 300u);
    EXPECT_EQ(rrsig_ttl(z, "mail.example.", RRType::TXT), 7200u);
    EXPECT_EQ(rrsig_ttl(z, "example.", RRType::SOA), 3600u);
    EXPECT_EQ(rrsig_ttl(z, "example.", RRType::MX), 900u);
    EXPECT_EQ(rrsig_ttl(z, "example.", RRType::ZONEMD), 5000u);
    if (!nsec3) {
      EXPECT_EQ(rrsig_ttl(z, "example.", RRType::NSEC), 300u);
    }
    const std::string text = expect_valid(z, now_);
    expect_line(text, "mail.example. 300 IN RRSIG A ");
    expect_line(text, "mail.example. 7200 IN RRSIG TXT ");
    expect_line(text, "example. 900 IN RRSIG MX ");
    expect_line(text, "example. 3600 IN RRSIG SOA ");
    expect_line(text, "example. 5000 IN RRSIG ZONEMD ");
  }
}

// A TTL change of one covered RRset moves that RRSIG group only: the
// signed diff leaves the other groups at the name alone.
TEST_F(RrsigTtlTest, SignDiffKeepsEachRrsigAtItsCoveredTtl) {
  auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  dns::ZoneDiff change{1,
                       2,
                       {rrset_of("@ 3600 SOA ns1 hostmaster 1 3600 600 86400 300"),
                        rrset_of("mail 7200 TXT \"hello\""), rrset_of("@ 900 MX 10 mail")},
                       {rrset_of("@ 3600 SOA ns1 hostmaster 2 3600 600 86400 300"),
                        rrset_of("mail 600 TXT \"hello\""), rrset_of("@ 1800 MX 10 mail")}};
  const base::TimePoint later = now_ + std::chrono::minutes(1);
  auto update = sign_diff(*unsigned_, **signed_zone, change, keys_, params_, later);
  ASSERT_TRUE(update) << update.error().to_string();
  const dns::ZoneVersion& z = *update->signed_next;
  expect_covered_ttls(z);
  EXPECT_EQ(rrsig_ttl(z, "mail.example.", RRType::A), 300u);
  EXPECT_EQ(rrsig_ttl(z, "mail.example.", RRType::TXT), 600u);
  EXPECT_EQ(rrsig_ttl(z, "example.", RRType::MX), 1800u);
  EXPECT_EQ(rrsig_ttl(z, "example.", RRType::SOA), 3600u);
  EXPECT_EQ(rrsig_ttl(z, "example.", RRType::NSEC), 300u);
  // The RRSIG over mail's A was kept byte for byte and is not in the diff.
  EXPECT_EQ(z.find(testing::name("mail.example."))
                ->find_rrsig(RRType::A)
                ->to_rrset(testing::name("mail.example."), dns::RRClass::IN),
            (*signed_zone)
                ->find(testing::name("mail.example."))
                ->find_rrsig(RRType::A)
                ->to_rrset(testing::name("mail.example."), dns::RRClass::IN));
  for (const auto* section : {&update->signed_diff.removed, &update->signed_diff.added}) {
    for (const dns::RRset& set : *section) {
      if (set.type() != RRType::RRSIG || !(set.owner() == testing::name("mail.example."))) continue;
      for (const auto& rd : set.rdatas()) EXPECT_EQ(dns::get_u16(rd.data()), dns::code(RRType::TXT));
    }
  }
  // The signed diff replays onto the signed base.
  auto replayed = dns::apply_diff(**signed_zone, update->signed_diff);
  ASSERT_TRUE(replayed) << replayed.error().to_string();
  EXPECT_TRUE(dns::diff_versions(**replayed, z).empty());
  const std::string text = expect_valid(z, later);
  expect_line(text, "mail.example. 300 IN RRSIG A ");
  expect_line(text, "mail.example. 600 IN RRSIG TXT ");
  expect_line(text, "example. 1800 IN RRSIG MX ");
}

// A signed zone whose RRSIGs all share one TTL (as this signer made them
// before per-covered-type groups) is corrected by the next sign_diff
// without new signatures for unchanged RRsets.
TEST_F(RrsigTtlTest, SignDiffCorrectsAnOlderSharedRrsigTtl) {
  auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  dns::ZoneBuilder builder(unsigned_->origin());
  (*signed_zone)->for_each_rrset([&](dns::NodeView node, dns::RRsetView set) {
    const uint32_t ttl = set.type() == RRType::RRSIG ? 300 : set.ttl();
    for (size_t i = 0; i < set.size(); ++i)
      ASSERT_TRUE(builder.add(node.owner(), set.type(), dns::RRClass::IN, ttl, set.rdata(i)));
  });
  auto old_style = std::move(builder).finish();
  ASSERT_TRUE(old_style) << old_style.error().to_string();
  EXPECT_FALSE(verify_zone(**old_style, now_));
  dns::ZoneDiff change{1,
                       2,
                       {rrset_of("@ 3600 SOA ns1 hostmaster 1 3600 600 86400 300")},
                       {rrset_of("@ 3600 SOA ns1 hostmaster 2 3600 600 86400 300")}};
  auto update = sign_diff(*unsigned_, **old_style, change, keys_, params_, now_);
  ASSERT_TRUE(update) << update.error().to_string();
  expect_covered_ttls(*update->signed_next);
  EXPECT_EQ(update->signatures_made, 2u);  // SOA and ZONEMD
  expect_valid(*update->signed_next, now_);
}

}  // namespace
}  // namespace signerd::dnssec
