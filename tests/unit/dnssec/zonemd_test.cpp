// ZONEMD (RFC 8976): the digest against the RFC's Appendix A examples, and
// sign_zone / sign_diff publishing a digest of the signed zone that
// ldns-verify-zone (which checks ZONEMD) and dnssec-verify accept.
#include "dnssec/zonemd.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "dns/zone_file.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/zone_signer.hpp"
#include "dnssec_test_util.hpp"
#include "hsm/pem_key_store.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

namespace fs = std::filesystem;
using dns::RRType;

// RFC 8976 Appendix A.1: the simple EXAMPLE zone, SHA-384.
constexpr std::string_view kSimple = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3
                                 a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c )
ns1           3600   IN  A       203.0.113.63
ns2           3600   IN  AAAA    2001:db8::63
)";

// Appendix A.2: occluded data, duplicates, case, a wildcard, a non-apex
// ZONEMD. Its out-of-zone record (foo.test.) is left out here: ZoneBuilder
// refuses it, and the digest excludes it anyway.
constexpr std::string_view kComplex = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 a3b69bad980a3504e1cffcb0fd6397f93848071c93151f55
                                 2ae2f6b1711d4bd2d8b39808226d7b9db71e34b72077f8fe )
ns1           3600   IN  A       203.0.113.63
NS2           3600   IN  AAAA    2001:db8::63
occluded.sub  7200   IN  TXT     "I'm occluded but must be digested"
sub           7200   IN  NS      ns1
duplicate     300    IN  TXT     "I must be digested just once"
duplicate     300    IN  TXT     "I must be digested just once"
UPPERCASE     3600   IN  TXT     "canonicalize uppercase owner names"
*             777    IN  PTR     dont-forget-about-wildcards
mail          3600   IN  MX      20 MAIL1
mail          3600   IN  MX      10 Mail2.Example.
sortme        3600   IN  AAAA    2001:db8::5:61
sortme        3600   IN  AAAA    2001:db8::3:62
sortme        3600   IN  AAAA    2001:db8::4:63
sortme        3600   IN  AAAA    2001:db8::1:65
sortme        3600   IN  AAAA    2001:db8::2:64
non-apex      900    IN  ZONEMD  2018031900 1 1 (
                                 616c6c6f776564206275742069676e6f7265642e20616c6c
                                 6f776564206275742069676e6f7265642e20616c6c6f7765 )
)";

// Appendix A.3: SHA-512 beside private-use algorithm and scheme numbers.
constexpr std::string_view kMultiple = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
example.      86400  IN  NS      ns1.example.
example.      86400  IN  NS      ns2.example.
example.      86400  IN  ZONEMD  2018031900 1 2 (
                                 08cfa1115c7b948c4163a901270395ea226a930cd2cbcf2f
                                 a9a5e6eb85f37c8a4e114d884e66f176eab121cb02db7d65
                                 2e0cc4827e7a3204f166b47e5613fd27 )
example.      86400  IN  ZONEMD  2018031900 1 240 e2d523f654b9422a96c5a8f44607bbee
example.      86400  IN  ZONEMD  2018031900 241 1 e1846540e33a9e4189792d18d5d131f605fc283e
ns1.example.  3600   IN  A       203.0.113.63
ns2.example.  86400  IN  TXT     "This example has multiple digests"
NS2.EXAMPLE.  3600   IN  AAAA    2001:db8::63
)";

// The apex ZONEMD record of `zone` with this scheme and hash algorithm.
std::optional<dns::Rdata> published(const dns::ZoneVersion& zone, uint8_t scheme, uint8_t hash) {
  auto set = zone.apex().find(RRType::ZONEMD);
  for (size_t i = 0; set && i < set->size(); ++i) {
    auto rd = set->rdata(i);
    if (rd.size() > 6 && rd[4] == scheme && rd[5] == hash) return dns::Rdata(rd.begin(), rd.end());
  }
  return std::nullopt;
}

void expect_known_answer(std::string_view text, uint8_t hash) {
  auto zone = testing::zone(text, "example.");
  ASSERT_TRUE(zone);
  auto expected = published(*zone, kZonemdSchemeSimple, hash);
  ASSERT_TRUE(expected);
  auto computed = zonemd_rdata(*zone, kZonemdSchemeSimple, hash);
  ASSERT_TRUE(computed) << computed.error().to_string();
  EXPECT_EQ(testing::to_hex(*computed), testing::to_hex(*expected));
}

