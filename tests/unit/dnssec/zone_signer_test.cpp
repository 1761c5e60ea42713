// sign_zone judged by BIND's dnssec-verify and ldns-verify-zone on a zone
// with every corner the signer cares about, with software (PEM) and
// PKCS#11 (SoftHSM2) keys. The validators compare signature times with
// the clock, so `now` is the system time, read here in the test and passed
// in. Tool checks are skipped when the tools are not installed.
#include "dnssec/zone_signer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <tuple>

#include "../hsm/hsm_test_util.hpp"
#include "dns/zone_file.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec_test_util.hpp"
#include "hsm/pem_key_store.hpp"
#include "hsm/pkcs11_key_store.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

namespace fs = std::filesystem;
using dns::RRType;

using testing::have;

base::TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// kCornerZone plus mixed case, more types, and DNSSEC records from
// "upstream" that the signer must drop.
const std::string kZone = std::string(testing::kCornerZone) + R"(
@ MX 10 mail.example.
@ TXT "v=spf1 -all"
@ CAA 0 issue "ca.example.net"
@ DNSKEY 256 3 13 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==
@ NSEC3PARAM 1 0 5 abcd
mail A 192.0.2.25
MiXeD.CaSe AAAA 2001:db8::1
MiXeD.CaSe TXT "mixed"
_sip._tcp SRV 0 5 5060 mail.example.
www CNAME mail.example.
)";

class ZoneSignerTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    zone_ = testing::zone(kZone, "example.");
    ASSERT_TRUE(zone_);
  }

  std::unique_ptr<hsm::PemKeyStore> pem_store() {
    auto store = hsm::PemKeyStore::create((dir_ / "keys").string());
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }
  static SigningKey make_key(hsm::KeyStore& store, uint16_t flags, KeyRole role, const std::string& label) {
    auto info = store.generate(hsm::KeySpec{hsm::Algorithm::ecdsap256sha256, 2048, {}, label});
    EXPECT_TRUE(info) << info.error().to_string();
    return testing::signing_key(info ? info->uri : "", flags, role);
  }

  std::shared_ptr<const dns::ZoneVersion> sign(const ZoneKeys& keys, const SigningParams& params,
                                               unsigned workers = 1) {
    auto signed_zone = sign_zone(*zone_, keys, params, now_, workers);
    EXPECT_TRUE(signed_zone) << signed_zone.error().to_string();
    return signed_zone ? *signed_zone : nullptr;
  }
  void expect_valid(const std::string& file, bool csk = true) { expect_verifiers_accept(file, csk); }
  void require_tools() {
    if (!have("dnssec-verify") && !have("ldns-verify-zone")) GTEST_SKIP() << "no zone verifier installed";
  }

  std::shared_ptr<const dns::ZoneVersion> zone_;
  base::TimePoint now_ = system_now();
};

// (lowercased owner, type, TTL, RDATA) of every record not of a signer-owned type.
using RecordSet = std::set<std::tuple<std::string, uint16_t, uint32_t, dns::Rdata>>;
RecordSet data_records(const dns::ZoneVersion& z) {
  RecordSet out;
  z.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (dns::is_signer_owned_type(rrset.type())) return;
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto rd = rrset.rdata(i);
      out.insert({dns::Name(node.owner()).lowercased().to_text(), dns::code(rrset.type()), rrset.ttl(),
                  dns::Rdata(rd.begin(), rd.end())});
    }
  });
  return out;
}

size_t count_type(const dns::ZoneVersion& z, RRType type) {
  size_t n = 0;
  z.for_each_rrset(
      [&](dns::NodeView, dns::RRsetView rrset) { n += rrset.type() == type ? rrset.size() : 0; });
  return n;
}

TEST_F(ZoneSignerTest, PemCskWithNsecVerifiesAndKeepsTheData) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  auto signed_zone = sign(keys, SigningParams{});
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(data_records(*signed_zone), data_records(*zone_));
  EXPECT_EQ(count_type(*signed_zone, RRType::DNSKEY), 1u);  // the upstream DNSKEY is gone
  EXPECT_EQ(count_type(*signed_zone, RRType::NSEC3PARAM), 0u);
  EXPECT_EQ(count_type(*signed_zone, RRType::NSEC3), 0u);
  EXPECT_GT(count_type(*signed_zone, RRType::NSEC), 0u);
  write(*signed_zone, "nsec.signed");
  require_tools();
  expect_valid("nsec.signed");
}

