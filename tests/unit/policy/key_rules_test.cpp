#include "policy/key_rules.hpp"

#include <gtest/gtest.h>

#include "key_fixtures.hpp"

namespace signerd::policy {
namespace {

using testing::index_of;
using testing::link;
using testing::make_key;
using RS = RecordState;

constexpr RuleContext kStrict{};

bool holds(SafetyRule rule, const std::vector<ZoneKey>& keys, uint8_t alg = 13, RuleContext ctx = kStrict) {
  return rule_holds(rule, KeySetView(keys), alg, ctx);
}
std::string_view why(SafetyRule rule, const std::vector<ZoneKey>& keys, uint8_t alg = 13) {
  return holding_equation(rule, KeySetView(keys), alg, kStrict);
}
bool allowed(const std::vector<ZoneKey>& keys, int64_t id, Record r, RS next, RuleContext ctx = kStrict) {
  return transition_allowed(keys, index_of(keys, id), r, next, ctx);
}

TEST(DesiredState, GoalOmnipresentPullsInGoalHiddenPushesOut) {
  EXPECT_EQ(desired_state(Goal::omnipresent, RS::hidden), RS::rumoured);
  EXPECT_EQ(desired_state(Goal::omnipresent, RS::rumoured), RS::omnipresent);
  EXPECT_EQ(desired_state(Goal::omnipresent, RS::omnipresent), RS::omnipresent);
  EXPECT_EQ(desired_state(Goal::omnipresent, RS::unretentive), RS::rumoured);
  EXPECT_EQ(desired_state(Goal::hidden, RS::hidden), RS::hidden);
  EXPECT_EQ(desired_state(Goal::hidden, RS::rumoured), RS::unretentive);
  EXPECT_EQ(desired_state(Goal::hidden, RS::omnipresent), RS::unretentive);
  EXPECT_EQ(desired_state(Goal::hidden, RS::unretentive), RS::hidden);
}

TEST(Rule1, Eq3aADsOmnipresentOrRumouredInAnyAlgorithm) {
  EXPECT_TRUE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-O")}));
  EXPECT_TRUE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-R")}));
  EXPECT_FALSE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-U")}));
  EXPECT_FALSE(holds(SafetyRule::ds_exists, {make_key(1, Role::zsk, "O-O-")}));
  // The DS of another algorithm counts: rule 1 spans algorithms.
  EXPECT_TRUE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-O", Goal::hidden, 8)}, 13));
  EXPECT_EQ(why(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-R")}), "3a");
}

TEST(Rule1, GoingInsecureHoldsWhileAnyKeyExists) {
  RuleContext insecure;
  insecure.going_insecure = true;
  EXPECT_TRUE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-U", Goal::hidden)}, 13, insecure));
  EXPECT_FALSE(holds(SafetyRule::ds_exists, {}, 13, insecure));
  EXPECT_FALSE(holds(SafetyRule::ds_exists, {make_key(1, Role::ksk, "OO-U", Goal::hidden)}, 13, kStrict));
}

TEST(Rule2, Eq3bAKeyWithDnskeyKrrsigAndDsOmnipresentOfTheSameAlgorithm) {
  EXPECT_EQ(why(SafetyRule::dnskey_chained, {make_key(1, Role::ksk, "OO-O")}), "3b");
  EXPECT_EQ(why(SafetyRule::dnskey_chained, {make_key(1, Role::csk, "OOOO")}), "3b");
  // Another algorithm's chain does not count for alg 13 (3e fails: a DS R without a chain).
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O", Goal::omnipresent, 8),
                               make_key(2, Role::ksk, "RR-R", Goal::omnipresent, 13)};
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, keys, 13));
  EXPECT_TRUE(holds(SafetyRule::dnskey_chained, keys, 8));
}

TEST(Rule2, Eq3cDsSwapNeedsTheSuccessorLinkedByIdBothWays) {
  // A third key whose DS is cached without its DNSKEY makes 3e fail, so
  // only the swap can make the rule hold.
  const auto stale = make_key(3, Role::ksk, "UU-U", Goal::hidden);
  auto p = make_key(1, Role::ksk, "OO-U", Goal::hidden);
  auto s = make_key(2, Role::ksk, "OO-R");
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {p, s, stale}));
  p.life.successor = 2;  // one way only is no dependency
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {p, s, stale}));
  link(p, s);
  EXPECT_EQ(why(SafetyRule::dnskey_chained, {p, s, stale}), "3c");
  // Reversed roles (successor U, predecessor R) is not a swap.
  auto p2 = make_key(1, Role::ksk, "OO-R", Goal::hidden);
  auto s2 = make_key(2, Role::ksk, "OO-U");
  link(p2, s2);
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {p2, s2, stale}));
}