TEST(ZonemdDigest, SimpleExampleSha384) { expect_known_answer(kSimple, kZonemdSha384); }
TEST(ZonemdDigest, ComplexExampleSha384) { expect_known_answer(kComplex, kZonemdSha384); }
TEST(ZonemdDigest, MultipleDigestsExampleSha512) { expect_known_answer(kMultiple, kZonemdSha512); }

TEST(ZonemdDigest, UnsupportedParametersAreAnError) {
  auto zone = testing::zone(kSimple, "example.");
  ASSERT_TRUE(zone);
  auto r = zonemd_rdata(*zone, kZonemdSchemeSimple, 240);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::unsupported);
  EXPECT_FALSE(zonemd_rdata(*zone, 241, kZonemdSha384));
}

// kMultiple with a serial SOA bumps can count on, signed with an ED25519 CSK.
class ZonemdSigningTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    keys_ = ZoneKeys{store_.get(), {make_key(hsm::Algorithm::ed25519, 257, KeyRole::csk, "example. csk")}};
    unsigned_ =
        testing::zone(std::string(kMultiple) + "example. 86400 IN ZONEMD 2018031900 1 1 00\n", "example.");
    ASSERT_TRUE(unsigned_);
  }
  // ldns-verify-zone is the verifier that checks ZONEMD digests.
  void expect_valid(const dns::ZoneVersion& z) {
    write(z, "zone.signed");
    if (!testing::have("ldns-verify-zone")) GTEST_SKIP() << "ldns-verify-zone not installed";
    expect_verifiers_accept("zone.signed");
  }
  // The published digests are the ones zonemd_rdata computes now.
  static void expect_digests_match(const dns::ZoneVersion& z) {
    auto set = z.apex().find(RRType::ZONEMD);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->size(), 2u);  // SHA-384 and SHA-512; private-use pairs dropped
    for (uint8_t hash : {kZonemdSha384, kZonemdSha512}) {
      auto computed = zonemd_rdata(z, kZonemdSchemeSimple, hash);
      ASSERT_TRUE(computed) << computed.error().to_string();
      EXPECT_EQ(published(z, kZonemdSchemeSimple, hash), *computed) << int{hash};
    }
  }

  ZoneKeys keys_;
  SigningParams params_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  base::TimePoint now_ = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

TEST_F(ZonemdSigningTest, SignedZoneCarriesADigestOfItselfAndVerifies) {
  auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  expect_digests_match(**signed_zone);
  expect_valid(**signed_zone);
}

TEST_F(ZonemdSigningTest, Nsec3SignedZoneVerifies) {
  params_.denial = Nsec3Params{dnssec::kNsec3HashSha1, 0, {}, false};
  auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  expect_digests_match(**signed_zone);
  expect_valid(**signed_zone);
}

TEST_F(ZonemdSigningTest, ZoneWithoutZonemdGetsNone) {
  auto zone = testing::zone(testing::kCornerZone, "example.");
  ASSERT_TRUE(zone);
  auto signed_zone = sign_zone(*zone, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  EXPECT_FALSE((*signed_zone)->apex().find(RRType::ZONEMD));
}

TEST_F(ZonemdSigningTest, SignDiffRecomputesTheDigest) {
  auto signed_zone = sign_zone(*unsigned_, keys_, params_, now_);
  ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
  auto rs = [](std::string_view text) {
    auto records = testing::records(text, "example.");
    dns::RRset out(records.at(0).owner, records[0].type, dns::RRClass::IN, records[0].ttl);
    for (const auto& r : records) out.add(r.rdata);
    return out;
  };
  const dns::ZoneDiff change{2018031900,
                             2018031901,
                             {rs("example. 86400 SOA ns1 admin 2018031900 1800 900 604800 86400")},
                             {rs("example. 86400 SOA ns1 admin 2018031901 1800 900 604800 86400"),
                              rs("www.example. 3600 A 192.0.2.80")}};
  auto update = sign_diff(*unsigned_, **signed_zone, change, keys_, params_, now_);
  ASSERT_TRUE(update) << update.error().to_string();
  const dns::ZoneVersion& next = *update->signed_next;
  expect_digests_match(next);
  auto rd = published(next, kZonemdSchemeSimple, kZonemdSha384);
  ASSERT_TRUE(rd);
  EXPECT_EQ(testing::to_hex(std::span(*rd).first(4)), "7848b91d");  // serial 2018031901
  expect_valid(next);
}

}  // namespace
}  // namespace signerd::dnssec
