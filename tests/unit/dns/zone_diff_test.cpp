#include "dns/zone_diff.hpp"

#include <gtest/gtest.h>

#include "dns/zone_file.hpp"
#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using namespace testing;

RRset rrset(std::string_view owner, RRType type, std::initializer_list<Rdata> rdatas, uint32_t ttl = 3600) {
  RRset s(name(owner), type, RRClass::IN, ttl);
  for (const auto& rd : rdatas) s.add(rd);
  return s;
}

ZoneDiff serial_bump(uint32_t from, uint32_t to) {
  ZoneDiff d;
  d.from = from;
  d.to = to;
  d.removed.push_back(rrset("example.", RRType::SOA, {soa_rdata(from)}));
  d.added.push_back(rrset("example.", RRType::SOA, {soa_rdata(to)}));
  return d;
}

TEST(ZoneDiff, ApplyingADiffYieldsTheNextVersion) {
  auto v1 = build_zone(corner_zone_builder(1));
  ZoneDiff d = serial_bump(1, 2);
  d.removed.push_back(rrset("ns1.example.", RRType::A, {a_rdata(192, 0, 2, 1)}));
  d.added.push_back(rrset("ns1.example.", RRType::A, {a_rdata(192, 0, 2, 9)}));
  d.added.push_back(rrset("new.example.", RRType::TXT, {txt_rdata("hello")}));
  auto v2 = apply_diff(*v1, d);
  ASSERT_TRUE(v2) << v2.error().to_string();
  EXPECT_EQ((*v2)->serial(), 2u);
  EXPECT_EQ((*v2)->find(name("ns1.example."), RRType::A)->rdata(0)[3], 9);
  EXPECT_TRUE((*v2)->find(name("new.example."), RRType::TXT));
  EXPECT_EQ(v1->serial(), 1u);  // the base is untouched
}

TEST(ZoneDiff, RefusesADiffThatDoesNotApply) {
  auto v1 = build_zone(corner_zone_builder(1));
  {
    auto r = apply_diff(*v1, serial_bump(5, 6));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("does not apply to serial 1"), std::string::npos);
  }
  {
    ZoneDiff d = serial_bump(1, 2);
    d.removed.push_back(rrset("ns1.example.", RRType::A, {a_rdata(10, 9, 9, 9)}));
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("not present"), std::string::npos);
    EXPECT_NE(r.error().detail.find("ns1.example. A"), std::string::npos);
  }
  {
    ZoneDiff d = serial_bump(1, 2);
    d.added.push_back(rrset("ns1.example.", RRType::A, {a_rdata(192, 0, 2, 1)}));
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("already present"), std::string::npos);
  }
  {
    ZoneDiff d = serial_bump(1, 2);
    d.to = 3;
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("not the announced 3"), std::string::npos);
  }
}

TEST(ZoneDiff, DiffOfTwoVersionsAppliesBackToTheSecond) {
  auto v1 = build_zone(corner_zone_builder(1));
  ZoneBuilder b = corner_zone_builder(2);
  add(b, "www.example.", RRType::A, a_rdata(1, 1, 1, 1));
  add(b, "ns1.example.", RRType::A, a_rdata(192, 0, 2, 77));
  auto v2 = build_zone(std::move(b));
  ZoneDiff d = diff_versions(*v1, *v2);
  EXPECT_EQ(d.from, 1u);
  EXPECT_EQ(d.to, 2u);
  EXPECT_EQ(d.removed.size(), 1u);  // the old SOA; ns1's A set grows
  EXPECT_EQ(d.added.size(), 3u);
  auto applied = apply_diff(*v1, d);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(diff_versions(**applied, *v2).empty());
  EXPECT_TRUE(diff_versions(*v2, *v2).empty());
}

TEST(ZoneDiff, AddedTtlAppliesToTheWholeRRset) {
  auto v1 = build_zone(corner_zone_builder(1));
  ZoneDiff d = serial_bump(1, 2);
  d.added.push_back(rrset("ns1.example.", RRType::A, {a_rdata(192, 0, 2, 8)}, 60));
  auto v2 = apply_diff(*v1, d);
  ASSERT_TRUE(v2);
  auto set = (*v2)->find(name("ns1.example."), RRType::A);
  EXPECT_EQ(set->size(), 2u);
  EXPECT_EQ(set->ttl(), 60u);
}

// www: A (TTL 300) and TXT (`txt_ttl`), each with its RRSIG group.
std::shared_ptr<const ZoneVersion> signed_like(uint32_t serial, uint32_t txt_ttl) {
  ZoneBuilder b = corner_zone_builder(serial);
  add(b, "www.example.", RRType::A, a_rdata(10, 0, 0, 1), 300);
  add(b, "www.example.", RRType::RRSIG, rrsig_rdata(RRType::A, 300), 300);
  add(b, "www.example.", RRType::TXT, txt_rdata("x"), txt_ttl);
  add(b, "www.example.", RRType::RRSIG, rrsig_rdata(RRType::TXT, txt_ttl), txt_ttl);
  return build_zone(std::move(b));
}

bool mentions_rrsig_over(const std::vector<RRset>& section, RRType covered) {
  for (const RRset& set : section) {
    if (set.type() != RRType::RRSIG) continue;
    for (const auto& rd : set.rdatas()) {
      if (get_u16(rd.data()) == code(covered)) return true;
    }
  }
  return false;
}

