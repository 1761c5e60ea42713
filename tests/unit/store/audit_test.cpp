#include "store/audit.hpp"

#include <gtest/gtest.h>

#include "store_test_util.hpp"

namespace signerd::store {
namespace {

using std::chrono::seconds;

const base::TimePoint kT0{seconds(1'700'000'000)};

dns::Name zone_name(const char* text) { return *dns::Name::from_text(text); }

TEST(Audit, ListsNewestFirstWithLimitAndZoneFilter) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  ASSERT_TRUE(audit(db, kT0, zone_name("Example.com."), "key-added", "zsk 4711"));
  ASSERT_TRUE(audit(db, kT0 + seconds(1), std::nullopt, "started", "signerd 0.1.0"));
  ASSERT_TRUE(audit(db, kT0 + seconds(2), zone_name("example.net."), "zone-signed", "serial 7"));
  ASSERT_TRUE(audit(db, kT0 + seconds(3), zone_name("example.com."), "zone-signed", "serial 2"));

  auto all = list_audit(db, std::nullopt, 10);
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].detail, "serial 2");
  EXPECT_FALSE((*all)[2].zone.has_value());

  auto com = list_audit(db, zone_name("EXAMPLE.COM."), 10);
  ASSERT_TRUE(com);
  ASSERT_EQ(com->size(), 2u);
  EXPECT_EQ((*com)[0].time, kT0 + seconds(3));
  EXPECT_EQ((*com)[1].event, "key-added");
  EXPECT_EQ((*com)[1].zone, zone_name("example.com."));

  auto newest = list_audit(db, std::nullopt, 1);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ(newest->front().detail, "serial 2");
}

TEST(Audit, EmptyEventIsRefused) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  auto r = audit(db, kT0, std::nullopt, "", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::invalid_argument);
}

TEST(Audit, EntryInARolledBackTransactionDisappears) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(audit(db, kT0, std::nullopt, "event", "rolled back"));
  }
  EXPECT_TRUE(list_audit(db, std::nullopt, 10)->empty());
}

}  // namespace
}  // namespace signerd::store