TEST(Rule2, Eq3dEveryDnskeyKrrsigCombinationUnderAFixedDs) {
  for (std::string_view pred : {"UU-O", "OU-O", "UO-O"}) {
    for (std::string_view succ : {"RR-O", "OR-O", "RO-O"}) {
      auto p = make_key(1, Role::ksk, pred, Goal::hidden);
      auto s = make_key(2, Role::ksk, succ);
      EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {p, s})) << pred << " " << succ;
      link(p, s);
      EXPECT_EQ(why(SafetyRule::dnskey_chained, {p, s}), "3d") << pred << " " << succ;
    }
  }
}

TEST(Rule2, Eq3eEveryDsHiddenOrChained) {
  EXPECT_EQ(why(SafetyRule::dnskey_chained, {make_key(1, Role::ksk, "RR-H")}), "3e");
  EXPECT_EQ(why(SafetyRule::dnskey_chained, {make_key(1, Role::ksk, "OO-U", Goal::hidden)}), "3e");
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {make_key(1, Role::ksk, "UO-U", Goal::hidden)}));
  EXPECT_FALSE(holds(SafetyRule::dnskey_chained, {make_key(1, Role::ksk, "RR-R")}));
  // A DS U whose key's DNSKEY is going, covered by another key's full chain.
  EXPECT_EQ(why(SafetyRule::dnskey_chained,
                {make_key(1, Role::ksk, "UU-U", Goal::hidden), make_key(2, Role::ksk, "OO-O")}),
            "3b");
  EXPECT_TRUE(holds(SafetyRule::dnskey_chained, {}));
}

TEST(Rule3, Eq3aPrimeNoDsOfTheAlgorithmMakesSignaturesIrrelevant) {
  EXPECT_EQ(why(SafetyRule::rrsigs_chained, {make_key(1, Role::zsk, "R-H-"), make_key(2, Role::ksk, "RR-H")}),
            "3a'");
  // A DS of another algorithm does not matter for alg 13.
  EXPECT_TRUE(holds(SafetyRule::rrsigs_chained,
                    {make_key(1, Role::csk, "OOUO", Goal::hidden, 8), make_key(2, Role::zsk, "R-H-")}, 13));
  EXPECT_FALSE(holds(SafetyRule::rrsigs_chained, {make_key(1, Role::csk, "OOUO", Goal::hidden, 8)}, 8));
}

TEST(Rule3, Eq3fADnskeyAndItsZoneSignaturesOmnipresent) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "O-O-")};
  EXPECT_EQ(why(SafetyRule::rrsigs_chained, keys), "3f");
  keys[1] = make_key(2, Role::zsk, "O-R-");
  EXPECT_FALSE(holds(SafetyRule::rrsigs_chained, keys));
}

TEST(Rule3, Eq3gDnskeySwapUnderOmnipresentSignatures) {
  auto ksk = make_key(1, Role::ksk, "OO-O");
  auto p = make_key(2, Role::zsk, "U-O-", Goal::hidden);
  auto s = make_key(3, Role::zsk, "R-O-");
  EXPECT_FALSE(holds(SafetyRule::rrsigs_chained, {ksk, p, s}));
  link(p, s);
  EXPECT_EQ(why(SafetyRule::rrsigs_chained, {ksk, p, s}), "3g");
}

TEST(Rule3, Eq3hZrrsigSwapUnderOmnipresentDnskeys) {
  auto ksk = make_key(1, Role::ksk, "OO-O");
  auto p = make_key(2, Role::zsk, "O-U-", Goal::hidden);
  auto s = make_key(3, Role::zsk, "O-R-");
  EXPECT_FALSE(holds(SafetyRule::rrsigs_chained, {ksk, p, s}));
  link(p, s);
  EXPECT_EQ(why(SafetyRule::rrsigs_chained, {ksk, p, s}), "3h");
}