TEST_F(ZoneSignerTest, PemCskWithNsec3Verifies) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  SigningParams params;
  params.denial = Nsec3Params{};  // RFC 9276: SHA-1, 0 iterations, empty salt
  auto signed_zone = sign(keys, params);
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(data_records(*signed_zone), data_records(*zone_));
  EXPECT_EQ(count_type(*signed_zone, RRType::NSEC3PARAM), 1u);
  EXPECT_EQ(signed_zone->find(testing::name("example."), RRType::NSEC3PARAM)->ttl(), 0u);
  EXPECT_EQ(count_type(*signed_zone, RRType::NSEC), 0u);
  write(*signed_zone, "nsec3.signed");
  require_tools();
  expect_valid("nsec3.signed");
}

TEST_F(ZoneSignerTest, PemCskWithNsec3OptOutVerifies) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  SigningParams params;
  params.denial = Nsec3Params{dnssec::kNsec3HashSha1, 0, {}, true};
  auto signed_zone = sign(keys, params);
  ASSERT_TRUE(signed_zone);
  write(*signed_zone, "optout.signed");
  require_tools();
  expect_valid("optout.signed");
}

TEST_F(ZoneSignerTest, Pkcs11KskAndZskVerify) {
  if (!fs::exists(hsm::test::kSoftHsm)) GTEST_SKIP() << "SoftHSM2 not installed";
  hsm::test::TempToken token;
  auto store = hsm::Pkcs11KeyStore::create({hsm::test::kSoftHsm, "signerd", token.pin_file()});
  ASSERT_TRUE(store) << store.error().to_string();
  ZoneKeys keys{store->get(),
                {make_key(**store, 257, KeyRole::ksk, "example. ksk"),
                 make_key(**store, 256, KeyRole::zsk, "example. zsk")}};
  auto signed_zone = sign(keys, SigningParams{}, 2);
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(count_type(*signed_zone, RRType::DNSKEY), 2u);
  write(*signed_zone, "pkcs11.signed");
  require_tools();
  expect_valid("pkcs11.signed", false);
}

// The validators really judge: one changed address must fail them.
TEST_F(ZoneSignerTest, AlteredRecordFailsTheVerifiers) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  auto signed_zone = sign(keys, SigningParams{});
  ASSERT_TRUE(signed_zone);
  std::string text = write(*signed_zone, "good.signed");
  const std::string from = "IN A 192.0.2.25";
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, from.size(), "IN A 192.0.2.26");
  std::ofstream(dir_ / "bad.signed") << text;
  require_tools();
  if (have("ldns-verify-zone")) {
    EXPECT_EQ(run("ldns-verify-zone good.signed"), 0) << tool_output();
    EXPECT_NE(run("ldns-verify-zone bad.signed"), 0) << tool_output();
  }
  if (have("dnssec-verify")) {
    EXPECT_NE(run("dnssec-verify -z -o example. bad.signed"), 0) << tool_output();
  }
}

// The RRSIG fields (all but the randomised ECDSA signature) per owner.
std::set<std::tuple<std::string, uint16_t, uint32_t, uint32_t, uint16_t>> rrsig_fields_of(
    const dns::ZoneVersion& z) {
  std::set<std::tuple<std::string, uint16_t, uint32_t, uint32_t, uint16_t>> out;
  z.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (rrset.type() != RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto parsed = parse_rrsig_rdata(rrset.rdata(i));
      ASSERT_TRUE(parsed);
      const auto& f = parsed->fields;
      out.insert({dns::Name(node.owner()).lowercased().to_text(), dns::code(f.type_covered), f.original_ttl,
                  f.expiration, f.key_tag});
    }
  });
  return out;
}

TEST_F(ZoneSignerTest, TwoWorkersSignTheSameRRsetsAsOne) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  SigningParams params;
  params.denial = Nsec3Params{};
  auto one = sign(keys, params, 1);
  auto two = sign(keys, params, 2);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->record_count(), two->record_count());
  EXPECT_EQ(data_records(*one), data_records(*two));
  EXPECT_EQ(rrsig_fields_of(*one), rrsig_fields_of(*two));
  EXPECT_EQ(count_type(*one, RRType::RRSIG), count_type(*two, RRType::RRSIG));
}

