#include "dns/zone_version.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using namespace testing;

std::vector<std::string> owners(const ZoneVersion& z) {
  std::vector<std::string> out;
  for (size_t i = 0; i < z.node_count(); ++i) out.push_back(z.node(i).owner().to_text());
  return out;
}

// Every RRset as "owner type ttl rdata..." in the version's order.
std::vector<std::string> rrset_lines(const ZoneVersion& z) {
  std::vector<std::string> out;
  z.for_each_rrset([&](const NodeView& node, const RRsetView& set) {
    std::string line = node.owner().to_text() + " " + to_text(set.type()) + " " + std::to_string(set.ttl());
    for (size_t i = 0; i < set.size(); ++i) {
      line += " ";
      for (uint8_t b : set.rdata(i)) line += std::to_string(b) + ".";
    }
    out.push_back(std::move(line));
  });
  return out;
}

struct StagedRecord {
  std::string owner;
  RRType type;
  Rdata rdata;
  uint32_t ttl = 3600;
};

std::shared_ptr<const ZoneVersion> build_from(const std::vector<StagedRecord>& records) {
  ZoneBuilder b(name("example."));
  for (const auto& r : records) add(b, r.owner, r.type, r.rdata, r.ttl);
  return build_zone(std::move(b));
}

// 3,000 names in canonical order, with two types at every tenth name.
std::vector<StagedRecord> canonical_records() {
  std::vector<StagedRecord> out = {{"example.", RRType::SOA, soa_rdata(1)},
                                   {"example.", RRType::NS, name_rdata("ns1.example.")}};
  for (int i = 0; i < 3000; ++i) {
    char owner[32];
    std::snprintf(owner, sizeof owner, "h%04d.example.", i);
    out.push_back({owner, RRType::A, a_rdata(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i))});
    if (i % 10 == 0) out.push_back({owner, RRType::TXT, txt_rdata("t" + std::to_string(i))});
  }
  return out;
}

// Snapshots and transfers arrive in canonical order, a replayed journal's
// RRsets last: the builder sorts only such a short tail and merges it in, a
// long one with everything. Either way the zone is the one the same records
// make in any order, and the first-seen spelling and TTL still win.
TEST(ZoneBuilder, InputInCanonicalOrderWithATailBuildsWhatAnyOrderBuilds) {
  const std::vector<StagedRecord> head = canonical_records();
  const std::vector<StagedRecord> short_tail = {
      {"example.", RRType::TXT, txt_rdata("apex")},                 // the smallest owner, last
      {"h1500.example.", RRType::MX, mx_rdata(10, "mx.example.")},  // an owner of the head
      {"zz.example.", RRType::A, a_rdata(192, 0, 2, 9)},            // a new name
      {"h0002.example.", RRType::A, a_rdata(192, 0, 2, 7)},         // one more A at a head name
  };
  std::vector<StagedRecord> mostly = head;
  mostly.insert(mostly.end(), short_tail.begin(), short_tail.end());
  // A long tail: the last third of the names given in reverse.
  std::vector<StagedRecord> long_tail = mostly;
  std::reverse(long_tail.begin() + static_cast<std::ptrdiff_t>(long_tail.size() * 2 / 3), long_tail.end());
  std::vector<StagedRecord> shuffled = mostly;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(11));

  auto expected = build_from(shuffled);
  ASSERT_TRUE(expected);
  EXPECT_EQ(expected->record_count(), mostly.size());
  for (const auto* input : {&mostly, &long_tail}) {
    auto z = build_from(*input);
    ASSERT_TRUE(z);
    EXPECT_EQ(rrset_lines(*z), rrset_lines(*expected));
    EXPECT_EQ(z->node_count(), expected->node_count());
  }

  // A duplicate in the tail, spelled and timed otherwise, loses to the head's.
  std::vector<StagedRecord> with_duplicate = mostly;
  with_duplicate.push_back({"H0007.EXAMPLE.", RRType::A, a_rdata(10, 0, 0, 7), 60});
  auto z = build_from(with_duplicate);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->record_count(), mostly.size());
  EXPECT_EQ(z->find(name("h0007.example."))->owner().to_text(), "h0007.example.");
  EXPECT_EQ(z->find(name("h0007.example."), RRType::A)->ttl(), 3600u);
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