TEST(Rule3, Eq3iEveryPublishedDnskeyHasOmnipresentSignaturesBesideIt) {
  // First signing, DS already rumoured: the CSK's DNSKEY R and signatures O
  // (its own DNSKEY state) is a path for every cache holding the DNSKEY.
  EXPECT_EQ(why(SafetyRule::rrsigs_chained, {make_key(1, Role::csk, "RROR")}), "3i");
  EXPECT_FALSE(holds(SafetyRule::rrsigs_chained, {make_key(1, Role::csk, "RRRR")}));
  // A KSK's DNSKEY with no key of the same DNSKEY state signing the zone.
  EXPECT_FALSE(
      holds(SafetyRule::rrsigs_chained, {make_key(1, Role::ksk, "OO-R"), make_key(2, Role::zsk, "R-O-")}));
}

TEST(Successor, ThreeIsACrowdChainCountsAsOneSuccession) {
  // x was replaced by y, and y by z before y's introduction finished
  // (BIND #2375): y stands where z stands, so z succeeds x.
  auto x = make_key(1, Role::ksk, "OO-U", Goal::hidden);
  auto y = make_key(2, Role::ksk, "OO-R", Goal::hidden);
  auto z = make_key(3, Role::ksk, "OO-R");
  link(x, y);
  link(y, z);
  std::vector<ZoneKey> keys = {x, y, z};
  const KeySetView view(keys);
  EXPECT_TRUE(is_successor(view, 0, 1));
  EXPECT_FALSE(is_successor(view, 1, 2));  // y still depends on x leaving, so nothing succeeds y yet
  EXPECT_TRUE(is_successor(view, 0, 2));
  // When y's states differ from z's, the chain does not carry over.
  keys[1] = make_key(2, Role::ksk, "RR-H", Goal::hidden);
  keys[1].life.predecessor = 1;
  keys[1].life.successor = 3;
  EXPECT_FALSE(is_successor(KeySetView(keys), 0, 2));
}

TEST(Successor, AnAllHiddenPredecessorIsNoDependency) {
  auto x = make_key(1, Role::zsk, "H-H-", Goal::hidden);
  auto y = make_key(2, Role::zsk, "O-O-");
  link(x, y);
  std::vector<ZoneKey> keys = {x, y};
  EXPECT_FALSE(dependency_of(KeySetView(keys), 1));
  keys[0] = make_key(1, Role::zsk, "U-H-", Goal::hidden);
  link(keys[0], keys[1]);
  EXPECT_EQ(dependency_of(KeySetView(keys), 1), 0u);
}

TEST(Successor, TwoIndependentRollsDoNotCrossLink) {
  // BIND #1845: one key's successor is not everybody's.
  auto ksk1 = make_key(1, Role::ksk, "OO-U", Goal::hidden);
  auto ksk2 = make_key(2, Role::ksk, "OO-R");
  auto zsk1 = make_key(3, Role::zsk, "O-U-", Goal::hidden);
  auto zsk2 = make_key(4, Role::zsk, "O-R-");
  link(ksk1, ksk2);
  link(zsk1, zsk2);
  std::vector<ZoneKey> keys = {ksk1, ksk2, zsk1, zsk2};
  const KeySetView view(keys);
  EXPECT_TRUE(is_successor(view, 0, 1));
  EXPECT_TRUE(is_successor(view, 2, 3));
  EXPECT_FALSE(is_successor(view, 0, 3));
  EXPECT_FALSE(is_successor(view, 2, 1));
}

TEST(NextStatePretence, MatchesByKeyIdAndAlgorithmNotByTag) {
  // BIND #4878: equal key tags across algorithms during an algorithm roll.
  auto a = make_key(1, Role::csk, "OOOO", Goal::hidden, 8);
  auto b = make_key(2, Role::csk, "OOOH", Goal::omnipresent, 13);
  a.tag = b.tag = 4242;
  std::vector<ZoneKey> keys = {a, b};
  const KeySetView view = KeySetView(keys).with_next(keys[0], Record::ds, RS::unretentive);
  EXPECT_EQ(view.state(0, Record::ds), RS::unretentive);
  EXPECT_EQ(view.state(1, Record::ds), RS::hidden);
  EXPECT_EQ(view.stored_state(0, Record::ds), RS::omnipresent);
  // Records a role lacks read hidden, pretence or not.
  std::vector<ZoneKey> zsk = {make_key(3, Role::zsk, "O-O-")};
  EXPECT_EQ(KeySetView(zsk).with_next(zsk[0], Record::ds, RS::rumoured).state(0, Record::ds), RS::hidden);
}

