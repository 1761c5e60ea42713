// verify_zone on several threads judged against itself on one: the same
// report for valid zones of every size, and for broken ones the same
// error, the first in canonical order, whatever the thread count.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dns/wire.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/nsec3_hash.hpp"
#include "dnssec/verify_signatures.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec/zone_signer.hpp"
#include "dnssec_test_util.hpp"
#include "hsm/pem_key_store.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::KeyRole;
using ZonePtr = std::shared_ptr<const dns::ZoneVersion>;

constexpr size_t kThreadCounts[] = {1, 2, 3, 8};

base::TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// `names` names below big.example.: A everywhere, AAAA on a third, TXT on
// a seventh, a delegation (glue, DS on every other one) on a twentieth, a
// wildcard and a CNAME now and then.
std::string generated_zone(size_t names) {
  std::string z =
      "$ORIGIN big.example.\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A "
      "192.0.2.1\n";
  for (size_t i = 0; i < names; ++i) {
    const std::string n = "h" + std::to_string(i);
    const std::string ip = std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255);
    if (i % 20 == 10) {
      z += n + " NS ns." + n + "\nns." + n + " A 10.1." + ip + "\n";
      if (i % 40 == 10) z += n + " DS 12345 13 2 " + std::string(64, 'A') + "\n";
      continue;
    }
    if (i % 97 == 5) z += "*." + n + " MX 10 ns1\n";
    if (i % 53 == 7) {
      z += n + " CNAME ns1\n";
      continue;
    }
    z += n + " A 10.0." + ip + "\n";
    if (i % 3 == 0) z += n + " 300 AAAA 2001:db8::" + std::to_string(i % 9000 + 1) + "\n";
    if (i % 7 == 0) z += n + " TXT \"name " + std::to_string(i) + "\"\n";
  }
  return z;
}

// Signed zones shared by the tests of the suite: signing them once keeps
// the suite short.
struct SignedZones {
  ZonePtr corner_nsec, corner_nsec3, small_nsec, small_nsec3, large_nsec, large_nsec3;
};

class VerifyParallelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "signerd-verify-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    const std::filesystem::path dir = tmpl;
    auto store = hsm::PemKeyStore::create((dir / "keys").string());
    ASSERT_TRUE(store) << store.error().to_string();
    auto key = (*store)->generate(hsm::KeySpec{hsm::Algorithm::ecdsap256sha256, 2048, {}, "csk"});
    ASSERT_TRUE(key) << key.error().to_string();
    const ZoneKeys keys{store->get(), {testing::signing_key(key->uri, 257, KeyRole::csk)}};
    SigningParams nsec3;
    nsec3.denial = Nsec3Params{kNsec3HashSha1, 0, {0xab}, true};
    auto sign = [&](std::string_view text, std::string_view origin, const SigningParams& params) {
      auto unsigned_zone = testing::zone(text, origin);
      EXPECT_TRUE(unsigned_zone);
      if (!unsigned_zone) return ZonePtr();
      auto signed_zone = sign_zone(*unsigned_zone, keys, params, now_, 2);
      EXPECT_TRUE(signed_zone) << signed_zone.error().to_string();
      return signed_zone ? *signed_zone : nullptr;
    };
    zones_ = new SignedZones;
    zones_->corner_nsec = sign(testing::kCornerZone, "example.", {});
    zones_->corner_nsec3 = sign(testing::kCornerZone, "example.", nsec3);
    zones_->small_nsec = sign(generated_zone(300), "big.example.", {});
    zones_->small_nsec3 = sign(generated_zone(300), "big.example.", nsec3);
    zones_->large_nsec = sign(generated_zone(2000), "big.example.", {});
    zones_->large_nsec3 = sign(generated_zone(2000), "big.example.", nsec3);
    std::filesystem::remove_all(dir);
  }
  static void TearDownTestSuite() {
    delete zones_;
    zones_ = nullptr;
  }

  static Result<VerifyReport> verify(const dns::ZoneVersion& zone, size_t threads) {
    VerifyOptions options;
    options.threads = threads;
    return verify_zone(zone, now_, options);
  }

  // Every thread count gives the one-thread report, field by field.
  static void expect_same_report(const ZonePtr& zone, RRType denial) {
    ASSERT_TRUE(zone);
    auto one = verify(*zone, 1);
    ASSERT_TRUE(one) << one.error().to_string();
    EXPECT_EQ(one->denial, denial);
    EXPECT_EQ(one->threads, 1u);
    EXPECT_GT(one->signatures, 0u);
    for (size_t threads : kThreadCounts) {
      auto many = verify(*zone, threads);
      ASSERT_TRUE(many) << "threads " << threads << ": " << many.error().to_string();
      EXPECT_EQ(many->denial, one->denial) << threads;
      EXPECT_EQ(many->zone_keys, one->zone_keys) << threads;
      EXPECT_EQ(many->algorithms, one->algorithms) << threads;
      EXPECT_EQ(many->rrsets, one->rrsets) << threads;
      EXPECT_EQ(many->signatures, one->signatures) << threads;
      EXPECT_EQ(many->denial_records, one->denial_records) << threads;
      EXPECT_EQ(many->threads, verify_detail::verify_threads(threads, zone->node_count())) << threads;
    }
  }

  // Every thread count, twice each, fails with the one-thread error.
  static base::Error expect_same_error(const dns::ZoneVersion& zone) {
    auto one = verify(zone, 1);
    EXPECT_FALSE(one) << "a broken zone verified";
    if (one) return base::Error{};
    for (int round = 0; round < 2; ++round) {
      for (size_t threads : kThreadCounts) {
        auto many = verify(zone, threads);
        EXPECT_FALSE(many) << "threads " << threads << " accepted the zone";
        if (many) continue;
        EXPECT_EQ(many.error().code, one.error().code) << threads;
        EXPECT_EQ(many.error().detail, one.error().detail) << threads;
      }
    }
    return one.error();
  }

  static SignedZones* zones_;
  static base::TimePoint now_;
};