TEST_F(ZoneSignerTest, ExpirationStaysInsideTheJitterWindow) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  SigningParams params;
  auto signed_zone = sign(keys, params);
  ASSERT_TRUE(signed_zone);
  const auto now = static_cast<uint32_t>(now_.time_since_epoch().count());
  const auto validity = static_cast<uint32_t>(params.validity.count());
  const auto jitter = static_cast<uint32_t>(params.jitter.count());
  std::set<uint32_t> expirations;
  for (const auto& [owner, type, ttl, expiration, tag] : rrsig_fields_of(*signed_zone)) {
    EXPECT_LE(expiration - now, validity) << owner;
    EXPECT_GE(expiration - now, validity - jitter) << owner;
    expirations.insert(expiration);
  }
  EXPECT_GT(expirations.size(), 5u);  // spread, not one second
}

// RFC 4034 section 3: each RRSIG has the TTL of the RRset it covers, at
// the apex too (DNSKEY 7200, the NSEC's SOA minimum, 3600 for the rest).
TEST_F(ZoneSignerTest, RrsigTtlIsTheCoveredRRsetsTtl) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk")}};
  SigningParams params;
  params.dnskey_ttl = 7200;
  auto signed_zone = sign(keys, params);
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(signed_zone->find(testing::name("example."), RRType::DNSKEY)->ttl(), 7200u);
  EXPECT_EQ(signed_zone->apex().find_rrsig(RRType::DNSKEY)->ttl(), 7200u);
  std::set<uint32_t> apex_ttls;
  signed_zone->for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (rrset.type() != RRType::RRSIG) return;
    auto covered = node.find(rrset.covered());
    ASSERT_TRUE(covered) << node.owner().to_text();
    EXPECT_EQ(rrset.ttl(), covered->ttl()) << node.owner().to_text() << " " << dns::to_text(rrset.covered());
    if (node.is_apex()) apex_ttls.insert(rrset.ttl());
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto parsed = parse_rrsig_rdata(rrset.rdata(i));
      ASSERT_TRUE(parsed);
      EXPECT_EQ(parsed->fields.type_covered, rrset.covered());
      EXPECT_EQ(parsed->fields.original_ttl, covered->ttl());
    }
  });
  EXPECT_EQ(apex_ttls, (std::set<uint32_t>{300, 3600, 7200}));
}

TEST_F(ZoneSignerTest, KeysWithoutADnskeySignerAreRejected) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  ZoneKeys keys{store.get(), {make_key(*store, 256, KeyRole::zsk, "example. zsk")}};
  auto r = sign_zone(*zone_, keys, SigningParams{}, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::invalid_argument);
}

// The key tags of the RRSIGs over `type` at every owner that has one.
std::set<uint16_t> signer_tags(const dns::ZoneVersion& z, RRType type) {
  std::set<uint16_t> tags;
  z.for_each_rrset([&](dns::NodeView, dns::RRsetView rrset) {
    if (rrset.type() != RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto parsed = parse_rrsig_rdata(rrset.rdata(i));
      if (parsed && parsed->fields.type_covered == type) tags.insert(parsed->fields.key_tag);
    }
  });
  return tags;
}

uint16_t tag_of(const dns::ZoneVersion& z, size_t dnskey_index) {
  return key_tag(z.apex().find(RRType::DNSKEY)->rdata(dnskey_index));
}

// A successor ZSK before its signatures (pre-publication, RFC 6781 section
// 4.1.1.1): in the DNSKEY RRset, in no RRSIG; and the result still passes
// the verifiers, which check every published algorithm signs everything.
TEST_F(ZoneSignerTest, PublishedKeyThatDoesNotSignIsInTheDnskeyRrsetOnly) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  SigningKey successor = make_key(*store, 256, KeyRole::zsk, "example. zsk 2");
  successor.zsk = false;
  ZoneKeys keys{store.get(),
                {make_key(*store, 257, KeyRole::ksk, "example. ksk"),
                 make_key(*store, 256, KeyRole::zsk, "example. zsk"), successor}};
  auto signed_zone = sign(keys, SigningParams{});
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(count_type(*signed_zone, RRType::DNSKEY), 3u);
  std::set<uint16_t> all_tags;
  for (size_t i = 0; i < 3; ++i) all_tags.insert(tag_of(*signed_zone, i));
  const std::set<uint16_t> a_signers = signer_tags(*signed_zone, RRType::A);
  const std::set<uint16_t> dnskey_signers = signer_tags(*signed_zone, RRType::DNSKEY);
  ASSERT_EQ(a_signers.size(), 1u);
  ASSERT_EQ(dnskey_signers.size(), 1u);
  EXPECT_NE(*a_signers.begin(), *dnskey_signers.begin());
  all_tags.erase(*a_signers.begin());
  all_tags.erase(*dnskey_signers.begin());
  ASSERT_EQ(all_tags.size(), 1u);  // the successor: published, signs nothing
  write(*signed_zone, "prepublished.signed");
  require_tools();
  expect_valid("prepublished.signed", false);
}