// BIND rollover/tests_rollover_zsk_prepublication.py, steps 1-6.
class ZskPrepublication : public ::testing::Test {
 protected:
  void SetUp() override {
    keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "O-O-", Goal::hidden),
            make_key(3, Role::zsk, "H-H-")};
    link(keys[1], keys[2]);
  }
  void set(int64_t id, std::string_view dkzs) {
    auto& k = keys[index_of(keys, id)];
    auto fresh = make_key(k.id, k.role, dkzs, k.life.goal);
    k.life.states = fresh.life.states;
  }
  std::vector<ZoneKey> keys;
};

TEST_F(ZskPrepublication, Step2SuccessorDnskeyMayBePublished) {
  EXPECT_TRUE(allowed(keys, 3, Record::dnskey, RS::rumoured));
  // Its signatures may not replace the old ones before it is omnipresent.
  set(3, "R-H-");
  EXPECT_TRUE(allowed(keys, 3, Record::zrrsig, RS::rumoured));  // rules allow it; the gate does not
  EXPECT_EQ(policy_gate(keys, 2, Record::zrrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::zrrsig_waits_for_dnskey);
  EXPECT_FALSE(allowed(keys, 2, Record::zrrsig, RS::unretentive));  // no 3h pair yet
}

TEST_F(ZskPrepublication, Step3ZrrsigSwapOnceTheDnskeyIsOmnipresent) {
  set(3, "O-H-");
  EXPECT_EQ(policy_gate(keys, 2, Record::zrrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  EXPECT_FALSE(allowed(keys, 2, Record::zrrsig, RS::unretentive));
  set(3, "O-R-");
  EXPECT_TRUE(allowed(keys, 2, Record::zrrsig, RS::unretentive));  // 3h
  set(2, "O-U-");
  EXPECT_FALSE(allowed(keys, 2, Record::dnskey, RS::unretentive));  // old RRSIGs still cached
}

TEST_F(ZskPrepublication, Step5OldDnskeyGoesOnceItsSignaturesAreHidden) {
  set(2, "O-U-");
  set(3, "O-R-");
  EXPECT_TRUE(allowed(keys, 3, Record::zrrsig, RS::omnipresent));
  set(3, "O-O-");
  EXPECT_TRUE(allowed(keys, 2, Record::zrrsig, RS::hidden));
  set(2, "O-H-");
  EXPECT_TRUE(allowed(keys, 2, Record::dnskey, RS::unretentive));  // 3f via the successor
  set(2, "U-H-");
  EXPECT_TRUE(allowed(keys, 2, Record::dnskey, RS::hidden));
}

// BIND rollover/tests_rollover_ksk_doubleksk.py.
TEST(KskDoubleKsk, DsSwapSuccessorFirstThenPredecessor) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O", Goal::hidden), make_key(2, Role::ksk, "OO-H"),
                               make_key(3, Role::zsk, "O-O-")};
  link(keys[0], keys[1]);
  EXPECT_FALSE(allowed(keys, 1, Record::ds, RS::unretentive));  // no DS would remain (rule 1)
  EXPECT_TRUE(allowed(keys, 2, Record::ds, RS::rumoured));
  keys[1].life.set(Record::ds, RS::rumoured, {});
  EXPECT_TRUE(allowed(keys, 1, Record::ds, RS::unretentive));  // 3c
  keys[0].life.set(Record::ds, RS::unretentive, {});
  // The old DNSKEY stays while its DS may be cached (3e).
  EXPECT_FALSE(allowed(keys, 1, Record::dnskey, RS::unretentive));
  EXPECT_FALSE(allowed(keys, 1, Record::krrsig, RS::unretentive));
  EXPECT_TRUE(allowed(keys, 2, Record::ds, RS::omnipresent));
  keys[1].life.set(Record::ds, RS::omnipresent, {});
  EXPECT_TRUE(allowed(keys, 1, Record::ds, RS::hidden));
  keys[0].life.set(Record::ds, RS::hidden, {});
  EXPECT_TRUE(allowed(keys, 1, Record::dnskey, RS::unretentive));
  EXPECT_TRUE(allowed(keys, 1, Record::krrsig, RS::unretentive));
}

TEST(TransitionAllowed, Eq1MayRepairAnInvalidStateButNeverBreakAValidOne) {
  // Rule 3 fails (the zone signatures are only rumoured); moving them on
  // repairs it.
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "O-R-")};
  auto check = check_transition(keys, 1, Record::zrrsig, RS::omnipresent, kStrict);
  EXPECT_FALSE(check.before[2]);
  EXPECT_TRUE(check.after[2]);
  EXPECT_TRUE(check.allowed);
  // Breaking rule 3 in a valid set is refused and named.
  keys[1] = make_key(2, Role::zsk, "O-O-");
  check = check_transition(keys, 1, Record::zrrsig, RS::unretentive, kStrict);
  EXPECT_FALSE(check.allowed);
  EXPECT_EQ(check.blocking, SafetyRule::rrsigs_chained);
}