SignedZones* VerifyParallelTest::zones_ = nullptr;
base::TimePoint VerifyParallelTest::now_ = system_now();

// A copy of `zone` in which edit(node index, RRSIG RDATA) may change the
// RDATA of each RRSIG.
using RrsigEdit = std::function<void(size_t, std::vector<uint8_t>&)>;
ZonePtr copy_editing_rrsigs(const dns::ZoneVersion& zone, const RrsigEdit& edit) {
  dns::ZoneBuilder builder{dns::Name(zone.origin())};
  for (size_t i = 0; i < zone.node_count(); ++i) {
    dns::NodeView node = zone.node(i);
    for (size_t g = 0; g < node.rrset_count(); ++g) {
      dns::RRsetView set = node.rrset(g);
      for (size_t k = 0; k < set.size(); ++k) {
        std::vector<uint8_t> rdata(set.rdata(k).begin(), set.rdata(k).end());
        if (set.type() == RRType::RRSIG) edit(i, rdata);
        auto added = builder.add(node.owner(), set.type(), zone.rclass(), set.ttl(), rdata);
        EXPECT_TRUE(added) << added.error().to_string();
      }
    }
  }
  auto built = std::move(builder).finish();
  EXPECT_TRUE(built) << built.error().to_string();
  return built ? *built : nullptr;
}

// The first node at or after `from` with a signed A RRset (not glue): a
// name whose RRSIG over A the tests break.
size_t a_node_from(const dns::ZoneVersion& zone, size_t from) {
  for (size_t i = from; i < zone.node_count(); ++i) {
    if (zone.node(i).find(RRType::A) && zone.node(i).find(RRType::RRSIG)) return i;
  }
  ADD_FAILURE() << "no signed A RRset after node " << from;
  return zone.node_count();
}

RRType covered_type(std::span<const uint8_t> rrsig) {
  return static_cast<RRType>(dns::get_u16(rrsig.data()));
}

// The last octet of the signature: s of ECDSA's r||s.
void break_signature(std::vector<uint8_t>& rrsig) { rrsig.back() ^= 0x01; }

