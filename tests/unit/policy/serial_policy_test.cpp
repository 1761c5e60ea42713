#include "policy/serial_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace signerd::policy {
namespace {

using namespace std::chrono;

// 2026-11-23 12:00:00 UTC
const base::TimePoint kNow = sys_days{year{2026} / 11 / 23} + hours{12};
const uint32_t kNowUnix = static_cast<uint32_t>(kNow.time_since_epoch().count());

TEST(NextSerial, KeepFollowsUpstreamWhenNewer) {
  EXPECT_EQ(next_serial(SerialPolicy::keep, std::nullopt, 7, kNow), 7u);
  EXPECT_EQ(next_serial(SerialPolicy::keep, 7u, 9, kNow), 9u);
}

TEST(NextSerial, KeepBumpsWhenUpstreamIsNotNewer) {
  EXPECT_EQ(next_serial(SerialPolicy::keep, 9u, 9, kNow), 10u);
  EXPECT_EQ(next_serial(SerialPolicy::keep, 9u, 3, kNow), 10u);
}

TEST(NextSerial, IncrementCountsOwnVersions) {
  EXPECT_EQ(next_serial(SerialPolicy::increment, std::nullopt, 41, kNow), 41u);
  EXPECT_EQ(next_serial(SerialPolicy::increment, 41u, 1000, kNow), 42u);
}

TEST(NextSerial, IncrementWrapsPerRfc1982) {
  EXPECT_EQ(next_serial(SerialPolicy::increment, 0xffffffffu, 1, kNow), 0u);
}

TEST(NextSerial, UnixtimeUsesNowOrBumps) {
  EXPECT_EQ(next_serial(SerialPolicy::unixtime, 100u, 1, kNow), kNowUnix);
  EXPECT_EQ(next_serial(SerialPolicy::unixtime, kNowUnix, 1, kNow), kNowUnix + 1);
}

TEST(NextSerial, DateIsYyyymmddnn) {
  EXPECT_EQ(next_serial(SerialPolicy::date, std::nullopt, 5, kNow), 2026112300u);
  EXPECT_EQ(next_serial(SerialPolicy::date, 2026112300u, 5, kNow), 2026112301u);
  EXPECT_EQ(next_serial(SerialPolicy::date, 2026112399u, 5, kNow), 2026112400u);
}

}  // namespace
}  // namespace signerd::policy
