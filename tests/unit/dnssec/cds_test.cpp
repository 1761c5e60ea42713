// CDS and CDNSKEY publication (RFC 7344 section 4, RFC 8078 section 4):
// sign_zone puts them at the apex for the keys with `cds`, with the DNSKEY
// TTL, signed by the keys that sign the DNSKEY RRset only, listed in the
// apex bitmap; the RDATA is checked against BIND's dnssec-dsfromkey and
// the RFC 8078 presentation forms, the zones against dnssec-verify,
// ldns-verify-zone and verify_zone. Then the incremental paths: sign_change
// declines when the CDS/CDNSKEY it would want differ from the signed
// base's, and sign_diff gives what a whole-zone signing gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "dns/rdata_text.hpp"
#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/type_bitmap.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec/zone_signer.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::have;
using testing::KeyRole;
using testing::rrset_of;

std::vector<dns::Rdata> apex_rdatas(const dns::ZoneVersion& z, RRType type) {
  std::vector<dns::Rdata> out;
  if (auto set = z.apex().find(type)) {
    for (size_t i = 0; i < set->size(); ++i) out.emplace_back(set->rdata(i).begin(), set->rdata(i).end());
  }
  return out;
}

// The key tags of the apex RRSIGs over `covered`.
std::set<uint16_t> apex_signers(const dns::ZoneVersion& z, RRType covered) {
  std::set<uint16_t> tags;
  auto sigs = z.apex().find_rrsig(covered);
  for (size_t i = 0; sigs && i < sigs->size(); ++i) {
    auto parsed = parse_rrsig_rdata(sigs->rdata(i));
    EXPECT_TRUE(parsed);
    if (parsed) tags.insert(parsed->fields.key_tag);
  }
  return tags;
}

// The types of the apex NSEC's bitmap: the RDATA is the next name (wire
// labels up to the root's empty one) and the bitmap (RFC 4034 4.1).
std::vector<RRType> apex_nsec_types(const dns::ZoneVersion& z) {
  auto nsec = z.apex().find(RRType::NSEC);
  EXPECT_TRUE(nsec);
  if (!nsec) return {};
  auto rd = nsec->rdata(0);
  size_t at = 0;
  while (at < rd.size() && rd[at] != 0) at += size_t{rd[at]} + 1;
  auto types = parse_type_bitmap(rd.subspan(at + 1));
  EXPECT_TRUE(types);
  return types ? *types : std::vector<RRType>{};
}