// Expiration (RDATA offset 8, RFC 4034 section 3.1) one second after the
// inception (offset 12), which lies an hour in the past.
void expire(std::vector<uint8_t>& rrsig) {
  uint32_t expiration = dns::get_u32(rrsig.data() + 12) + 1;
  for (int i = 3; i >= 0; --i) {
    rrsig[8 + static_cast<size_t>(i)] = static_cast<uint8_t>(expiration & 0xff);
    expiration >>= 8;
  }
}

TEST(VerifyThreads, OneWorkerPerBlockAtMostAndAtLeastOne) {
  EXPECT_EQ(verify_detail::verify_threads(8, 0), 1u);
  EXPECT_EQ(verify_detail::verify_threads(8, 10), 1u);
  EXPECT_EQ(verify_detail::verify_threads(8, 257), 2u);
  EXPECT_EQ(verify_detail::verify_threads(3, 100000), 3u);
  EXPECT_GE(verify_detail::verify_threads(0, 100000), 1u);
}

TEST_F(VerifyParallelTest, ZoneSmallerThanTheThreadCountGivesTheOneThreadReport) {
  expect_same_report(zones_->corner_nsec, RRType::NSEC);
  expect_same_report(zones_->corner_nsec3, RRType::NSEC3);
  auto report = verify(*zones_->corner_nsec, 8);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->threads, 1u);
}

TEST_F(VerifyParallelTest, SmallNsecAndNsec3ZonesGiveTheOneThreadReport) {
  expect_same_report(zones_->small_nsec, RRType::NSEC);
  expect_same_report(zones_->small_nsec3, RRType::NSEC3);
}

TEST_F(VerifyParallelTest, LargeNsecAndNsec3ZonesGiveTheOneThreadReport) {
  expect_same_report(zones_->large_nsec, RRType::NSEC);
  expect_same_report(zones_->large_nsec3, RRType::NSEC3);
  auto report = verify(*zones_->large_nsec, 8);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->threads, 8u);
  EXPECT_GT(report->signatures, 4000u);
}

TEST_F(VerifyParallelTest, CorruptedSignatureInALargeZoneIsFoundWithTheOneThreadText) {
  for (const ZonePtr& zone : {zones_->large_nsec, zones_->large_nsec3}) {
    const size_t target = a_node_from(*zone, zone->node_count() * 2 / 3);
    auto broken = copy_editing_rrsigs(*zone, [&](size_t node, std::vector<uint8_t>& rd) {
      if (node == target && covered_type(rd) == RRType::A) break_signature(rd);
    });
    ASSERT_TRUE(broken);
    base::Error e = expect_same_error(*broken);
    EXPECT_EQ(e.code, base::Errc::conflict);
    const std::string where = zone->node(target).owner().to_text() + " A: RRSIG key tag ";
    EXPECT_NE(e.detail.find(where), std::string::npos) << e.detail;
    EXPECT_NE(e.detail.find("signature does not verify"), std::string::npos) << e.detail;
  }
}

// The second failure sits at the start of the block after the first's, so
// that with several threads it is usually found first.
TEST_F(VerifyParallelTest, OfTwoCorruptedSignaturesTheFirstInCanonicalOrderIsReported) {
  const dns::ZoneVersion& zone = *zones_->large_nsec;
  ASSERT_GT(zone.node_count(), 7u * 256);  // verify_signatures' blocks
  const size_t first = a_node_from(zone, 5 * 256 + 200);
  const size_t second = a_node_from(zone, 6 * 256);
  ASSERT_LT(first, second);
  for (bool signature_first : {true, false}) {
    auto broken = copy_editing_rrsigs(zone, [&](size_t node, std::vector<uint8_t>& rd) {
      if (covered_type(rd) != RRType::A) return;
      if (node == first) signature_first ? break_signature(rd) : expire(rd);
      if (node == second) signature_first ? expire(rd) : break_signature(rd);
    });
    ASSERT_TRUE(broken);
    base::Error e = expect_same_error(*broken);
    EXPECT_NE(e.detail.find(zone.node(first).owner().to_text() + " A: "), std::string::npos) << e.detail;
    EXPECT_NE(e.detail.find(signature_first ? "signature does not verify" : "signature expired"),
              std::string::npos)
        << e.detail;
  }
}