TEST(TransitionAllowed, Bind5458NeverWithdrawWhileARuleFailsAndWouldStillFail) {
  // Rule 3 already fails (the only ZSK's signatures are rumoured); the old
  // KSK's DNSKEY leaving would keep it failing.
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::ksk, "OO-H", Goal::hidden),
                               make_key(3, Role::zsk, "O-R-")};
  auto check = check_transition(keys, 1, Record::dnskey, RS::unretentive, kStrict);
  EXPECT_FALSE(check.before[2]);
  EXPECT_FALSE(check.after[2]);
  EXPECT_FALSE(check.allowed);
  // Without the guard, Eq. 1 alone would let it go.
  RuleContext unguarded;
  unguarded.withdraw_guard = false;
  EXPECT_TRUE(transition_allowed(keys, 1, Record::dnskey, RS::unretentive, unguarded));
  // A move to rumoured in the same invalid state is still fine.
  EXPECT_TRUE(allowed(keys, 2, Record::dnskey, RS::rumoured));
}

TEST(TransitionAllowed, DisabledRuleIsTheNegativeControlKnob) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "O-O-")};
  RuleContext no_rule3;
  no_rule3.enforce[2] = false;
  EXPECT_FALSE(allowed(keys, 2, Record::zrrsig, RS::unretentive));
  EXPECT_TRUE(allowed(keys, 2, Record::zrrsig, RS::unretentive, no_rule3));
}

