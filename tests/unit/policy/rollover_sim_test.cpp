// The KASP.md 5.3 acceptance bar, reduced to the state machine: a simulated
// year per scenario, every reachable resolver cache state validated at every
// breakpoint, and negative controls that show the checker has teeth.
#include "rollover_sim.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace signerd::policy::sim {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint{} + seconds(1'800'000'000);
constexpr auto kDay = hours(24);

Kasp policy(std::vector<KeyPolicy> keys) {
  Kasp k;
  k.name = "sim";
  k.keys = std::move(keys);
  return k;
}

Kasp ksk_zsk(std::optional<Seconds> ksk, std::optional<Seconds> zsk, uint8_t alg = 13) {
  return policy({{Role::ksk, ksk, alg, 0}, {Role::zsk, zsk, alg, 0}});
}

std::string first_lines(const std::vector<Violation>& v) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < 5; ++i) out += v[i].what + "\n";
  return out;
}

void expect_safe(const World& w) {
  const auto violations = w.check_caches();
  EXPECT_TRUE(violations.empty()) << first_lines(violations);
  EXPECT_TRUE(w.wakeup_violations.empty()) << w.wakeup_violations.front();
}

// The keys in use at the end: one per policy entry, every record
// omnipresent, and the parent holds exactly the DS of the DNSKEY signers.
void expect_settled(const World& w) {
  size_t in_use = 0;
  std::set<int64_t> ds_keys;
  for (const auto& k : w.driver.keys) {
    if (k.life.goal == Goal::omnipresent) {
      ++in_use;
      for (Record r : kAllRecords) {
        if (has_record(k.role, r)) {
          EXPECT_EQ(k.life.state(r), RecordState::omnipresent) << k.id;
        }
      }
      if (signs_dnskey(k.role)) ds_keys.insert(k.id);
    }
  }
  EXPECT_EQ(in_use, w.driver.kasp.keys.size());
  EXPECT_EQ(w.parent.back().ds, ds_keys);
}

// KASP.md I7, loosely: one key in use per policy entry, and every key that
// retired more than `slack` before the end has left the zone completely.
void expect_rolls_finish(const World& w, Seconds slack) {
  size_t in_use = 0;
  for (const auto& k : w.driver.keys) {
    if (k.life.goal == Goal::omnipresent) ++in_use;
    if (k.life.goal == Goal::hidden && k.life.planned.retire &&
        *k.life.planned.retire + slack < w.driver.now) {
      EXPECT_EQ(summary(k.role, k.life), "removed")
          << "key " << k.id << " retired " << format_time(*k.life.planned.retire);
    }
  }
  EXPECT_EQ(in_use, w.driver.kasp.keys.size());
}

TEST(RolloverSim, KskZskForAYearFromUnsigned) {
  World w(ksk_zsk(kDay * 90, kDay * 30), kT0);
  w.run_until(kT0 + kDay * 365);
  expect_safe(w);
  size_t ksks = 0, zsks = 0;
  for (const auto& created : w.driver.created) {
    // No structured binding: clang 14 refuses to capture one in a lambda.
    const auto id = created.second;
    const bool ksk = std::any_of(w.zone.begin(), w.zone.end(), [&](const ServedVersion& v) {
      return std::any_of(v.keys.begin(), v.keys.end(),
                         [&](const KeyPub& k) { return k.id == id && k.pub.signs_dnskey; });
    });
    (ksk ? ksks : zsks) += 1;
  }
  EXPECT_GE(ksks, 5u);   // first + 4 rolls
  EXPECT_GE(zsks, 13u);  // first + 12 rolls
  // purge-keys bounds what stays in the store.
  EXPECT_LE(w.driver.keys.size(), 8u);
  expect_rolls_finish(w, kDay * 12);
}

TEST(RolloverSim, CskEvery60DaysForAYear) {
  World w(policy({{Role::csk, kDay * 60, 13, 0}}), kT0);
  w.run_until(kT0 + kDay * 365);
  expect_safe(w);
  EXPECT_GE(w.driver.created.size(), 6u);
  expect_rolls_finish(w, kDay * 12);
}