// Many failures all over the zone: still the first one.
TEST_F(VerifyParallelTest, OfFailuresInEveryBlockTheFirstIsReported) {
  const dns::ZoneVersion& zone = *zones_->large_nsec3;
  const size_t first = a_node_from(zone, 700);
  auto broken = copy_editing_rrsigs(zone, [&](size_t node, std::vector<uint8_t>& rd) {
    if (node >= first && node % 97 == first % 97) break_signature(rd);
  });
  ASSERT_TRUE(broken);
  base::Error e = expect_same_error(*broken);
  EXPECT_NE(e.detail.find(zone.node(first).owner().to_text() + " "), std::string::npos) << e.detail;
}

// The chain is checked before the RRSIGs: a broken chain wins over an
// earlier broken signature, on any number of threads.
TEST_F(VerifyParallelTest, DenialChainFailureComesBeforeSignatureFailures) {
  const dns::ZoneVersion& zone = *zones_->large_nsec;
  const size_t target = a_node_from(zone, 300);
  dns::ZoneBuilder builder{dns::Name(zone.origin())};
  for (size_t i = 0; i < zone.node_count(); ++i) {
    dns::NodeView node = zone.node(i);
    for (size_t g = 0; g < node.rrset_count(); ++g) {
      dns::RRsetView set = node.rrset(g);
      // The last NSEC goes, and with it the chain's closing link.
      if (i + 1 == zone.node_count() && set.type() == RRType::NSEC) continue;
      for (size_t k = 0; k < set.size(); ++k) {
        std::vector<uint8_t> rdata(set.rdata(k).begin(), set.rdata(k).end());
        if (i == target && set.type() == RRType::RRSIG) break_signature(rdata);
        ASSERT_TRUE(builder.add(node.owner(), set.type(), zone.rclass(), set.ttl(), rdata));
      }
    }
  }
  auto broken = std::move(builder).finish();
  ASSERT_TRUE(broken) << broken.error().to_string();
  base::Error e = expect_same_error(**broken);
  EXPECT_NE(e.detail.find(" NSEC: "), std::string::npos) << e.detail;
}

// Every algorithm through its own OpenSSL path (RSA and ECDSA hash first,
// EdDSA does not): a signed zone verifies and a broken signature is caught.
TEST_F(VerifyParallelTest, EveryAlgorithmVerifiesAndCatchesABrokenSignature) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "signerd-verify-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  auto store = hsm::PemKeyStore::create((dir / "keys").string());
  ASSERT_TRUE(store) << store.error().to_string();
  auto unsigned_zone = testing::zone(generated_zone(60), "big.example.");
  ASSERT_TRUE(unsigned_zone);
  for (const hsm::AlgorithmInfo& alg : hsm::all_algorithms()) {
    SCOPED_TRACE(std::string(alg.name));
    auto key = (*store)->generate(hsm::KeySpec{alg.algorithm, 2048, {}, std::string(alg.name)});
    ASSERT_TRUE(key) << key.error().to_string();
    const ZoneKeys keys{store->get(), {testing::signing_key(key->uri, 257, KeyRole::csk)}};
    auto signed_zone = sign_zone(*unsigned_zone, keys, {}, now_, 2);
    ASSERT_TRUE(signed_zone) << signed_zone.error().to_string();
    expect_same_report(*signed_zone, RRType::NSEC);
    const size_t target = a_node_from(**signed_zone, 50);
    auto broken = copy_editing_rrsigs(**signed_zone, [&](size_t node, std::vector<uint8_t>& rd) {
      if (node == target && covered_type(rd) == RRType::A) break_signature(rd);
    });
    ASSERT_TRUE(broken);
    base::Error e = expect_same_error(*broken);
    EXPECT_NE(e.detail.find("signature does not verify"), std::string::npos) << e.detail;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace signerd::dnssec
