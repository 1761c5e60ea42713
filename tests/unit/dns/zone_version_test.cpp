#include "dns/zone_version.hpp"

#include <gtest/gtest.h>

#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using namespace testing;

std::vector<std::string> owners(const ZoneVersion& z) {
  std::vector<std::string> out;
  for (size_t i = 0; i < z.node_count(); ++i) out.push_back(z.node(i).owner().to_text());
  return out;
}

TEST(ZoneVersion, NodesInCanonicalOrderWithEmptyNonTerminals) {
  auto z = build_zone(corner_zone_builder(7));
  ASSERT_TRUE(z);
  EXPECT_EQ(z->serial(), 7u);
  std::vector<std::string> expected = {"example.",
                                       "*.example.",
                                       "c.example.",
                                       "b.c.example.",
                                       "a.b.c.example.",
                                       "dn.example.",
                                       "x.dn.example.",
                                       "ns1.example.",
                                       "sub.example.",
                                       "below.sub.example.",
                                       "deep.below.sub.example.",
                                       "ns.sub.example."};
  EXPECT_EQ(owners(*z), expected);
}

TEST(ZoneVersion, ClassifiesApexCutsGlueOccludedEntsAndWildcards) {
  auto z = build_zone(corner_zone_builder());
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->apex().is_apex());
  EXPECT_FALSE(z->apex().is_delegation());  // NS at the apex is not a cut
  auto sub = z->find(name("SUB.example."));
  ASSERT_TRUE(sub);
  EXPECT_TRUE(sub->is_delegation());
  EXPECT_FALSE(sub->is_occluded());
  EXPECT_TRUE(z->find(name("ns.sub.example."))->is_occluded());
  EXPECT_TRUE(z->find(name("below.sub.example."))->is_empty_non_terminal());
  EXPECT_TRUE(z->find(name("below.sub.example."))->is_occluded());
  EXPECT_TRUE(z->find(name("deep.below.sub.example."))->flags() & kNodeBelowDelegation);
  EXPECT_FALSE(z->find(name("dn.example."))->is_occluded());  // the DNAME owner itself is data
  EXPECT_TRUE(z->find(name("x.dn.example."))->flags() & kNodeBelowDname);
  EXPECT_TRUE(z->find(name("c.example."))->is_empty_non_terminal());
  EXPECT_EQ(z->find(name("c.example."))->rrset_count(), 0u);
  EXPECT_FALSE(z->find(name("a.b.c.example."))->is_empty_non_terminal());
  EXPECT_TRUE(z->find(name("*.example."))->is_wildcard());
  EXPECT_FALSE(z->find(name("nothere.example.")));
}

TEST(ZoneVersion, MergesDuplicatesAndSortsRdataCanonically) {
  ZoneBuilder b = corner_zone_builder();
  add(b, "multi.example.", RRType::A, a_rdata(10, 0, 0, 2));
  add(b, "multi.example.", RRType::A, a_rdata(10, 0, 0, 1));
  add(b, "MULTI.example.", RRType::A, a_rdata(10, 0, 0, 2));  // duplicate, other case
  add(b, "multi.example.", RRType::NS, name_rdata("NS.other."));
  add(b, "multi.example.", RRType::NS, name_rdata("ns.other."));  // equal in canonical form
  auto z = build_zone(std::move(b));
  ASSERT_TRUE(z);
  auto a = z->find(name("multi.example."), RRType::A);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ(a->rdata(0)[3], 1);
  EXPECT_EQ(a->rdata(1)[3], 2);
  EXPECT_EQ(z->find(name("multi.example."), RRType::NS)->size(), 1u);
  EXPECT_EQ(z->find(name("multi.example."))->owner().to_text(), "multi.example.");  // first spelling kept
}

