#include "policy/evaluate.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "key_fixtures.hpp"
#include "policy/key_timing.hpp"
#include "rollover_sim.hpp"

namespace signerd::policy {
namespace {

using sim::KeyDriver;
using std::chrono::seconds;
using testing::make_key;
using RS = RecordState;

const TimePoint kT0 = TimePoint{} + seconds(1'800'000'000);

Kasp ksk_zsk(std::optional<Seconds> ksk_life, std::optional<Seconds> zsk_life) {
  Kasp k;
  k.name = "example";
  k.keys = {{Role::ksk, ksk_life, 13, 0}, {Role::zsk, zsk_life, 13, 0}};
  return k;
}

// A key in steady use since long before kT0, first of its entry at kT0.
ZoneKey steady(int64_t id, Role role, std::optional<Seconds> lifetime, const Kasp& kasp) {
  auto k = make_key(id, role, role == Role::zsk ? "O-O-" : (role == Role::ksk ? "OO-O" : "OOOO"),
                    Goal::omnipresent, 13, kT0 - 24h * 30);
  k.life.lifetime = lifetime;
  k.life.planned = plan_first_key(role, lifetime, kasp, kT0);
  if (signs_dnskey(role)) k.life.ds.published = kT0 - 24h * 30;
  return k;
}

// Runs the driver from wakeup to wakeup up to `until`; `before` may add
// observations before each run.
void drive(KeyDriver& d, TimePoint until, const std::function<void(KeyDriver&)>& before = {}) {
  for (;;) {
    if (before) before(d);
    const Evaluation e = d.run();
    if (!e.next_wakeup || *e.next_wakeup > until) return;
    d.now = *e.next_wakeup;
  }
}

std::optional<TimePoint> when(const KeyDriver& d, int64_t id, Record r, RS to) {
  for (const auto& [t, tr] : d.log) {
    if (tr.key_id == id && tr.record == r && tr.to == to) return t;
  }
  return std::nullopt;
}

const ZoneKey& key(const KeyDriver& d, int64_t id) {
  for (const auto& k : d.keys) {
    if (k.id == id) return k;
  }
  static const ZoneKey none;
  return none;
}

TEST(WorkedExample, ZskPrepublicationWithBindDefaults) {
  // KASP.md 2.5: Ipub 7500 s, Iret 867 900 s, DNSKEY removal 3900 s.
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  KeyDriver d(kasp, kT0);
  d.keys = {steady(1, Role::ksk, std::nullopt, kasp), steady(2, Role::zsk, 24h * 30, kasp)};
  d.next_id = 3;
  drive(d, kT0 + 24h * 41);
  ASSERT_GE(d.created.size(), 1u);
  EXPECT_EQ(d.created[0], std::make_pair(kT0 + seconds(2'584'500), int64_t{3}));
  EXPECT_EQ(key(d, 2).life.goal, Goal::hidden);
  EXPECT_EQ(key(d, 3).life.predecessor, 2);
  EXPECT_EQ(key(d, 3).life.planned.active, kT0 + 24h * 30);
  EXPECT_EQ(when(d, 3, Record::dnskey, RS::rumoured), kT0 + seconds(2'584'500));
  EXPECT_EQ(when(d, 3, Record::dnskey, RS::omnipresent), kT0 + seconds(2'592'000));
  EXPECT_EQ(when(d, 3, Record::zrrsig, RS::rumoured), kT0 + seconds(2'592'000));
  EXPECT_EQ(when(d, 2, Record::zrrsig, RS::unretentive), kT0 + seconds(2'592'000));
  EXPECT_EQ(when(d, 3, Record::zrrsig, RS::omnipresent), kT0 + seconds(3'459'900));
  EXPECT_EQ(when(d, 2, Record::zrrsig, RS::hidden), kT0 + seconds(3'459'900));
  EXPECT_EQ(when(d, 2, Record::dnskey, RS::unretentive), kT0 + seconds(3'459'900));
  EXPECT_EQ(when(d, 2, Record::dnskey, RS::hidden), kT0 + seconds(3'463'800));
  EXPECT_EQ(key(d, 2).life.planned.remove, kT0 + 24h * 30 + seconds(867'900));  // 40d 1h05m
  // Purged purge-keys (90 d) after its last change, not a second earlier.
  drive(d, kT0 + seconds(3'463'800) + 24h * 90 - seconds(1));
  EXPECT_EQ(key(d, 2).id, 2);
  d.now = kT0 + seconds(3'463'800) + 24h * 90;
  const auto e = d.run();
  EXPECT_EQ(e.purge, std::vector<int64_t>{2});
  EXPECT_EQ(key(d, 2).id, 0);
}

TEST(WorkedExample, ZskRollWithAFullResignObservedBySigner) {
  // KASP.md 2.5, full re-sign at 30d: swap done at 31d 1h05m, DNSKEY gone at 31d 2h10m.
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  KeyDriver d(kasp, kT0);
  d.keys = {steady(1, Role::ksk, std::nullopt, kasp), steady(2, Role::zsk, 24h * 30, kasp)};
  d.next_id = 3;
  drive(d, kT0 + 24h * 30);
  // The signer re-signed everything in the version that made the swap and
  // reports it; the daemon runs again on that report.
  for (auto& k : d.keys) {
    if (k.id == 3) k.life.signatures.complete = k.life.changed(Record::zrrsig);
    if (k.id == 2) k.life.signatures.gone = k.life.changed(Record::zrrsig);
  }
  EXPECT_EQ(key(d, 3).life.signatures.complete, kT0 + 24h * 30);
  drive(d, kT0 + 24h * 32);
  EXPECT_EQ(when(d, 3, Record::zrrsig, RS::omnipresent), kT0 + 24h * 31 + 1h + 5min);
  EXPECT_EQ(when(d, 2, Record::dnskey, RS::hidden), kT0 + 24h * 31 + 2h + 10min);
}

TEST(WorkedExample, KskDoubleKskWithParentActing21hLater) {
  // KASP.md 2.6: Iret KSK 93 600 s; DS swap observed at 365d 21h.
  const Kasp kasp = ksk_zsk(24h * 365, std::nullopt);
  KeyDriver d(kasp, kT0);
  d.keys = {steady(1, Role::ksk, 24h * 365, kasp), steady(2, Role::zsk, std::nullopt, kasp)};
  d.next_id = 3;
  const TimePoint seen = kT0 + 24h * 365 + 21h;
  drive(d, kT0 + 24h * 368, [&](KeyDriver& dr) {
    if (dr.now < seen) return;
    for (auto& k : dr.keys) {
      if (k.id == 3 && !k.life.ds.published) k.life.ds.published = seen;
      if (k.id == 1 && !k.life.ds.withdrawn) k.life.ds.withdrawn = seen;
    }
  });
  EXPECT_EQ(d.created.at(0).first, kT0 + seconds(31'528'500));
  EXPECT_EQ(when(d, 3, Record::dnskey, RS::rumoured), kT0 + seconds(31'528'500));
  EXPECT_EQ(when(d, 3, Record::krrsig, RS::rumoured), kT0 + seconds(31'528'500));
  EXPECT_EQ(key(d, 3).life.planned.sync_publish, kT0 + 24h * 365);
  EXPECT_EQ(when(d, 3, Record::dnskey, RS::omnipresent), kT0 + seconds(31'536'000));
  EXPECT_EQ(when(d, 3, Record::ds, RS::rumoured), kT0 + seconds(31'536'000));
  EXPECT_EQ(when(d, 1, Record::ds, RS::unretentive), kT0 + seconds(31'536'000));
  EXPECT_EQ(when(d, 3, Record::ds, RS::omnipresent), kT0 + seconds(31'705'200));
  EXPECT_EQ(when(d, 1, Record::ds, RS::hidden), kT0 + seconds(31'705'200));
  EXPECT_EQ(when(d, 1, Record::dnskey, RS::unretentive), kT0 + seconds(31'705'200));
  EXPECT_EQ(when(d, 1, Record::krrsig, RS::hidden), kT0 + seconds(31'709'100));
  EXPECT_EQ(when(d, 1, Record::dnskey, RS::hidden), kT0 + seconds(31'709'100));
}

TEST(WorkedExample, FirstSigningOfACskThenItsDs) {
  // KASP.md 2.6 "first signing": D, K, Z -> R at 0; D, K -> O at 7500; Z -> O
  // and S -> R at 86 700; S -> O at DSPublish + 86 400 + 3600.
  auto kasp = *builtin_policy("default");
  KeyDriver d(kasp, kT0);
  const TimePoint seen = kT0 + seconds(86'700) + 21h;
  drive(d, kT0 + 24h * 5, [&](KeyDriver& dr) {
    if (dr.now >= seen && !dr.keys.empty() && !dr.keys[0].life.ds.published)
      dr.keys[0].life.ds.published = seen;
  });
  ASSERT_EQ(d.created.size(), 1u);  // BIND #1593: no extra keys during the first signing
  const int64_t csk = d.created[0].second;
  for (Record r : {Record::dnskey, Record::krrsig, Record::zrrsig})
    EXPECT_EQ(when(d, csk, r, RS::rumoured), kT0);
  EXPECT_EQ(when(d, csk, Record::dnskey, RS::omnipresent), kT0 + seconds(7500));
  EXPECT_EQ(when(d, csk, Record::zrrsig, RS::omnipresent), kT0 + seconds(86'700));
  EXPECT_EQ(when(d, csk, Record::ds, RS::rumoured), kT0 + seconds(86'700));
  EXPECT_EQ(key(d, csk).life.planned.sync_publish, kT0 + seconds(86'700));
  EXPECT_EQ(when(d, csk, Record::ds, RS::omnipresent), seen + seconds(90'000));
}

TEST(Evaluate, NextWakeupIsExactNothingChangesBeforeIt) {
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  const std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                                     steady(2, Role::zsk, 24h * 30, kasp)};
  const auto e = evaluate(keys, kasp, {}, kT0);
  EXPECT_TRUE(e.transitions.empty());
  EXPECT_FALSE(e.publication_changed);
  ASSERT_EQ(e.next_wakeup, kT0 + seconds(2'584'500));  // the prepublication time
  const auto before = evaluate(keys, kasp, {}, *e.next_wakeup - seconds(1));
  EXPECT_TRUE(before.requests.empty());
  const auto at = evaluate(keys, kasp, {}, *e.next_wakeup);
  ASSERT_EQ(at.requests.size(), 1u);
  EXPECT_EQ(at.requests[0].predecessor, 2);
  EXPECT_EQ(at.requests[0].policy_entry, 1u);
  EXPECT_EQ(at.requests[0].planned.publish, *e.next_wakeup);
}

TEST(Evaluate, PublicationChangesOnlyWithRumouredOrUnretentive) {
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  KeyDriver d(kasp, kT0 + seconds(2'584'500));
  d.keys = {steady(1, Role::ksk, std::nullopt, kasp), steady(2, Role::zsk, 24h * 30, kasp)};
  d.next_id = 3;
  EXPECT_TRUE(d.run().publication_changed);  // ZSK3 DNSKEY H -> R
  d.now = kT0 + seconds(2'592'000);
  const auto e = d.run();  // D R -> O (no change) with Z swap (change)
  EXPECT_TRUE(e.publication_changed);
  auto quiet = evaluate(d.keys, kasp, {}, kT0 + seconds(2'600'000));
  EXPECT_FALSE(quiet.publication_changed);
}

TEST(Evaluate, ExplainsWhatEachRecordWaitsFor) {
  const Kasp kasp = ksk_zsk(24h * 365, std::nullopt);
  KeyDriver d(kasp, kT0 + seconds(31'536'000));
  auto ksk1 = steady(1, Role::ksk, 24h * 365, kasp);
  auto ksk2 = make_key(3, Role::ksk, "OO-H", Goal::omnipresent, 13, kT0 + seconds(31'528'500));
  ksk1.life.goal = Goal::hidden;
  testing::link(ksk1, ksk2);
  d.keys = {ksk1, steady(2, Role::zsk, std::nullopt, kasp), ksk2};
  const auto e = d.run();
  bool found = false;
  for (const auto& p : e.pending) {
    if (p.key_id == 3 && p.record == Record::ds) {
      found = true;
      EXPECT_EQ(p.blocker, Blocker::parent);
      EXPECT_EQ(p.at, d.now + kasp.checkds_interval);
      EXPECT_NE(p.why.find("DS of ksk 10003 (id 3) waits for the parent: not yet seen published"),
                std::string::npos)
          << p.why;
    }
    if (p.key_id == 1 && p.record == Record::dnskey) {
      EXPECT_EQ(p.blocker, Blocker::rule);
      EXPECT_NE(p.why.find("rule 2"), std::string::npos) << p.why;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(e.next_wakeup, d.now + kasp.checkds_interval);
}

TEST(Evaluate, GoingInsecureWithdrawsTheDsFirstThenEverything) {
  Kasp kasp = ksk_zsk(std::nullopt, std::nullopt);
  std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                               steady(2, Role::zsk, std::nullopt, kasp)};
  kasp.keys.clear();
  KeyDriver d(kasp, kT0);
  d.keys = keys;
  const auto e = d.run();
  EXPECT_TRUE(e.going_insecure);
  EXPECT_EQ(e.retired, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(e.transitions.size(), 1u);  // only the DS moves (rule 1 by the S2I clause)
  EXPECT_EQ(e.transitions[0], (Transition{1, Record::ds, RS::omnipresent, RS::unretentive}));
  const TimePoint gone = kT0 + 5h;
  drive(d, kT0 + 24h * 10, [&](KeyDriver& dr) {
    if (dr.now >= gone && !dr.keys.empty() && !dr.keys[0].life.ds.withdrawn)
      dr.keys[0].life.ds.withdrawn = gone;
  });
  const TimePoint ds_hidden = gone + seconds(90'000);  // no rollover links: no retire-safety
  EXPECT_EQ(when(d, 1, Record::ds, RS::hidden), ds_hidden);
  EXPECT_EQ(when(d, 1, Record::dnskey, RS::unretentive), ds_hidden);
  EXPECT_EQ(when(d, 2, Record::zrrsig, RS::unretentive), ds_hidden);
  EXPECT_EQ(when(d, 2, Record::dnskey, RS::hidden), ds_hidden + seconds(3900));
  EXPECT_EQ(when(d, 2, Record::zrrsig, RS::hidden), ds_hidden + seconds(86'700));
  for (const auto& k : d.keys) EXPECT_EQ(summary(k.role, k.life), "removed");
}

TEST(Evaluate, ManualModeBlocksRolloverAndPublishingUntilAStep) {
  Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  kasp.manual_mode = true;
  KeyDriver d(kasp, kT0 + seconds(2'584'500));
  d.keys = {steady(1, Role::ksk, std::nullopt, kasp), steady(2, Role::zsk, 24h * 30, kasp)};
  d.next_id = 3;
  auto e = d.run();
  EXPECT_TRUE(d.created.empty());
  ASSERT_EQ(e.notes.size(), 1u);
  EXPECT_NE(e.notes[0].find("manual-mode: rollover of zsk 10002 (id 2) waits for a step"), std::string::npos);
  e = d.run(true);  // the step creates the successor and publishes its DNSKEY in the same run
  ASSERT_EQ(d.created.size(), 1u);
  EXPECT_EQ(key(d, 3).life.state(Record::dnskey), RS::rumoured);
  d.now = kT0 + seconds(2'592'000);
  e = d.run();  // -> O happens by itself; the signature swap waits
  EXPECT_EQ(key(d, 3).life.state(Record::dnskey), RS::omnipresent);
  EXPECT_EQ(key(d, 3).life.state(Record::zrrsig), RS::hidden);
  bool manual_pending = false;
  for (const auto& p : e.pending) manual_pending = manual_pending || p.blocker == Blocker::manual_mode;
  EXPECT_TRUE(manual_pending);
  e = d.run(true);
  EXPECT_EQ(key(d, 3).life.state(Record::zrrsig), RS::rumoured);
  EXPECT_EQ(key(d, 2).life.state(Record::zrrsig), RS::unretentive);
}

TEST(Evaluate, Bind4677LifetimeChangeAppliesToKeysInUse) {
  Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                               steady(2, Role::zsk, 24h * 30, kasp)};
  kasp.keys[1].lifetime = 24h * 60;
  auto e = evaluate(keys, kasp, {}, kT0 + 24h);
  EXPECT_EQ(e.keys[1].life.lifetime, 24h * 60);
  EXPECT_EQ(e.keys[1].life.planned.retire, kT0 + 24h * 60);
  EXPECT_EQ(e.next_wakeup, kT0 + 24h * 60 - seconds(7500));
  kasp.keys[1].lifetime = std::nullopt;
  e = evaluate(e.keys, kasp, {}, kT0 + 48h);
  EXPECT_FALSE(e.keys[1].life.planned.retire);
  EXPECT_FALSE(e.keys[1].life.planned.remove);
  EXPECT_FALSE(e.next_wakeup);
}

TEST(Evaluate, Bind1624KeysMatchingNoEntryRetireAndTheNewSchemeIsRequested) {
  Kasp kasp = ksk_zsk(std::nullopt, std::nullopt);
  std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                               steady(2, Role::zsk, std::nullopt, kasp)};
  kasp.keys = {{Role::csk, std::nullopt, 13, 0}};
  const auto e = evaluate(keys, kasp, {}, kT0);
  EXPECT_EQ(e.retired, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(e.requests.size(), 1u);
  EXPECT_EQ(e.requests[0].key.role, Role::csk);
  EXPECT_FALSE(e.requests[0].predecessor);
}

TEST(Evaluate, StructuralChangeIsQueuedWhileARolloverIsInFlight) {
  Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  auto zsk1 = steady(2, Role::zsk, 24h * 30, kasp);
  auto zsk3 = make_key(3, Role::zsk, "R-H-", Goal::omnipresent, 13, kT0);
  zsk1.life.goal = Goal::hidden;
  testing::link(zsk1, zsk3);
  const std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp), zsk1, zsk3};
  kasp.keys = {{Role::ksk, std::nullopt, 8, 0}, {Role::zsk, std::nullopt, 8, 0}};
  auto e = evaluate(keys, kasp, {}, kT0 + 1h);
  EXPECT_TRUE(e.retired.empty());
  EXPECT_TRUE(e.requests.empty());
  ASSERT_FALSE(e.notes.empty());
  EXPECT_NE(e.notes[0].find("queued"), std::string::npos);
  // Going insecure never waits.
  kasp.keys.clear();
  e = evaluate(keys, kasp, {}, kT0 + 1h);
  EXPECT_EQ(e.retired, (std::vector<int64_t>{1, 3}));
}

TEST(Evaluate, ExtraKeysOfOneEntryRetireUnlessLinked) {
  const Kasp kasp = ksk_zsk(std::nullopt, std::nullopt);
  const std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                                     steady(2, Role::zsk, std::nullopt, kasp),
                                     steady(3, Role::zsk, std::nullopt, kasp)};
  const auto e = evaluate(keys, kasp, {}, kT0);
  EXPECT_EQ(e.retired, std::vector<int64_t>{3});
}

TEST(Evaluate, PurgeKeysZeroKeepsKeysForEver) {
  Kasp kasp = ksk_zsk(std::nullopt, std::nullopt);
  kasp.purge_keys = seconds(0);
  std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                               steady(2, Role::zsk, std::nullopt, kasp),
                               make_key(3, Role::zsk, "H-H-", Goal::hidden, 13, kT0 - 24h * 365)};
  auto e = evaluate(keys, kasp, {}, kT0);
  EXPECT_TRUE(e.purge.empty());
  EXPECT_EQ(e.keys.size(), 3u);
  kasp.purge_keys = 24h * 90;
  e = evaluate(keys, kasp, {}, kT0);
  EXPECT_EQ(e.purge, std::vector<int64_t>{3});
}

TEST(Evaluate, ManualRolloverRequestPublishesTheSuccessorThen) {
  const Kasp kasp = ksk_zsk(std::nullopt, std::nullopt);
  const std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                                     steady(2, Role::zsk, std::nullopt, kasp)};
  Observations obs;
  obs.rollover_requested[2] = kT0 + 24h;
  auto e = evaluate(keys, kasp, obs, kT0);
  EXPECT_TRUE(e.requests.empty());
  EXPECT_EQ(e.keys[1].life.planned.retire, kT0 + 24h + seconds(7500));
  EXPECT_EQ(e.next_wakeup, kT0 + 24h);
  e = evaluate(e.keys, kasp, obs, kT0 + 24h);
  ASSERT_EQ(e.requests.size(), 1u);
  EXPECT_EQ(e.requests[0].planned.active, kT0 + 24h + seconds(7500));
}

TEST(Evaluate, ZskRolloverWaitsUntilItsSignaturesAreOmnipresent) {
  // A ZSK whose lifetime ends before its own signatures are everywhere:
  // rolling it then would deadlock (see evaluate.cpp); the roll waits.
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  auto zsk = steady(2, Role::zsk, 24h * 30, kasp);
  zsk.life.set(Record::zrrsig, RS::rumoured, kT0 + 24h * 29);
  zsk.life.predecessor = 9;  // a rollover: the sign delay applies
  const std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp), zsk};
  auto e = evaluate(keys, kasp, {}, kT0 + seconds(2'584'500));
  EXPECT_TRUE(e.requests.empty());
  ASSERT_FALSE(e.notes.empty());
  EXPECT_NE(e.notes[0].find("waits until its zone signatures are omnipresent"), std::string::npos);
  const TimePoint sigs_in = kT0 + 24h * 29 + seconds(867'900);
  EXPECT_EQ(e.next_wakeup, sigs_in);
  // At that time the signatures go omnipresent and the roll starts in the same run.
  e = evaluate(e.keys, kasp, {}, sigs_in);
  EXPECT_EQ(e.transitions.size(), 1u);
  ASSERT_EQ(e.requests.size(), 1u);
  EXPECT_EQ(e.requests[0].predecessor, 2);
  EXPECT_EQ(e.requests[0].planned.publish, sigs_in);
}

TEST(AdoptNewKey, LinksPredecessorAndSuccessorByIdAndRetiresThePredecessor) {
  const Kasp kasp = ksk_zsk(std::nullopt, 24h * 30);
  std::vector<ZoneKey> keys = {steady(1, Role::ksk, std::nullopt, kasp),
                               steady(2, Role::zsk, 24h * 30, kasp)};
  KeyRequest r;
  r.key = kasp.keys[1];
  r.policy_entry = 1;
  r.predecessor = 2;
  r.planned = plan_successor(keys[1].life, Role::zsk, 24h * 30, kasp, kT0 + seconds(2'584'500));
  ASSERT_TRUE(adopt_new_key(keys, r, 9, 4242, kT0 + seconds(2'584'500)));
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[1].life.successor, 9);
  EXPECT_EQ(keys[1].life.goal, Goal::hidden);
  EXPECT_EQ(keys[2].life.predecessor, 2);
  EXPECT_EQ(keys[2].life.goal, Goal::omnipresent);
  EXPECT_EQ(keys[2].tag, 4242);
  EXPECT_EQ(keys[2].life.lifetime, 24h * 30);
  EXPECT_EQ(adopt_new_key(keys, r, 9, 1, kT0).error().code, base::Errc::conflict);
  r.predecessor = 77;
  EXPECT_EQ(adopt_new_key(keys, r, 10, 1, kT0).error().code, base::Errc::not_found);
}

TEST(FormatTime, Iso8601Utc) {
  EXPECT_EQ(format_time(TimePoint{} + seconds(1'800'000'000)), "2027-01-15T08:00:00Z");
}

}  // namespace
}  // namespace signerd::policy