bool lists(const std::vector<RRType>& types, RRType t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

using testing::records_of;

class CdsTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    // ED25519 signs deterministically (RFC 8080), so two signings at one
    // `now` are byte for byte the same.
    ksk_ = make_key(hsm::Algorithm::ed25519, 257, KeyRole::ksk, "example. ksk");
    ksk_.cds = true;
    keys_ =
        ZoneKeys{store_.get(), {ksk_, make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk")}};
    // Upstream CDS and CDNSKEY, which the signer replaces with its own.
    unsigned_ = testing::zone(std::string(testing::kCornerZone) + "@ CDS 1 15 2 " + std::string(64, 'b') +
                                  "\n@ CDNSKEY 257 3 15 AAAA\n",
                              "example.");
    ASSERT_TRUE(unsigned_);
  }

  std::shared_ptr<const dns::ZoneVersion> sign(const dns::ZoneVersion& z, const ZoneKeys& keys,
                                               const SigningParams& params) {
    auto s = sign_zone(z, keys, params, now_);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? *s : nullptr;
  }
  std::shared_ptr<const dns::ZoneVersion> sign(const SigningParams& params) {
    return sign(*unsigned_, keys_, params);
  }
  base::Errc sign_error(const ZoneKeys& keys, const SigningParams& params) {
    auto s = sign_zone(*unsigned_, keys, params, now_);
    EXPECT_FALSE(s);
    return s ? base::Errc{} : s.error().code;
  }

  // The DNSKEY RDATA of key `k` in a signed zone (whose DNSKEY RRset holds
  // both keys): the one with the SEP flag for the KSK.
  static dns::Rdata dnskey_with_sep(const dns::ZoneVersion& z, bool sep) {
    for (const auto& rd : apex_rdatas(z, RRType::DNSKEY)) {
      if (((rd[1] & kDnskeySep) != 0) == sep) return rd;
    }
    ADD_FAILURE() << "no such DNSKEY";
    return {};
  }

  // BIND's CDS RRset for the KSK of `z`'s DNSKEY RRset, by digest
  // ("SHA-256", "SHA-384"); empty without the tool.
  std::vector<dns::Rdata> bind_cds(const dns::ZoneVersion& z, const std::string& digest) {
    if (!have("dnssec-dsfromkey")) return {};
    std::string text;
    dns::append_record_text(z.origin(), 3600, dns::RRClass::IN, RRType::DNSKEY, dnskey_with_sep(z, true),
                            text);
    std::ofstream(dir_ / "dnskey.db") << text << "\n";
    EXPECT_EQ(run("dnssec-dsfromkey -C -a " + digest + " -f dnskey.db example."), 0) << tool_output();
    std::vector<dns::Rdata> out;
    for (const auto& r : testing::records(tool_output())) {
      EXPECT_EQ(r.type, RRType::CDS);
      out.push_back(r.rdata);
    }
    EXPECT_EQ(out.size(), 1u) << tool_output();
    return out;
  }

  void expect_accepted(const dns::ZoneVersion& z, const std::string& file) {
    auto verified = verify_zone(z, now_);
    EXPECT_TRUE(verified) << verified.error().to_string();
    write(z, file);
    expect_verifiers_accept(file, false);
  }

  dns::ZoneDiff bump() const {
    const uint32_t next = unsigned_->serial() + 1;
    return dns::ZoneDiff{
        unsigned_->serial(),
        next,
        {unsigned_->apex().find(RRType::SOA)->to_rrset(unsigned_->origin(), dns::RRClass::IN)},
        {rrset_of("@ SOA ns1.example. hostmaster.example. " + std::to_string(next) + " 3600 600 86400 300")}};
  }

  SigningKey ksk_;
  ZoneKeys keys_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  base::TimePoint now_ = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

TEST_F(CdsTest, KskWithCdsGetsCdsPerDigestTypeAndCdnskeyWithTheDnskeyTtl) {
  SigningParams params;
  params.dnskey_ttl = 7200;
  params.cds_digest_types = {2, 4};
  auto z = sign(params);
  ASSERT_TRUE(z);
  const dns::Rdata ksk = dnskey_with_sep(*z, true);
  const uint16_t ksk_tag = key_tag(ksk);
  const uint16_t zsk_tag = key_tag(dnskey_with_sep(*z, false));

  const auto cds = apex_rdatas(*z, RRType::CDS);
  ASSERT_EQ(cds.size(), 2u);  // the upstream CDS is gone
  std::set<uint8_t> digest_types;
  for (const auto& rd : cds) {
    EXPECT_EQ(dns::get_u16(rd.data()), ksk_tag);
    EXPECT_EQ(rd[2], 15);  // ED25519
    digest_types.insert(rd[3]);
    EXPECT_EQ(rd.size(), 4u + (rd[3] == 2 ? 32u : 48u));
  }
  EXPECT_EQ(digest_types, (std::set<uint8_t>{2, 4}));
  EXPECT_EQ(apex_rdatas(*z, RRType::CDNSKEY), std::vector<dns::Rdata>{ksk});
  EXPECT_EQ(z->apex().find(RRType::CDS)->ttl(), 7200u);
  EXPECT_EQ(z->apex().find(RRType::CDNSKEY)->ttl(), 7200u);

  // RFC 7344 section 4.1: signed by the key in the DS set, not the ZSK.
  const std::set<uint16_t> ksk_only{ksk_tag};
  EXPECT_EQ(apex_signers(*z, RRType::CDS), ksk_only);
  EXPECT_EQ(apex_signers(*z, RRType::CDNSKEY), ksk_only);
  EXPECT_EQ(apex_signers(*z, RRType::DNSKEY), ksk_only);
  EXPECT_EQ(apex_signers(*z, RRType::SOA), std::set<uint16_t>{zsk_tag});

  const auto types = apex_nsec_types(*z);
  EXPECT_TRUE(lists(types, RRType::CDS));
  EXPECT_TRUE(lists(types, RRType::CDNSKEY));
  EXPECT_TRUE(lists(types, RRType::DNSKEY));

  // The digests as BIND computes them from the DNSKEY.
  if (have("dnssec-dsfromkey")) {
    std::vector<dns::Rdata> bind = bind_cds(*z, "SHA-256");
    const auto sha384 = bind_cds(*z, "SHA-384");
    bind.insert(bind.end(), sha384.begin(), sha384.end());
    std::sort(bind.begin(), bind.end());
    EXPECT_EQ(cds, bind);
  }
  expect_accepted(*z, "cds.signed");
}

TEST_F(CdsTest, WithNsec3TheApexRecordListsThemAndVerifies) {
  SigningParams params;
  params.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  auto z = sign(params);
  ASSERT_TRUE(z);
  EXPECT_EQ(apex_rdatas(*z, RRType::CDS).size(), 1u);
  EXPECT_EQ(apex_rdatas(*z, RRType::CDNSKEY).size(), 1u);
  expect_accepted(*z, "cds-nsec3.signed");  // both check the NSEC3 bitmaps
}

TEST_F(CdsTest, CdnskeyFalsePublishesCdsOnly) {
  SigningParams params;
  params.cdnskey = false;
  auto z = sign(params);
  ASSERT_TRUE(z);
  EXPECT_EQ(apex_rdatas(*z, RRType::CDS).size(), 1u);
  EXPECT_FALSE(z->apex().find(RRType::CDNSKEY));
  EXPECT_FALSE(lists(apex_nsec_types(*z), RRType::CDNSKEY));
  EXPECT_TRUE(lists(apex_nsec_types(*z), RRType::CDS));
  expect_accepted(*z, "cds-only.signed");
}

TEST_F(CdsTest, DigestType4IsSha384) {
  SigningParams params;
  params.cds_digest_types = {4};
  auto z = sign(params);
  ASSERT_TRUE(z);
  const auto cds = apex_rdatas(*z, RRType::CDS);
  ASSERT_EQ(cds.size(), 1u);
  EXPECT_EQ(cds[0][3], 4);
  EXPECT_EQ(cds[0].size(), 4u + 48u);
  if (have("dnssec-dsfromkey")) {
    EXPECT_EQ(cds, bind_cds(*z, "SHA-384"));
  }
}

TEST_F(CdsTest, NoKeyWithCdsPublishesNeither) {
  keys_.keys[0].cds = false;
  auto z = sign(SigningParams{});
  ASSERT_TRUE(z);
  EXPECT_FALSE(z->apex().find(RRType::CDS));
  EXPECT_FALSE(z->apex().find(RRType::CDNSKEY));
  EXPECT_FALSE(lists(apex_nsec_types(*z), RRType::CDS));
}

// RFC 8078 section 4: the zone going insecure asks for no DS at all.
TEST_F(CdsTest, DeleteFormIsPublishedAlone) {
  keys_.keys[0].cds = false;
  SigningParams params;
  params.cds_delete = true;
  auto z = sign(params);
  ASSERT_TRUE(z);
  // The presentation forms of RFC 8078 section 4, read by our zone parser.
  EXPECT_EQ(apex_rdatas(*z, RRType::CDS), std::vector<dns::Rdata>{testing::rdata("example. CDS 0 0 0 00")});
  EXPECT_EQ(apex_rdatas(*z, RRType::CDNSKEY),
            std::vector<dns::Rdata>{testing::rdata("example. CDNSKEY 0 3 0 AA==")});
  EXPECT_EQ(apex_signers(*z, RRType::CDS), std::set<uint16_t>{key_tag(dnskey_with_sep(*z, true))});
  expect_accepted(*z, "delete.signed");

  params.cdnskey = false;
  z = sign(params);
  ASSERT_TRUE(z);
  EXPECT_EQ(apex_rdatas(*z, RRType::CDS).size(), 1u);
  EXPECT_FALSE(z->apex().find(RRType::CDNSKEY));
}

TEST_F(CdsTest, DeleteWithAKeyThatHasCdsIsInvalid) {
  SigningParams params;
  params.cds_delete = true;
  EXPECT_EQ(sign_error(keys_, params), base::Errc::invalid_argument);
}

// RFC 7344 section 4.1: no CDS for a key outside the DNSKEY RRset.
TEST_F(CdsTest, CdsForAnUnpublishedKeyIsInvalid) {
  ZoneKeys keys = keys_;
  SigningKey hidden = make_key(hsm::Algorithm::ed25519, 257, KeyRole::ksk, "example. ksk 2");
  hidden.publish = false;
  hidden.cds = true;
  keys.keys.push_back(hidden);
  EXPECT_EQ(sign_error(keys, SigningParams{}), base::Errc::invalid_argument);
}

TEST_F(CdsTest, DigestTypesOtherThan2And4AreUnsupported) {
  for (uint8_t type : {uint8_t{1}, uint8_t{3}, uint8_t{5}}) {
    SigningParams params;
    params.cds_digest_types = {2, type};
    EXPECT_EQ(sign_error(keys_, params), base::Errc::unsupported) << int{type};
  }
  // They matter only when some key has cds.
  keys_.keys[0].cds = false;
  SigningParams params;
  params.cds_digest_types = {1};
  EXPECT_TRUE(sign(params));
}

// Our verifier: a CDS or CDNSKEY for no key of the DNSKEY RRset, or a
// DELETE record beside others, is refused (before the signatures are).
TEST_F(CdsTest, VerifierRefusesCdsForNoKeyOfTheDnskeyRrset) {
  auto z = sign(SigningParams{});
  ASSERT_TRUE(z);
  auto replaced = [&](RRType type, const std::vector<std::string>& rdatas) {
    const uint32_t ttl = z->apex().find(type)->ttl();
    dns::RRset set(dns::Name(z->origin()), type, dns::RRClass::IN, ttl);
    for (const auto& text : rdatas) set.add(testing::rdata("example. " + text));
    auto changed = dns::apply_diff(
        *z, dns::ZoneDiff{
                z->serial(), z->serial(), {z->apex().find(type)->to_rrset(z->origin(), z->rclass())}, {set}});
    EXPECT_TRUE(changed) << changed.error().to_string();
    return changed ? *changed : nullptr;
  };
  const std::string tag = std::to_string(key_tag(dnskey_with_sep(*z, true)));
  const std::vector<std::pair<RRType, std::vector<std::string>>> bad = {
      {RRType::CDS, {"CDS " + tag + " 15 2 " + std::string(64, 'c')}},  // the KSK's tag, a wrong digest
      {RRType::CDS,
       {"CDS 0 0 0 00", "CDS " + dns::rdata_to_text(RRType::CDS, apex_rdatas(*z, RRType::CDS)[0])}},
      {RRType::CDNSKEY, {"CDNSKEY 257 3 15 " + std::string(43, 'A') + "="}},
  };
  for (const auto& [type, rdatas] : bad) {
    auto broken = replaced(type, rdatas);
    ASSERT_TRUE(broken);
    auto verified = verify_zone(*broken, now_);
    ASSERT_FALSE(verified) << rdatas.front();
    EXPECT_EQ(verified.error().code, base::Errc::conflict) << verified.error().to_string();
    EXPECT_NE(verified.error().detail.find("RFC"), std::string::npos) << verified.error().to_string();
    EXPECT_NE(verified.error().detail.find(dns::to_text(type)), std::string::npos)
        << verified.error().to_string();
  }
}

// The CDS/CDNSKEY choices change from one signing to the next: sign_change
// leaves it to sign_diff, whose zone is the whole-zone signing's (same
// `now`, deterministic signatures), bitmaps and RRSIGs included.
TEST_F(CdsTest, ChangedCdsChoicesFallBackAndSignDiffGivesTheWholeZone) {
  struct Step {
    const char* what;
    bool cds;
    SigningParams params;
  };
  SigningParams sha384;
  sha384.cds_digest_types = {2, 4};
  SigningParams no_cdnskey;
  no_cdnskey.cdnskey = false;
  SigningParams to_delete;
  to_delete.cds_delete = true;
  SigningParams ttl;
  ttl.dnskey_ttl = 600;
  const Step steps[] = {{"no cds", false, {}},           {"cds added", true, {}},
                        {"SHA-384 added", true, sha384}, {"CDNSKEY dropped", true, no_cdnskey},
                        {"DELETE", false, to_delete},    {"DELETE withdrawn", false, {}},
                        {"cds again", true, {}},         {"DNSKEY TTL", true, ttl}};
  ZoneKeys keys = keys_;
  keys.keys[0].cds = steps[0].cds;
  auto signed_zone = sign(*unsigned_, keys, steps[0].params);
  ASSERT_TRUE(signed_zone);
  for (size_t s = 1; s < std::size(steps); ++s) {
    SCOPED_TRACE(steps[s].what);
    keys.keys[0].cds = steps[s].cds;
    const SigningParams& params = steps[s].params;
    const dns::ZoneDiff change = bump();
    auto fast = sign_change(*unsigned_, *signed_zone, change, keys, params, now_);
    ASSERT_TRUE(fast) << fast.error().to_string();
    EXPECT_FALSE(fast->has_value()) << "sign_change kept the old CDS/CDNSKEY";
    auto slow = sign_diff(*unsigned_, *signed_zone, change, keys, params, now_);
    ASSERT_TRUE(slow) << slow.error().to_string();
    auto whole = sign(*slow->unsigned_next, keys, params);
    ASSERT_TRUE(whole);
    EXPECT_EQ(records_of(*slow->signed_next), records_of(*whole));
    EXPECT_EQ(apex_rdatas(*slow->signed_next, RRType::CDS), apex_rdatas(*whole, RRType::CDS));
    EXPECT_EQ(apex_nsec_types(*slow->signed_next), apex_nsec_types(*whole));
    auto verified = verify_zone(*slow->signed_next, now_);
    EXPECT_TRUE(verified) << verified.error().to_string();

    // Unchanged choices on the next change: the fast path, same zone.
    unsigned_ = slow->unsigned_next;
    signed_zone = slow->signed_next;
    const dns::ZoneDiff next = bump();
    auto again = sign_change(*unsigned_, *signed_zone, next, keys, params, now_);
    ASSERT_TRUE(again) << again.error().to_string();
    ASSERT_TRUE(again->has_value()) << "fell back with unchanged CDS choices";
    auto again_slow = sign_diff(*unsigned_, *signed_zone, next, keys, params, now_);
    ASSERT_TRUE(again_slow) << again_slow.error().to_string();
    EXPECT_EQ(records_of(*(*again)->signed_next), records_of(*again_slow->signed_next));
    unsigned_ = again_slow->unsigned_next;
    signed_zone = again_slow->signed_next;
  }
  EXPECT_EQ(apex_rdatas(*signed_zone, RRType::CDS).size(), 1u);
  EXPECT_EQ(signed_zone->apex().find(RRType::CDS)->ttl(), 600u);
}

}  // namespace
}  // namespace signerd::dnssec
