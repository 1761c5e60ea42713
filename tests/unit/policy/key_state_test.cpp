#include "policy/key_state.hpp"

#include <gtest/gtest.h>

#include "policy/key_selection.hpp"

namespace signerd::policy {
namespace {

using std::chrono::seconds;

const TimePoint kT0{seconds(1'700'000'000)};

TEST(KeyState, NamesRoundTrip) {
  for (Role r : {Role::ksk, Role::zsk, Role::csk}) EXPECT_EQ(role_from_text(role_name(r)), r);
  for (auto s :
       {RecordState::hidden, RecordState::rumoured, RecordState::omnipresent, RecordState::unretentive})
    EXPECT_EQ(state_from_text(state_name(s)), s);
  for (Goal g : {Goal::hidden, Goal::omnipresent}) EXPECT_EQ(goal_from_text(goal_name(g)), g);
  EXPECT_EQ(state_from_text("Omnipresent"), RecordState::omnipresent);  // case-insensitive
  EXPECT_FALSE(state_from_text("present"));
  EXPECT_FALSE(goal_from_text("rumoured"));
}

TEST(KeyState, RolesOwnTheirRecords) {
  EXPECT_TRUE(has_record(Role::zsk, Record::zrrsig));
  EXPECT_FALSE(has_record(Role::zsk, Record::krrsig));
  EXPECT_FALSE(has_record(Role::zsk, Record::ds));
  EXPECT_FALSE(has_record(Role::ksk, Record::zrrsig));
  for (Record r : kAllRecords) EXPECT_TRUE(has_record(Role::csk, r));
}

// KASP.md section 1.1: R and O publish, H and U do not.
TEST(KeyState, PublicationFollowsTheRecordStates) {
  KeyLifecycle k;
  EXPECT_EQ(publication(Role::csk, k), Publication{});
  k.set(Record::dnskey, RecordState::rumoured, kT0);
  EXPECT_EQ(publication(Role::csk, k), (Publication{true, false, false, false}));
  k.set(Record::krrsig, RecordState::omnipresent, kT0);
  k.set(Record::zrrsig, RecordState::rumoured, kT0);
  k.set(Record::ds, RecordState::rumoured, kT0);
  EXPECT_EQ(publication(Role::csk, k), (Publication{true, true, true, true}));
  k.set(Record::ds, RecordState::unretentive, kT0);
  k.set(Record::zrrsig, RecordState::unretentive, kT0);
  EXPECT_EQ(publication(Role::csk, k), (Publication{true, true, false, false}));
  // A ZSK has no KRRSIG or DS, whatever a stray state says.
  EXPECT_EQ(publication(Role::zsk, k), (Publication{true, false, false, false}));
}

TEST(KeyState, InUseKeyIsOmnipresentButItsDs) {
  const KeyLifecycle k = in_use_since(Role::csk, kT0);
  EXPECT_EQ(k.goal, Goal::omnipresent);
  EXPECT_EQ(k.state(Record::dnskey), RecordState::omnipresent);
  EXPECT_EQ(k.state(Record::zrrsig), RecordState::omnipresent);
  EXPECT_EQ(k.changed(Record::krrsig), kT0);
  EXPECT_EQ(k.state(Record::ds), RecordState::hidden);
  EXPECT_FALSE(k.changed(Record::ds));
  EXPECT_EQ(in_use_since(Role::zsk, kT0).state(Record::krrsig), RecordState::hidden);
  EXPECT_EQ(summary(Role::csk, k), "active");
}

TEST(KeyState, SummaryNamesTheStage) {
  KeyLifecycle k;
  EXPECT_EQ(summary(Role::zsk, k), "generated");
  k.set(Record::dnskey, RecordState::omnipresent, kT0);
  EXPECT_EQ(summary(Role::zsk, k), "published");
  k.set(Record::zrrsig, RecordState::rumoured, kT0);
  EXPECT_EQ(summary(Role::zsk, k), "active");
  k.goal = Goal::hidden;
  EXPECT_EQ(summary(Role::zsk, k), "retired");
  k.set(Record::dnskey, RecordState::hidden, kT0);
  k.set(Record::zrrsig, RecordState::hidden, kT0);
  EXPECT_EQ(summary(Role::zsk, k), "removed");
}

ZoneKey key(int64_t id, Role role, uint8_t alg, Goal goal = Goal::omnipresent) {
  ZoneKey k{id, static_cast<uint16_t>(id), alg, 0, role, in_use_since(role, kT0)};
  k.life.goal = goal;
  return k;
}

TEST(KeySelection, EachEntryTakesTheFirstMatchingKeyInUseOnce) {
  Kasp kasp;
  kasp.keys = {
      {Role::zsk, std::nullopt, 13, 0}, {Role::ksk, std::nullopt, 13, 0}, {Role::zsk, std::nullopt, 13, 0}};
  const std::vector<ZoneKey> keys = {key(1, Role::zsk, 13, Goal::hidden), key(2, Role::ksk, 8),
                                     key(3, Role::zsk, 13), key(4, Role::ksk, 13), key(5, Role::csk, 13)};
  const auto chosen = select_policy_keys(kasp, keys);
  ASSERT_EQ(chosen.size(), 3u);
  EXPECT_EQ(chosen[0], 2u);  // key 1 is retiring, key 3 is the first ZSK in use
  EXPECT_EQ(chosen[1], 3u);  // key 2 has another algorithm
  EXPECT_FALSE(chosen[2]);   // no second ZSK: the caller creates one
}

TEST(KeySelection, RsaSizeMustMatchWhereBothSayIt) {
  KeyPolicy entry{Role::csk, std::nullopt, 8, 2048};
  ZoneKey k = key(1, Role::csk, 8);
  EXPECT_TRUE(matches(entry, k));  // size unknown (0)
  k.bits = 2048;
  EXPECT_TRUE(matches(entry, k));
  k.bits = 4096;
  EXPECT_FALSE(matches(entry, k));
}

}  // namespace
}  // namespace signerd::policy