TEST(RolloverSim, UnsignedToSignedFollowsTheFirstSigningTimeline) {
  World w(*builtin_policy("default"), kT0);
  w.run_until(kT0 + kDay * 10);
  expect_safe(w);
  ASSERT_EQ(w.driver.created.size(), 1u);
  const int64_t csk = w.driver.created[0].second;
  EXPECT_EQ(w.parent.size(), 2u);
  EXPECT_EQ(w.parent[1].ds, std::set<int64_t>{csk});
  // CDS at 86 700 s; the parent acts zpd + 20 h later.
  EXPECT_EQ(w.parent[1].applied, kT0 + seconds(86'700) + 5min + hours(20));
  expect_settled(w);
}

void algorithm_roll(AlgorithmRollover order, WorldOptions options = {}) {
  Kasp kasp = ksk_zsk(std::nullopt, std::nullopt, 8);
  kasp.algorithm_rollover = order;
  World w(kasp, kT0, options);
  w.run_until(kT0 + kDay * 60, {{kT0 + kDay * 20, [](KeyDriver& d) {
                                   d.kasp.keys[0].algorithm = 13;
                                   d.kasp.keys[1].algorithm = 13;
                                 }}});
  expect_safe(w);
  // With a double-DS parent some DS set holds both algorithms.
  bool both = false;
  for (const auto& p : w.parent) both = both || p.ds.size() == 2;
  EXPECT_EQ(both, options.parent_keeps_old_for.has_value());
  for (const auto& k : w.driver.keys) {
    if (k.algorithm == 8) {
      EXPECT_EQ(summary(k.role, k.life), "removed") << k.id;
    }
  }
  expect_settled(w);
}

TEST(RolloverSim, AlgorithmRoll8To13Conservative) { algorithm_roll(AlgorithmRollover::conservative); }
TEST(RolloverSim, AlgorithmRoll8To13Liberal) { algorithm_roll(AlgorithmRollover::liberal); }

// The parent keeps the alg 8 DS for two days beside the alg 13 one: strict
// validators want both algorithms' signatures all that time.
WorldOptions double_ds_parent() {
  WorldOptions o;
  o.parent_keeps_old_for = kDay * 2;
  return o;
}
TEST(RolloverSim, AlgorithmRollConservativeWithADoubleDsParent) {
  algorithm_roll(AlgorithmRollover::conservative, double_ds_parent());
}
TEST(RolloverSim, AlgorithmRollLiberalWithADoubleDsParent) {
  algorithm_roll(AlgorithmRollover::liberal, double_ds_parent());
}

// When alg 13 first signs the zone and when its first DNSKEY is served.
std::pair<TimePoint, TimePoint> introduction_of_13(AlgorithmRollover order) {
  Kasp kasp = ksk_zsk(std::nullopt, std::nullopt, 8);
  kasp.algorithm_rollover = order;
  World w(kasp, kT0);
  w.run_until(kT0 + kDay * 60, {{kT0 + kDay * 20, [](KeyDriver& d) {
                                   for (auto& e : d.kasp.keys) e.algorithm = 13;
                                 }}});
  TimePoint signs = TimePoint::max(), dnskey = TimePoint::max();
  for (const auto& v : w.zone) {
    for (const auto& k : v.keys) {
      if (k.algorithm == 13 && k.pub.signs_zone) signs = std::min(signs, v.offered);
      if (k.algorithm == 13 && k.pub.dnskey) dnskey = std::min(dnskey, v.offered);
    }
  }
  return {signs, dnskey};
}

TEST(RolloverSim, ConservativeAlgorithmRollSignsOneMaxTtlBeforePublishing) {
  const auto [signs, dnskey] = introduction_of_13(AlgorithmRollover::conservative);
  EXPECT_EQ(signs, kT0 + kDay * 20);
  EXPECT_EQ(dnskey, signs + hours(24) + std::chrono::minutes(5));  // max-zone-ttl + zpd
  const auto [signs_l, dnskey_l] = introduction_of_13(AlgorithmRollover::liberal);
  EXPECT_EQ(signs_l, kT0 + kDay * 20);
  EXPECT_EQ(dnskey_l, signs_l);  // BIND's order: together
}

TEST(RolloverSim, AlgorithmChangeMidZskRollIsQueuedThenCompletes) {
  World w(ksk_zsk(std::nullopt, kDay * 30), kT0);
  w.run_until(kT0 + kDay * 120, {{kT0 + kDay * 31, [](KeyDriver& d) {
                                    for (auto& e : d.kasp.keys) e.algorithm = 8;
                                  }}});
  expect_safe(w);
  // The first alg 8 key comes only after the alg 13 ZSK roll left nothing in R or U.
  TimePoint first8 = TimePoint::max();
  for (const auto& [t, id] : w.driver.created) {
    for (const auto& v : w.zone) {
      for (const auto& k : v.keys) {
        if (k.id == id && k.algorithm == 8) first8 = std::min(first8, t);
      }
    }
  }
  EXPECT_GT(first8, kT0 + kDay * 40);
  EXPECT_LT(first8, kT0 + kDay * 41);
  expect_settled(w);
}

TEST(RolloverSim, SchemeChangeKskZskToCskAndBack) {
  World w(ksk_zsk(std::nullopt, std::nullopt), kT0);
  w.run_until(kT0 + kDay * 80,
              {{kT0 + kDay * 10,
                [](KeyDriver& d) {
                  d.kasp.keys = {{Role::csk, std::nullopt, 13, 0}};
                }},
               {kT0 + kDay * 40, [](KeyDriver& d) {
                  d.kasp.keys = {{Role::ksk, std::nullopt, 13, 0}, {Role::zsk, std::nullopt, 13, 0}};
                }}});
  expect_safe(w);
  EXPECT_EQ(w.driver.created.size(), 5u);  // KSK, ZSK, CSK, KSK, ZSK
  expect_settled(w);
}

TEST(RolloverSim, LifetimeShortenedMidRollStaysSafe) {
  World w(ksk_zsk(kDay * 90, kDay * 30), kT0);
  w.run_until(kT0 + kDay * 200,
              {{kT0 + kDay * 35, [](KeyDriver& d) { d.kasp.keys[1].lifetime = kDay * 15; }},
               {kT0 + kDay * 100, [](KeyDriver& d) { d.kasp.keys[0].lifetime = kDay * 45; }}});
  expect_safe(w);
  expect_rolls_finish(w, kDay * 12);
}

TEST(RolloverSim, GoingInsecureAndBackToSecure) {
  World w(*builtin_policy("default"), kT0);
  w.run_until(kT0 + kDay * 40, {{kT0 + kDay * 10, [](KeyDriver& d) { d.kasp.keys.clear(); }}});
  expect_safe(w);
  EXPECT_TRUE(w.parent.back().ds.empty());
  for (const auto& k : w.driver.keys) EXPECT_EQ(summary(k.role, k.life), "removed");
  EXPECT_FALSE(w.zone.back().cds_delete);  // DELETE goes with the last signing KSK
  bool deleted = false;
  for (const auto& v : w.zone) deleted = deleted || v.cds_delete;
  EXPECT_TRUE(deleted);
  World back(*builtin_policy("default"), kT0);
  back.run_until(kT0 + kDay * 150,
                 {{kT0 + kDay * 10, [](KeyDriver& d) { d.kasp.keys.clear(); }},
                  {kT0 + kDay * 40, [](KeyDriver& d) { d.kasp = *builtin_policy("default"); }}});
  expect_safe(back);
  EXPECT_EQ(back.driver.created.size(), 2u);
  expect_settled(back);
}

TEST(RolloverSim, ThreeManualKskRollsWithinIpub) {
  // BIND #2375: roll the successor again before its introduction finished.
  World w(ksk_zsk(std::nullopt, std::nullopt), kT0);
  auto roll_current_ksk = [](KeyDriver& d) {
    for (const auto& k : d.keys) {
      if (k.role == Role::ksk && k.life.goal == Goal::omnipresent)
        d.standing.rollover_requested[k.id] = d.now;
    }
  };
  w.run_until(kT0 + kDay * 40, {{kT0 + kDay * 10, roll_current_ksk},
                                {kT0 + kDay * 10 + hours(1), roll_current_ksk},
                                {kT0 + kDay * 10 + hours(2), roll_current_ksk}});
  expect_safe(w);
  EXPECT_EQ(w.driver.created.size(), 5u);  // KSK, ZSK, three successors
  expect_settled(w);
}

TEST(RolloverSim, ManualModeWithAnOperatorWhoStepsADayLater) {
  Kasp kasp = ksk_zsk(kDay * 90, kDay * 30);
  kasp.manual_mode = true;
  WorldOptions o;
  o.operator_step_delay = kDay;
  World w(kasp, kT0, o);
  w.run_until(kT0 + kDay * 200);
  expect_safe(w);
  EXPECT_GE(w.driver.created.size(), 6u);  // the rolls happen, late
  EXPECT_GT(w.steps, 10u);
  // Nobody steps: nothing is ever signed.
  World idle(kasp, kT0);
  idle.run_until(kT0 + kDay * 30);
  EXPECT_TRUE(idle.driver.created.empty());
  EXPECT_EQ(idle.zone.size(), 1u);
}

// Negative controls: each broken machine or trajectory must be caught.

TEST(RolloverSimNegative, Rule3DisabledIsCaught) {
  World w(ksk_zsk(std::nullopt, kDay * 30), kT0);
  w.driver.mutations.rules.enforce[2] = false;
  w.run_until(kT0 + kDay * 45);
  EXPECT_FALSE(w.check_caches().empty());
}

TEST(RolloverSimNegative, DsSwappedEarlyIsCaught) {
  WorldOptions o;
  o.parent_delay = std::chrono::minutes(10);
  o.mutations.cds_at_dnskey_publication = true;
  World w(ksk_zsk(kDay * 30, std::nullopt), kT0, o);
  w.run_until(kT0 + kDay * 45);
  EXPECT_FALSE(w.check_caches().empty());
  // The same world without the mutation is safe: the delay alone is not the cause.
  WorldOptions fast;
  fast.parent_delay = std::chrono::minutes(10);
  World good(ksk_zsk(kDay * 30, std::nullopt), kT0, fast);
  good.run_until(kT0 + kDay * 45);
  expect_safe(good);
}

TEST(RolloverSimNegative, ZskDnskeyRemovedWithItsSignaturesIsCaught) {
  WorldOptions o;
  o.mutations.dnskey_leaves_with_signatures = true;
  World w(ksk_zsk(std::nullopt, kDay * 30), kT0, o);
  w.run_until(kT0 + kDay * 45);
  EXPECT_FALSE(w.check_caches().empty());
}

TEST(CacheChecker, StrictModeWantsAPathPerAlgorithmInTheDsSet) {
  World w(ksk_zsk(std::nullopt, std::nullopt), kT0);
  // A hand-built trajectory: DS for an alg 8 and an alg 13 KSK, both
  // DNSKEYs published and signing the DNSKEY RRset, zone data signed by
  // the alg 8 ZSK only.
  ServedVersion v;
  v.offered = kT0;
  v.keys = {{1, 8, std::nullopt, {true, true, false, false}},
            {2, 13, std::nullopt, {true, true, false, false}},
            {3, 8, std::nullopt, {true, false, true, false}}};
  w.zone = {v};
  w.parent = {{kT0, {1, 2}}};
  auto violations = w.check_caches();
  ASSERT_FALSE(violations.empty());
  EXPECT_TRUE(std::all_of(violations.begin(), violations.end(), [](const Violation& x) { return x.strict; }));
  // With an alg 13 ZSK too, both modes pass.
  w.zone[0].keys.push_back({4, 13, std::nullopt, {true, false, true, false}});
  EXPECT_TRUE(w.check_caches().empty()) << first_lines(w.check_caches());
}

TEST(CacheChecker, ADsWithoutItsDnskeyInSomeCacheIsBogus) {
  World w(ksk_zsk(std::nullopt, std::nullopt), kT0);
  ServedVersion before, after;
  before.offered = kT0;
  before.keys = {{1, 13, std::nullopt, {true, true, false, false}},
                 {3, 13, std::nullopt, {true, false, true, false}}};
  after = before;
  after.offered = kT0 + hours(1);
  after.keys.push_back({2, 13, std::nullopt, {true, true, false, false}});
  w.zone = {before, after};
  // The parent switches to KSK 2 only 10 minutes after its DNSKEY appeared:
  // a resolver may still hold the DNSKEY RRset without it.
  w.parent = {{kT0, {1}}, {kT0 + hours(1) + std::chrono::minutes(10), {2}}};
  EXPECT_FALSE(w.check_caches().empty());
  w.parent[1].applied = kT0 + hours(3);  // after dnskey-ttl + zpd: fine
  EXPECT_TRUE(w.check_caches().empty()) << first_lines(w.check_caches());
}

}  // namespace
}  // namespace signerd::policy::sim