// RFC 4034 section 3: an RRSIG's TTL is that of the RRset it covers, so
// one owner holds one RRSIG group per covered type, each with its own TTL.
TEST(ZoneVersion, RrsigGroupsPerCoveredTypeKeepTheirOwnTtls) {
  ZoneBuilder b = corner_zone_builder();
  add(b, "www.example.", RRType::RRSIG, rrsig_rdata(RRType::TXT, 7200, 2), 7200);
  add(b, "www.example.", RRType::A, a_rdata(10, 0, 0, 1), 300);
  add(b, "www.example.", RRType::RRSIG, rrsig_rdata(RRType::A, 300, 1), 300);
  add(b, "www.example.", RRType::TXT, txt_rdata("x"), 7200);
  add(b, "www.example.", RRType::RRSIG, rrsig_rdata(RRType::TXT, 7200, 1), 7200);
  add(b, "WWW.example.", RRType::RRSIG, rrsig_rdata(RRType::A, 300, 1), 300);  // duplicate
  auto z = build_zone(std::move(b));
  ASSERT_TRUE(z);
  auto node = z->find(name("www.example."));
  ASSERT_TRUE(node);
  ASSERT_EQ(node->rrset_count(), 4u);  // A, TXT, RRSIG over A, RRSIG over TXT
  EXPECT_EQ(node->rrset(0).type(), RRType::A);
  EXPECT_EQ(node->rrset(0).covered(), RRType{});
  EXPECT_EQ(node->rrset(1).type(), RRType::TXT);
  EXPECT_EQ(node->rrset(2).type(), RRType::RRSIG);
  EXPECT_EQ(node->rrset(2).covered(), RRType::A);
  EXPECT_EQ(node->rrset(2).ttl(), 300u);
  EXPECT_EQ(node->rrset(2).size(), 1u);
  EXPECT_EQ(node->rrset(3).type(), RRType::RRSIG);
  EXPECT_EQ(node->rrset(3).covered(), RRType::TXT);
  EXPECT_EQ(node->rrset(3).ttl(), 7200u);
  ASSERT_EQ(node->rrset(3).size(), 2u);
  EXPECT_EQ(get_u16(node->rrset(3).rdata(0).data() + 16), 1u);  // key tags in canonical order
  EXPECT_EQ(get_u16(node->rrset(3).rdata(1).data() + 16), 2u);

  // find(RRSIG) is the first group; find_rrsig picks by covered type.
  ASSERT_TRUE(node->find(RRType::RRSIG));
  EXPECT_EQ(node->find(RRType::RRSIG)->covered(), RRType::A);
  ASSERT_TRUE(node->find_rrsig(RRType::TXT));
  EXPECT_EQ(node->find_rrsig(RRType::TXT)->ttl(), 7200u);
  EXPECT_EQ(node->find_rrsig(RRType::A)->ttl(), 300u);
  EXPECT_FALSE(node->find_rrsig(RRType::MX));
  EXPECT_FALSE(node->find_rrsig(RRType::RRSIG));
  EXPECT_FALSE(z->apex().find_rrsig(RRType::SOA));
  EXPECT_EQ(z->record_count(), build_zone(corner_zone_builder())->record_count() + 5);  // one duplicate
}

TEST(ZoneVersion, RrsigGroupsAloneAtANodeAndAmongManyTypes) {
  ZoneBuilder b = corner_zone_builder();
  // Covered types both below and above RRSIG's own code (46).
  for (RRType t : {RRType::NSEC, RRType::A, RRType::DNSKEY, RRType::NS, RRType::CAA})
    add(b, "sigs.example.", RRType::RRSIG, rrsig_rdata(t, 60, 9), 60 + code(t));
  auto z = build_zone(std::move(b));
  ASSERT_TRUE(z);
  auto node = z->find(name("sigs.example."));
  ASSERT_TRUE(node);
  ASSERT_EQ(node->rrset_count(), 5u);
  std::vector<RRType> covered;
  for (size_t i = 0; i < node->rrset_count(); ++i) {
    EXPECT_EQ(node->rrset(i).ttl(), 60u + code(node->rrset(i).covered()));
    covered.push_back(node->rrset(i).covered());
  }
  EXPECT_EQ(covered, (std::vector<RRType>{RRType::A, RRType::NS, RRType::NSEC, RRType::DNSKEY, RRType::CAA}));
  for (RRType t : covered) EXPECT_EQ(node->find_rrsig(t)->covered(), t);
  EXPECT_FALSE(node->find_rrsig(RRType::MX));
  EXPECT_FALSE(node->find_rrsig(RRType::TXT));
}

TEST(ZoneVersion, DifferingRrsigTtlsForOneCoveredTypeTakeTheFirstAndWarn) {
  ZoneBuilder b = corner_zone_builder();
  add(b, "t.example.", RRType::A, a_rdata(10, 0, 0, 2), 300);
  add(b, "t.example.", RRType::MX, mx_rdata(1, "t.example."), 900);
  add(b, "t.example.", RRType::RRSIG, rrsig_rdata(RRType::A, 300, 1), 300);
  add(b, "t.example.", RRType::RRSIG, rrsig_rdata(RRType::A, 300, 2), 600);
  add(b, "t.example.", RRType::RRSIG, rrsig_rdata(RRType::MX, 900, 1), 900);  // its own group: no warning
  auto result = std::move(b).finish();
  ASSERT_TRUE(result);
  ASSERT_EQ(b.warnings().size(), 1u);  // NOLINT(bugprone-use-after-move): finish() keeps warnings
  EXPECT_EQ(b.warnings()[0], "t.example. RRSIG covering A: TTL 600 differs from the RRset's 300; using 300");
  auto node = (*result)->find(name("t.example."));
  EXPECT_EQ(node->find_rrsig(RRType::A)->ttl(), 300u);
  EXPECT_EQ(node->find_rrsig(RRType::A)->size(), 2u);
  EXPECT_EQ(node->find_rrsig(RRType::MX)->ttl(), 900u);
}

TEST(ZoneBuilder, RejectsMalformedRrsigRdata) {
  ZoneBuilder b = corner_zone_builder();
  for (Rdata bad : {Rdata{}, Rdata{0}, Rdata{0, 1, 13}}) {
    auto r = b.add(name("t.example."), RRType::RRSIG, RRClass::IN, 60, bad);
    EXPECT_FALSE(r) << bad.size();
  }
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
