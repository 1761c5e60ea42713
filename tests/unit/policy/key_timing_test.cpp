#include "policy/key_timing.hpp"

#include <gtest/gtest.h>

#include "key_fixtures.hpp"

namespace signerd::policy {
namespace {

using std::chrono::seconds;
using testing::make_key;
using RS = RecordState;

const TimePoint kT0 = TimePoint{} + seconds(1'800'000'000);

Kasp bind_defaults() {
  Kasp k;
  k.name = "example";
  k.keys = {{Role::ksk, 24h * 365, 13, 0}, {Role::zsk, 24h * 30, 13, 0}};
  return k;
}

ZoneKey key_changed_at(Role role, std::string_view dkzs, TimePoint when) {
  return make_key(1, role, dkzs, Goal::omnipresent, 13, when);
}

TEST(Intervals, Rfc7583SymbolsWithBindDefaults) {
  const Kasp k = bind_defaults();
  EXPECT_EQ(publication_interval(k), seconds(7500));    // KASP.md 2.5: 2h05m
  EXPECT_EQ(sign_delay(k), seconds(777'600));           // 14d - 5d
  EXPECT_EQ(zsk_retire_interval(k), seconds(867'900));  // 10d 1h05m
  EXPECT_EQ(ksk_retire_interval(k), seconds(93'600));   // KASP.md 2.6: 1d 2h
  Kasp zero = k;
  zero.max_zone_ttl = seconds(0);
  EXPECT_EQ(signature_ttl(zero), seconds(604'800));  // BIND's DEFAULT_TTLSIG
}

TEST(TransitionTime, ToRumouredOrUnretentiveIsImmediate) {
  const auto key = key_changed_at(Role::csk, "OOOO", kT0);
  for (Record r : kAllRecords) {
    EXPECT_EQ(transition_time(key, r, RS::rumoured, bind_defaults(), kT0 + 5s).at, kT0 + 5s);
    EXPECT_EQ(transition_time(key, r, RS::unretentive, bind_defaults(), kT0 + 5s).waits_for,
              WaitFor::nothing);
  }
}

TEST(TransitionTime, DnskeyAndKrrsigWaitTtlPropagationAndPublishSafetyOnTheWayIn) {
  const auto key = key_changed_at(Role::ksk, "RR-H", kT0);
  const Kasp k = bind_defaults();
  EXPECT_EQ(transition_time(key, Record::dnskey, RS::omnipresent, k, kT0).at, kT0 + seconds(7500));
  EXPECT_EQ(transition_time(key, Record::krrsig, RS::omnipresent, k, kT0).at, kT0 + seconds(7500));
  EXPECT_EQ(transition_time(key, Record::dnskey, RS::hidden, k, kT0).at, kT0 + seconds(3900));
  EXPECT_EQ(transition_time(key, Record::dnskey, RS::hidden, k, kT0).waits_for, WaitFor::dnskey_caches);
}

TEST(TransitionTime, ZrrsigWithoutRolloverHasNoSignDelay) {
  // First signing (KASP.md 2.6): Z -> O at 0 + 86400 + 300.
  const auto key = key_changed_at(Role::csk, "RRRH", kT0);
  EXPECT_EQ(transition_time(key, Record::zrrsig, RS::omnipresent, bind_defaults(), kT0).at,
            kT0 + seconds(86'700));
}

TEST(TransitionTime, ZrrsigInARolloverAddsSignDelayAndRetireSafety) {
  auto key = key_changed_at(Role::zsk, "O-R-", kT0);
  key.life.predecessor = 7;
  EXPECT_EQ(transition_time(key, Record::zrrsig, RS::omnipresent, bind_defaults(), kT0).at,
            kT0 + seconds(867'900));
  auto old = key_changed_at(Role::zsk, "O-U-", kT0);
  old.life.successor = 8;
  EXPECT_EQ(transition_time(old, Record::zrrsig, RS::hidden, bind_defaults(), kT0).at,
            kT0 + seconds(867'900));
}

TEST(TransitionTime, ZrrsigFromTheSignersObservationDropsTheSignDelay) {
  // KASP.md 2.5 with a full re-sign: swap done at 31d 1h05m = 30d + 90300.
  auto key = key_changed_at(Role::zsk, "O-R-", kT0);
  key.life.predecessor = 7;
  key.life.signatures.complete = kT0 + 10min;
  EXPECT_EQ(transition_time(key, Record::zrrsig, RS::omnipresent, bind_defaults(), kT0 + 1h).at,
            kT0 + 10min + seconds(90'300));
  // An observation from before the last change is about an earlier phase.
  key.life.signatures.complete = kT0 - 1s;
  EXPECT_EQ(transition_time(key, Record::zrrsig, RS::omnipresent, bind_defaults(), kT0 + 1h).at,
            kT0 + seconds(867'900));
  // One that lies in the future is not used yet.
  key.life.signatures.complete = kT0 + 2h;
  EXPECT_EQ(transition_time(key, Record::zrrsig, RS::omnipresent, bind_defaults(), kT0 + 1h).at,
            kT0 + seconds(867'900));
  // ->H reads `gone`, not `complete`.
  auto old = key_changed_at(Role::zsk, "O-U-", kT0);
  old.life.successor = 8;
  old.life.signatures.complete = kT0 + 10min;
  EXPECT_EQ(transition_time(old, Record::zrrsig, RS::hidden, bind_defaults(), kT0 + 1h).at,
            kT0 + seconds(867'900));
  old.life.signatures.gone = kT0 + 20min;
  EXPECT_EQ(transition_time(old, Record::zrrsig, RS::hidden, bind_defaults(), kT0 + 1h).at,
            kT0 + 20min + seconds(90'300));
}

TEST(TransitionTime, DsWaitsForTheParentThenTtlAndPropagation) {
  const Kasp k = bind_defaults();
  auto key = key_changed_at(Role::ksk, "OO-R", kT0);
  auto t = transition_time(key, Record::ds, RS::omnipresent, k, kT0 + 5h);
  EXPECT_EQ(t.waits_for, WaitFor::parent);
  EXPECT_EQ(t.at, kT0 + 5h + k.checkds_interval);
  // Seen at 21h, first key (no rollover): + 86400 + 3600.
  key.life.ds.published = kT0 + 21h;
  t = transition_time(key, Record::ds, RS::omnipresent, k, kT0 + 22h);
  EXPECT_EQ(t.waits_for, WaitFor::ds_caches);
  EXPECT_EQ(t.at, kT0 + 21h + seconds(90'000));
  // In a rollover retire-safety is added (KASP.md 2.6: 366d 23h).
  key.life.predecessor = 3;
  EXPECT_EQ(transition_time(key, Record::ds, RS::omnipresent, k, kT0 + 22h).at, kT0 + 21h + seconds(93'600));
  // A DS TTL learned from the parent above the configured one is used.
  key.life.ds.ttl = 48h;
  EXPECT_EQ(transition_time(key, Record::ds, RS::omnipresent, k, kT0 + 22h).at, kT0 + 21h + 48h + 1h + 1h);
  // An observation after `now` is not there yet.
  EXPECT_EQ(transition_time(key, Record::ds, RS::omnipresent, k, kT0 + 20h).waits_for, WaitFor::parent);
  // ->H reads the withdrawal.
  auto old = key_changed_at(Role::ksk, "OO-U", kT0);
  old.life.ds.published = kT0;
  EXPECT_EQ(transition_time(old, Record::ds, RS::hidden, k, kT0 + 1h).waits_for, WaitFor::parent);
  old.life.ds.withdrawn = kT0 + 30min;
  EXPECT_EQ(transition_time(old, Record::ds, RS::hidden, k, kT0 + 1h).at, kT0 + 30min + seconds(90'000));
}

TEST(TransitionTime, MissingLastChangeCountsFromNow) {
  auto key = make_key(1, Role::zsk, "R-H-");
  key.life.last_change = {};
  EXPECT_EQ(transition_time(key, Record::dnskey, RS::omnipresent, bind_defaults(), kT0).at,
            kT0 + seconds(7500));
}

TEST(Planning, FirstKeyPublishesAndActivatesNow) {
  const Kasp k = bind_defaults();
  const KeyTimes t = plan_first_key(Role::zsk, 24h * 30, k, kT0);
  EXPECT_EQ(t.publish, kT0);
  EXPECT_EQ(t.active, kT0);
  EXPECT_EQ(t.retire, kT0 + 24h * 30);
  EXPECT_EQ(t.remove, kT0 + 24h * 30 + seconds(867'900));  // KASP.md 2.5: Delete = 40d 1h05m
  EXPECT_FALSE(t.sync_publish);
  // A first KSK/CSK's SyncPublish waits for its zone signatures too.
  const KeyTimes c = plan_first_key(Role::csk, std::nullopt, k, kT0);
  EXPECT_EQ(c.sync_publish, kT0 + seconds(86'700));
  EXPECT_FALSE(c.retire);
  EXPECT_FALSE(c.remove);
}

TEST(Planning, SuccessorIsPublishedIpubBeforeThePredecessorRetires) {
  const Kasp k = bind_defaults();
  KeyLifecycle pred;
  pred.planned = plan_first_key(Role::ksk, 24h * 365, k, kT0);
  EXPECT_EQ(prepublication_time(pred, k), kT0 + seconds(31'528'500));  // 364d 21h55m
  const KeyTimes s = plan_successor(pred, Role::ksk, 24h * 365, k, kT0 + seconds(31'528'500));
  EXPECT_EQ(s.publish, kT0 + seconds(31'528'500));
  EXPECT_EQ(s.active, kT0 + 24h * 365);
  EXPECT_EQ(s.sync_publish, kT0 + 24h * 365);  // KASP.md 2.6: SyncPublish(KSK2) = 365d
  EXPECT_EQ(s.retire, kT0 + 24h * 730);
  EXPECT_EQ(s.sync_delete, kT0 + 24h * 730);
  EXPECT_EQ(remove_time(Role::ksk, *pred.planned.retire, k), kT0 + 24h * 365 + 26h);  // 366d 2h
}

TEST(Planning, LateSuccessorKeepsThePublicationIntervalBeforeActivation) {
  const Kasp k = bind_defaults();
  KeyLifecycle pred;
  pred.planned = plan_first_key(Role::zsk, 24h * 30, k, kT0);
  const TimePoint late = kT0 + 24h * 31;
  const KeyTimes s = plan_successor(pred, Role::zsk, 24h * 30, k, late);
  EXPECT_EQ(s.publish, late);
  EXPECT_EQ(s.active, late + seconds(7500));
  EXPECT_EQ(prepublication_time(KeyLifecycle{}, k), std::nullopt);
}

TEST(Planning, LifetimeChangeReplansRetireOrClearsIt) {
  const Kasp k = bind_defaults();
  KeyTimes t = plan_first_key(Role::csk, 24h * 60, k, kT0);
  plan_retirement(t, Role::csk, 24h * 90, k);
  EXPECT_EQ(t.retire, kT0 + 24h * 90);
  EXPECT_EQ(t.sync_delete, *t.sync_publish + 24h * 90);
  plan_retirement(t, Role::csk, std::nullopt, k);
  EXPECT_FALSE(t.retire);
  EXPECT_FALSE(t.remove);
  EXPECT_FALSE(t.sync_delete);
}

}  // namespace
}  // namespace signerd::policy

namespace signerd::policy {
namespace {

bool has_problem(const std::vector<PolicyProblem>& problems, const std::string& field,
                 std::string_view text = {}) {
  for (const auto& p : problems) {
    if (p.field == field && p.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(KaspTimingCheck, NewOptionsHaveBindDefaults) {
  const Kasp k;
  EXPECT_TRUE(k.cdnskey);
  EXPECT_EQ(k.cds_digest_types, std::vector<uint8_t>{2});
  EXPECT_EQ(k.checkds_interval, 1h);
  EXPECT_FALSE(k.manual_mode);
  EXPECT_EQ(k.algorithm_rollover, AlgorithmRollover::conservative);
}

TEST(KaspTimingCheck, LifetimeShorterThanItsRolloverIsAnError) {
  // KASP.md 2.5: the ZSK minimum is Iret ZSK = 867 900 s (10d 1h05m).
  Kasp k = bind_defaults();
  k.keys[1].lifetime = seconds(867'900);
  EXPECT_TRUE(
      has_problem(check(k), "keys[1].lifetime", "shorter than the time it takes to do a rollover (10d1h5m"));
  k.keys[1].lifetime = seconds(867'901);
  EXPECT_FALSE(has_problem(check(k), "keys[1].lifetime"));
  // KSK: Iret KSK = 93 600 s.
  k.keys[0].lifetime = seconds(93'600);
  EXPECT_TRUE(has_problem(check(k), "keys[0].lifetime", "parent-ds-ttl"));
  k.keys[0].lifetime = seconds(93'601);
  EXPECT_FALSE(has_problem(check(k), "keys[0].lifetime"));
  // A CSK needs the longer of both.
  k.keys = {{Role::csk, seconds(100'000), 13, 0}};
  EXPECT_TRUE(has_problem(check(k), "keys[0].lifetime", "max-zone-ttl"));
  // A short Ipub-only case: huge dnskey-ttl.
  k = bind_defaults();
  k.dnskey_ttl = 24h * 400;
  EXPECT_TRUE(has_problem(check(k), "keys[0].lifetime", "dnskey-ttl + publish-safety"));
}

TEST(KaspTimingCheck, RefreshAtNinetyPercentOfValidityIsAnError) {
  Kasp k = bind_defaults();
  k.signatures_jitter = seconds(0);
  k.signatures_validity = k.signatures_validity_dnskey = 24h * 10;
  k.signatures_refresh = 24h * 9;
  EXPECT_TRUE(has_problem(check(k), "signatures-refresh", "90%"));
  k.signatures_refresh = 24h * 8;
  EXPECT_FALSE(has_problem(check(k), "signatures-refresh"));
}

TEST(KaspTimingCheck, ParentAutomationOptionsAreChecked) {
  Kasp k = bind_defaults();
  k.cds_digest_types = {2, 3};
  EXPECT_TRUE(has_problem(check(k), "cds-digest-types", "unsupported digest type 3"));
  k.cds_digest_types = {2, 4};
  EXPECT_FALSE(has_problem(check(k), "cds-digest-types"));
  // The engine makes no SHA-1 DS (RFC 8624 section 3.3): refused here, not
  // only warned of, so that no policy passes --check and then fails to sign.
  k.cds_digest_types = {1, 2};
  EXPECT_TRUE(has_problem(check(k), "cds-digest-types", "SHA-1"));
  k.checkds_interval = seconds(0);
  EXPECT_TRUE(has_problem(check(k), "checkds-interval"));
}

TEST(KaspTimingCheck, WarningsForShortLifetimesDuplicatesAndRefreshMargin) {
  Kasp k = bind_defaults();
  EXPECT_TRUE(warnings(k).empty());
  k.keys[1].lifetime = 24h * 20;
  EXPECT_TRUE(has_problem(warnings(k), "keys[1].lifetime", "shorter than 30 days"));
  k.keys.push_back(k.keys[1]);
  EXPECT_TRUE(has_problem(warnings(k), "keys[2]", "same role and algorithm as keys[1]"));
  k = bind_defaults();
  k.keys[1].lifetime = seconds(867'901);  // valid, but below Ipub + Iret = 875 400 s
  EXPECT_TRUE(check(k).empty());
  EXPECT_TRUE(has_problem(warnings(k), "keys[1].lifetime", "start late"));
  k = bind_defaults();
  k.max_zone_ttl = 24h * 5;  // refresh 5d < 5d + 5min: a cached RRset could outlive its RRSIG
  EXPECT_TRUE(has_problem(warnings(k), "signatures-refresh", "outlive"));
}

}  // namespace
}  // namespace signerd::policy
