#include "base/result.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "base/lock_guarded.hpp"

namespace signerd::base {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return make_error(Errc::invalid_argument, std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> quarter(int x) {
  auto h = half(x);
  if (!h) return std::move(h).error();
  return half(*h);
}

Result<void> check_even(int x) {
  SIGNERD_TRY(half(x));
  return ok();
}

TEST(Result, CarriesValueOrError) {
  auto good = half(8);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 4);
  auto bad = half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_EQ(bad.error().to_string(), "invalid argument: 3 is odd");
}

TEST(Result, ErrorsPropagateThroughCallers) {
  EXPECT_EQ(*quarter(8), 2);
  auto bad = quarter(6);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().detail, "3 is odd");
  EXPECT_TRUE(check_even(4));
  EXPECT_FALSE(check_even(5));
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(TimePoint(std::chrono::seconds(1000)));
  EXPECT_EQ(clock.now().time_since_epoch().count(), 1000);
  clock.advance(std::chrono::seconds(86400));
  EXPECT_EQ(clock.now().time_since_epoch().count(), 87400);
}

TEST(LockGuarded, GivesAccessUnderTheLock) {
  LockGuarded<std::vector<int>> v;
  v.with_lock([](auto& x) { x.push_back(1); });
  EXPECT_EQ(v.with_lock([](auto& x) { return x.size(); }), 1u);
}

}  // namespace
}  // namespace signerd::base
