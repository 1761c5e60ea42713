#include "dns/zone_diff.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace signerd::dns