TEST(ZoneDiff, TtlChangeOfOneRrsigGroupDiffsOnlyThatGroup) {
  auto v1 = signed_like(1, 7200);
  auto v2 = signed_like(2, 3600);
  ASSERT_TRUE(v1 && v2);
  ZoneDiff d = diff_versions(*v1, *v2);
  // SOA, TXT and the RRSIG over TXT go and come back; A and its RRSIG stay.
  ASSERT_EQ(d.removed.size(), 3u);
  ASSERT_EQ(d.added.size(), 3u);
  EXPECT_FALSE(mentions_rrsig_over(d.removed, RRType::A));
  EXPECT_FALSE(mentions_rrsig_over(d.added, RRType::A));
  EXPECT_TRUE(mentions_rrsig_over(d.added, RRType::TXT));
  for (const RRset& set : d.added) {
    if (set.type() == RRType::RRSIG) {
      EXPECT_EQ(set.ttl(), 3600u);
    }
  }
  auto applied = apply_diff(*v1, d);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(diff_versions(**applied, *v2).empty());
  auto www = (*applied)->find(name("www.example."));
  EXPECT_EQ(www->find_rrsig(RRType::A)->ttl(), 300u);
  EXPECT_EQ(www->find_rrsig(RRType::TXT)->ttl(), 3600u);
}

// A diff from a transfer may carry RRSIGs over several types in one RRset
// (one TTL): apply_diff takes it apart by covered type.
TEST(ZoneDiff, ApplyTakesMixedRrsigRRsetsApartByCoveredType) {
  auto v1 = signed_like(1, 7200);
  ASSERT_TRUE(v1);
  ZoneDiff d = serial_bump(1, 2);
  d.removed.push_back(
      rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::A, 300), rrsig_rdata(RRType::TXT, 7200)}));
  d.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::A, 300, 2)}, 300));
  d.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::TXT, 7200, 2)}, 7200));
  auto v2 = apply_diff(*v1, d);
  ASSERT_TRUE(v2) << v2.error().to_string();
  auto www = (*v2)->find(name("www.example."));
  ASSERT_TRUE(www->find_rrsig(RRType::A) && www->find_rrsig(RRType::TXT));
  EXPECT_EQ(www->find_rrsig(RRType::A)->ttl(), 300u);
  EXPECT_EQ(www->find_rrsig(RRType::TXT)->ttl(), 7200u);
  EXPECT_EQ(get_u16(www->find_rrsig(RRType::TXT)->rdata(0).data() + 16), 2u);

  // An added RRSIG's TTL becomes that of its covered type's group only.
  ZoneDiff t = serial_bump(1, 2);
  t.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::TXT, 7200, 3)}, 60));
  auto v3 = apply_diff(*v1, t);
  ASSERT_TRUE(v3) << v3.error().to_string();
  www = (*v3)->find(name("www.example."));
  EXPECT_EQ(www->find_rrsig(RRType::TXT)->ttl(), 60u);
  EXPECT_EQ(www->find_rrsig(RRType::TXT)->size(), 2u);
  EXPECT_EQ(www->find_rrsig(RRType::A)->ttl(), 300u);
}

TEST(ZoneDiff, RefusesRrsigChangesThatDoNotApply) {
  auto v1 = signed_like(1, 7200);
  ASSERT_TRUE(v1);
  {
    // The RDATA exists, but over A; the TXT group has no such record.
    ZoneDiff d = serial_bump(1, 2);
    d.removed.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::TXT, 300)}));
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("www.example. RRSIG covering TXT that is not present"), std::string::npos)
        << r.error().detail;
  }
  {
    ZoneDiff d = serial_bump(1, 2);
    d.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::A, 300)}, 300));
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("RRSIG covering A that is already present"), std::string::npos)
        << r.error().detail;
  }
  {
    ZoneDiff d = serial_bump(1, 2);
    d.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::MX, 300)}));
    d.added.push_back(rrset("www.example.", RRType::RRSIG, {rrsig_rdata(RRType::MX, 300)}));
    auto r = apply_diff(*v1, d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("RRSIG covering MX twice"), std::string::npos) << r.error().detail;
  }
}

TEST(ZoneDiff, RrsigGroupTtlsSurviveAMasterFileRoundTrip) {
  auto v1 = signed_like(1, 7200);
  ASSERT_TRUE(v1);
  std::string text;
  write_zone(*v1, text);
  EXPECT_NE(text.find("www.example. 300 IN RRSIG A "), std::string::npos) << text;
  EXPECT_NE(text.find("www.example. 7200 IN RRSIG TXT "), std::string::npos) << text;
  ZoneFileOptions options;
  options.origin = name("example.");
  auto read = read_zone_text(text, options);
  ASSERT_TRUE(read.errors.empty()) << read.errors.front().to_string();
  EXPECT_TRUE(diff_versions(*v1, *read.zone).empty());
  auto www = read.zone->find(name("www.example."));
  EXPECT_EQ(www->find_rrsig(RRType::A)->ttl(), 300u);
  EXPECT_EQ(www->find_rrsig(RRType::TXT)->ttl(), 7200u);
}

}  // namespace
}  // namespace signerd::dns