TEST(PolicyGate, KrrsigWithOrAfterItsDnskey) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "HH-H")};
  EXPECT_EQ(policy_gate(keys, 0, Record::krrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::krrsig_waits_for_dnskey);
  keys[0] = make_key(1, Role::ksk, "RH-H");
  EXPECT_EQ(policy_gate(keys, 0, Record::krrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
}

TEST(PolicyGate, ZrrsigBeforeItsDnskeyOnlyWithoutAChainOfTrust) {
  // First signing: no chain yet, signatures go out with the DNSKEY.
  std::vector<ZoneKey> keys = {make_key(1, Role::csk, "HHHH")};
  EXPECT_EQ(policy_gate(keys, 0, Record::zrrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  // With a chain (KSK D O K O S O), a new ZSK waits for its DNSKEY.
  keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "R-H-")};
  EXPECT_EQ(policy_gate(keys, 1, Record::zrrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::zrrsig_waits_for_dnskey);
  // A chain in the middle of a DS swap counts as a chain too.
  auto p = make_key(1, Role::ksk, "OO-U", Goal::hidden);
  auto s = make_key(2, Role::ksk, "OO-R");
  link(p, s);
  keys = {p, s, make_key(3, Role::zsk, "R-H-")};
  EXPECT_EQ(policy_gate(keys, 2, Record::zrrsig, RS::rumoured, AlgorithmRollover::liberal),
            GateVerdict::zrrsig_waits_for_dnskey);
}

TEST(PolicyGate, DsOnlyOnceDnskeyAndKrrsigAreOmnipresent) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "RR-H")};
  EXPECT_EQ(policy_gate(keys, 0, Record::ds, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::ds_waits_for_dnskey);
  keys[0] = make_key(1, Role::ksk, "OR-H");  // signerd: K must be O too (CDS when D = R is a defect)
  EXPECT_EQ(policy_gate(keys, 0, Record::ds, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::ds_waits_for_dnskey);
  keys[0] = make_key(1, Role::ksk, "OO-H");
  EXPECT_EQ(policy_gate(keys, 0, Record::ds, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  // Only moves to rumoured are gated.
  keys[0] = make_key(1, Role::ksk, "RR-O", Goal::hidden);
  EXPECT_EQ(policy_gate(keys, 0, Record::ds, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::allowed);
}

TEST(PolicyGate, ConservativeAlgorithmRollSignaturesFirstDnskeyFirstOut) {
  // Policy changed 8 -> 13: the alg 8 keys retire, the alg 13 keys arrive.
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O", Goal::hidden, 8),
                               make_key(2, Role::zsk, "O-O-", Goal::hidden, 8),
                               make_key(3, Role::ksk, "HH-H", Goal::omnipresent, 13),
                               make_key(4, Role::zsk, "H-H-", Goal::omnipresent, 13)};
  EXPECT_EQ(policy_gate(keys, 3, Record::dnskey, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::dnskey_waits_for_zrrsig);
  EXPECT_EQ(policy_gate(keys, 2, Record::dnskey, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::dnskey_waits_for_zrrsig);
  EXPECT_EQ(policy_gate(keys, 3, Record::zrrsig, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  EXPECT_EQ(policy_gate(keys, 3, Record::dnskey, RS::rumoured, AlgorithmRollover::liberal),
            GateVerdict::allowed);
  keys[3] = make_key(4, Role::zsk, "H-O-", Goal::omnipresent, 13);
  EXPECT_EQ(policy_gate(keys, 2, Record::dnskey, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  // On the way out the old signatures stay until the old DNSKEY is hidden.
  EXPECT_EQ(policy_gate(keys, 1, Record::zrrsig, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::zrrsig_waits_for_dnskey_gone);
  EXPECT_EQ(policy_gate(keys, 1, Record::zrrsig, RS::unretentive, AlgorithmRollover::liberal),
            GateVerdict::allowed);
  keys[1] = make_key(2, Role::zsk, "H-O-", Goal::hidden, 8);
  EXPECT_EQ(policy_gate(keys, 1, Record::zrrsig, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::allowed);
}

TEST(PolicyGate, ConservativeOrderLeavesSameAlgorithmRollsAndFirstSigningAlone) {
  std::vector<ZoneKey> keys = {make_key(1, Role::ksk, "OO-O"), make_key(2, Role::zsk, "O-O-", Goal::hidden),
                               make_key(3, Role::zsk, "O-R-")};
  link(keys[1], keys[2]);
  EXPECT_EQ(policy_gate(keys, 1, Record::zrrsig, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  std::vector<ZoneKey> first = {make_key(1, Role::csk, "HHHH")};
  EXPECT_EQ(policy_gate(first, 0, Record::dnskey, RS::rumoured, AlgorithmRollover::conservative),
            GateVerdict::allowed);
}

TEST(PolicyGate, ZskDnskeyStaysUntilItsSignaturesAreHiddenEvenWhenRule3Holds) {
  // From a random-policy simulation (CSK lifetime below Ipub + Iret): CSK 3
  // was replaced by 4 before its signatures were omnipresent, 4 vanished,
  // and the swap 5 -> 6 satisfies 3h, so the rules let 3's DNSKEY go while
  // some cached RRsets carry only 3's RRSIG. The gate keeps it.
  auto k3 = make_key(3, Role::csk, "OHRH", Goal::hidden);
  auto k4 = make_key(4, Role::csk, "HHHH", Goal::hidden);
  auto k5 = make_key(5, Role::csk, "OOUO", Goal::hidden);
  auto k6 = make_key(6, Role::csk, "OORR");
  link(k3, k4);
  link(k4, k5);
  link(k5, k6);
  std::vector<ZoneKey> keys = {k3, k4, k5, k6};
  EXPECT_TRUE(allowed(keys, 3, Record::dnskey, RS::unretentive));
  EXPECT_EQ(policy_gate(keys, 0, Record::dnskey, RS::unretentive, AlgorithmRollover::liberal),
            GateVerdict::dnskey_waits_for_zrrsig_gone);
  keys[0] = make_key(3, Role::csk, "OHHH", Goal::hidden);
  EXPECT_EQ(policy_gate(keys, 0, Record::dnskey, RS::unretentive, AlgorithmRollover::liberal),
            GateVerdict::allowed);
  // With no DS of the algorithm left (going insecure) the order is free.
  std::vector<ZoneKey> insecure = {make_key(1, Role::csk, "OOOH", Goal::hidden)};
  EXPECT_EQ(policy_gate(insecure, 0, Record::dnskey, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::allowed);
  // A KSK has no zone signatures to wait for.
  std::vector<ZoneKey> ksk = {make_key(1, Role::ksk, "OO-O", Goal::hidden)};
  EXPECT_EQ(policy_gate(ksk, 0, Record::dnskey, RS::unretentive, AlgorithmRollover::conservative),
            GateVerdict::allowed);
}

}  // namespace
}  // namespace signerd::policy
