#include "dns/zone_diff_merge.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "dns/zone_file.hpp"
#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using testing::a_rdata;
using testing::name;
using testing::soa_rdata;
using testing::txt_rdata;

// A zone as plain values, for mutating at random.
struct Model {
  uint32_t serial = 1;
  // (owner, A or TXT) -> (ttl, rdata indexes)
  std::map<std::pair<std::string, RRType>, std::pair<uint32_t, std::set<int>>> sets;
};

Rdata rdata_for(RRType type, int i) {
  return type == RRType::A ? a_rdata(192, 0, 2, static_cast<uint8_t>(i)) : txt_rdata("t" + std::to_string(i));
}

std::shared_ptr<const ZoneVersion> build(const Model& m) {
  ZoneBuilder b(name("example."));
  testing::add(b, "example.", RRType::SOA, soa_rdata(m.serial));
  testing::add(b, "example.", RRType::NS, testing::name_rdata("ns1.example."));
  for (const auto& [key, value] : m.sets) {
    for (int i : value.second) testing::add(b, key.first, key.second, rdata_for(key.second, i), value.first);
  }
  return testing::build_zone(std::move(b));
}

void mutate(Model& m, std::mt19937& rng) {
  static const char* kOwners[] = {"a.example.", "b.example.", "c.d.example.", "example.", "ns1.example."};
  m.serial += static_cast<uint32_t>(1 + rng() % 3);
  int changes = 1 + static_cast<int>(rng() % 6);
  for (int c = 0; c < changes; ++c) {
    auto key = std::make_pair(std::string(kOwners[rng() % 5]), rng() % 2 ? RRType::A : RRType::TXT);
    auto& value = m.sets[key];
    if (value.first == 0) value.first = 300;
    if (rng() % 4 == 0) {
      value.first = value.first == 300 ? 600 : 300;  // a TTL change
    } else {
      int i = static_cast<int>(rng() % 4);
      if (!value.second.erase(i)) value.second.insert(i);
    }
    if (value.second.empty()) m.sets.erase(key);
  }
}

std::string text(const ZoneVersion& z) {
  std::string out;
  write_zone(z, out);
  return out;
}

TEST(MergeDiffs, EqualsApplyingStepsOneByOneOnRandomDiffs) {
  std::mt19937 rng(20261123);
  for (int round = 0; round < 200; ++round) {
    Model m;
    for (int i = 0; i < 3; ++i) mutate(m, rng);
    auto base = build(m);
    ASSERT_TRUE(base);
    std::vector<ZoneDiff> steps;
    auto step_by_step = base;
    int n = 1 + static_cast<int>(rng() % 5);
    for (int s = 0; s < n; ++s) {
      mutate(m, rng);
      auto next = build(m);
      ASSERT_TRUE(next);
      steps.push_back(diff_versions(*step_by_step, *next));
      auto applied = apply_diff(*step_by_step, steps.back());
      ASSERT_TRUE(applied) << applied.error().to_string();
      step_by_step = *applied;
    }
    ZoneDiff merged = merge_diffs(steps);
    EXPECT_EQ(merged.from, steps.front().from);
    EXPECT_EQ(merged.to, steps.back().to);
    auto result = apply_diff(*base, merged);
    ASSERT_TRUE(result) << "round " << round << ": " << result.error().to_string();
    EXPECT_EQ(text(**result), text(*step_by_step)) << "round " << round;
    // Nothing that cancels out is left in the merged diff.
    ZoneDiff direct = diff_versions(*base, *step_by_step);
    size_t merged_rrs = 0;
    size_t direct_rrs = 0;
    for (const auto& s : merged.removed) merged_rrs += s.size();
    for (const auto& s : merged.added) merged_rrs += s.size();
    for (const auto& s : direct.removed) direct_rrs += s.size();
    for (const auto& s : direct.added) direct_rrs += s.size();
    EXPECT_LE(merged_rrs, direct_rrs) << "round " << round;
  }
}

RRset rrset(std::string_view owner, RRType type, uint32_t ttl, const Rdata& rd) {
  RRset s(name(owner), type, RRClass::IN, ttl);
  s.add(rd);
  return s;
}

TEST(MergeDiffs, AddedThenRemovedVanishes) {
  std::vector<ZoneDiff> steps{{1,
                               2,
                               {rrset("example.", RRType::SOA, 3600, soa_rdata(1))},
                               {rrset("example.", RRType::SOA, 3600, soa_rdata(2)),
                                rrset("x.example.", RRType::A, 300, a_rdata(1, 2, 3, 4))}},
                              {2,
                               3,
                               {rrset("example.", RRType::SOA, 3600, soa_rdata(2)),
                                rrset("x.example.", RRType::A, 300, a_rdata(1, 2, 3, 4))},
                               {rrset("example.", RRType::SOA, 3600, soa_rdata(3))}}};
  ZoneDiff merged = merge_diffs(steps);
  EXPECT_EQ(merged.from, 1u);
  EXPECT_EQ(merged.to, 3u);
  ASSERT_EQ(merged.removed.size(), 1u);
  ASSERT_EQ(merged.added.size(), 1u);
  EXPECT_EQ(merged.removed[0], rrset("example.", RRType::SOA, 3600, soa_rdata(1)));
  EXPECT_EQ(merged.added[0], rrset("example.", RRType::SOA, 3600, soa_rdata(3)));
}

TEST(MergeDiffs, RemovedThenAddedBackVanishesUnlessTtlChanged) {
  auto rd = a_rdata(1, 2, 3, 4);
  std::vector<ZoneDiff> same{{1, 2, {rrset("x.example.", RRType::A, 300, rd)}, {}},
                             {2, 3, {}, {rrset("x.example.", RRType::A, 300, rd)}}};
  EXPECT_TRUE(merge_diffs(same).empty());
  std::vector<ZoneDiff> changed{{1, 2, {rrset("x.example.", RRType::A, 300, rd)}, {}},
                                {2, 3, {}, {rrset("x.example.", RRType::A, 600, rd)}}};
  ZoneDiff merged = merge_diffs(changed);
  ASSERT_EQ(merged.removed.size(), 1u);
  ASSERT_EQ(merged.added.size(), 1u);
  EXPECT_EQ(merged.removed[0].ttl(), 300u);
  EXPECT_EQ(merged.added[0].ttl(), 600u);
}

TEST(MergeDiffs, EmptySpanGivesEmptyDiff) {
  ZoneDiff merged = merge_diffs({});
  EXPECT_TRUE(merged.empty());
  EXPECT_EQ(merged.from, 0u);
  EXPECT_EQ(merged.to, 0u);
}

}  // namespace
}  // namespace signerd::dns