// A key whose DNSKEY is withdrawn signs nothing and is not in the RRset;
// a key that signs without being published (the conservative algorithm
// roll, RFC 6781 section 4.1.4) makes RRSIGs but adds no DNSKEY.
TEST_F(ZoneSignerTest, UnpublishedKeySignsWithoutADnskey) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  SigningKey signer_only = make_key(*store, 257, KeyRole::csk, "example. csk 2");
  signer_only.publish = false;
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk"), signer_only}};
  auto signed_zone = sign(keys, SigningParams{});
  ASSERT_TRUE(signed_zone);
  EXPECT_EQ(count_type(*signed_zone, RRType::DNSKEY), 1u);
  EXPECT_EQ(signer_tags(*signed_zone, RRType::A).size(), 2u);
  EXPECT_EQ(signer_tags(*signed_zone, RRType::DNSKEY).size(), 2u);
}

// RFC 4035 section 2.2 holds for the published algorithms: a published
// key of an algorithm that nothing signs with is refused.
TEST_F(ZoneSignerTest, PublishedAlgorithmWithoutSignersIsRejected) {
  auto store = pem_store();
  ASSERT_TRUE(store);
  auto ed = store->generate(hsm::KeySpec{hsm::Algorithm::ed25519, 0, {}, "example. ed"});
  ASSERT_TRUE(ed) << ed.error().to_string();
  SigningKey published_only = testing::signing_key(ed->uri, 257, KeyRole::csk);
  published_only.ksk = published_only.zsk = false;
  ZoneKeys keys{store.get(), {make_key(*store, 257, KeyRole::csk, "example. csk"), published_only}};
  auto r = sign_zone(*zone_, keys, SigningParams{}, now_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::invalid_argument);
  EXPECT_NE(r.error().detail.find("algorithm 15"), std::string::npos) << r.error().detail;
}

// Timing, not a check: SIGNERD_BENCH_ZONE=file (origin bench.example., as
// tests/bench/gen_zone.py writes) signed with PEM and PKCS#11 keys on 1
// and 2 workers. SIGNERD_BENCH_OUT=dir keeps the signed zones.
TEST_F(ZoneSignerTest, BenchGeneratedZone) {
  const char* path = std::getenv("SIGNERD_BENCH_ZONE");
  if (path == nullptr) GTEST_SKIP() << "set SIGNERD_BENCH_ZONE to time a generated zone";
  dns::ZoneFileOptions options;
  options.origin = testing::name("bench.example.");
  auto read = dns::read_zone_file(path, options);
  ASSERT_TRUE(read.zone);
  zone_ = read.zone;
  auto pem = pem_store();
  ASSERT_TRUE(pem);
  hsm::test::TempToken token;
  auto p11 = hsm::Pkcs11KeyStore::create({hsm::test::kSoftHsm, "signerd", token.pin_file()});
  ASSERT_TRUE(p11) << p11.error().to_string();
  for (hsm::KeyStore* store :
       {static_cast<hsm::KeyStore*>(pem.get()), static_cast<hsm::KeyStore*>(p11->get())}) {
    ZoneKeys keys{
        store, {make_key(*store, 257, KeyRole::ksk, "b ksk"), make_key(*store, 256, KeyRole::zsk, "b zsk")}};
    for (unsigned workers : {1u, 2u}) {
      auto start = std::chrono::steady_clock::now();
      auto signed_zone = sign(keys, SigningParams{}, workers);
      auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      ASSERT_TRUE(signed_zone);
      const std::string kind = store == pem.get() ? "pem" : "pkcs11";
      std::cout << kind << " workers=" << workers << ": " << zone_->record_count() << " records -> "
                << signed_zone->record_count() << " (" << count_type(*signed_zone, RRType::RRSIG)
                << " RRSIG) in " << ms.count() << " ms\n";
      if (const char* out = std::getenv("SIGNERD_BENCH_OUT")) {
        std::string text;
        dns::write_zone(*signed_zone, text);
        std::ofstream(std::string(out) + "/" + kind + std::to_string(workers) + ".signed") << text;
      }
    }
  }
}

}  // namespace
}  // namespace signerd::dnssec