TEST(ZoneVersion, DifferingTtlsTakeTheFirstAndWarn) {
  ZoneBuilder b = corner_zone_builder();
  add(b, "t.example.", RRType::A, a_rdata(10, 0, 0, 2), 300);
  add(b, "t.example.", RRType::A, a_rdata(10, 0, 0, 1), 600);
  auto result = std::move(b).finish();
  ASSERT_TRUE(result);
  ASSERT_EQ(b.warnings().size(), 1u);  // NOLINT(bugprone-use-after-move): finish() keeps warnings
  EXPECT_EQ(b.warnings()[0], "t.example. A: TTL 600 differs from the RRset's 300; using 300");
  EXPECT_EQ((*result)->find(name("t.example."), RRType::A)->ttl(), 300u);
}

TEST(ZoneBuilder, RejectsDataOutsideTheZoneAndWrongClass) {
  ZoneBuilder b(name("example."));
  auto out = b.add(name("example.net."), RRType::A, RRClass::IN, 60, a_rdata(1, 2, 3, 4));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().detail.find("outside the zone"), std::string::npos);
  auto cls = b.add(name("example."), RRType::A, RRClass::CH, 60, a_rdata(1, 2, 3, 4));
  ASSERT_FALSE(cls);
  EXPECT_NE(cls.error().detail.find("class"), std::string::npos);
  auto bad = b.add(name("example."), RRType::A, RRClass::IN, 60, Rdata{1, 2, 3});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("A RDATA"), std::string::npos);
  EXPECT_FALSE(b.add(name("example."), RRType::OPT, RRClass::IN, 60, Rdata{}));
}

TEST(ZoneBuilder, RequiresOneSoaAndNsAtTheApex) {
  {
    ZoneBuilder b(name("example."));
    add(b, "www.example.", RRType::A, a_rdata(1, 2, 3, 4));
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    EXPECT_NE(z.error().detail.find("no SOA"), std::string::npos);
  }
  {
    ZoneBuilder b(name("example."));
    add(b, "example.", RRType::SOA, soa_rdata(1));
    add(b, "example.", RRType::SOA, soa_rdata(2));
    add(b, "example.", RRType::NS, name_rdata("ns.example."));
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    EXPECT_NE(z.error().detail.find("more than one SOA"), std::string::npos);
  }
  {
    ZoneBuilder b(name("example."));
    add(b, "example.", RRType::SOA, soa_rdata(1));
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    EXPECT_NE(z.error().detail.find("no NS"), std::string::npos);
  }
  {
    ZoneBuilder b = corner_zone_builder();
    add(b, "www.example.", RRType::SOA, soa_rdata(1));
    auto z = std::move(b).finish();
    ASSERT_FALSE(z);
    EXPECT_NE(z.error().detail.find("SOA record below the zone apex"), std::string::npos);
  }
}

TEST(ZoneBuilder, RejectsCnameBesideOtherData) {
  ZoneBuilder b = corner_zone_builder();
  add(b, "www.example.", RRType::CNAME, name_rdata("host.example."));
  add(b, "www.example.", RRType::A, a_rdata(1, 2, 3, 4));
  auto z = std::move(b).finish();
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().detail, "www.example.: CNAME and other data");

  ZoneBuilder ok = corner_zone_builder();
  add(ok, "www.example.", RRType::CNAME, name_rdata("host.example."));
  add(ok, "ns.sub.example.", RRType::CNAME, name_rdata("x.example."));  // occluded: not checked
  EXPECT_TRUE(std::move(ok).finish());
}

TEST(ZoneVersion, LookupIsCaseInsensitive) {
  auto z = build_zone(corner_zone_builder());
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->find(name("NS1.EXAMPLE."), RRType::A));
  EXPECT_FALSE(z->find(name("ns1.example."), RRType::AAAA));
  EXPECT_EQ(z->lower_bound(name("example.")), 0u);
  EXPECT_EQ(z->lower_bound(name("zzz.example.")), z->node_count());
}

}  // namespace
}  // namespace signerd::dns
