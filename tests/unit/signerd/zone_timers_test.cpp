#include "signerd/zone_timers.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "dns/soa.hpp"

namespace signerd {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const base::TimePoint kT0{seconds(1'800'000'000)};

// An SOA RRset with these refresh, retry and expire timers.
dns::RRset soa(uint32_t refresh, uint32_t retry, uint32_t expire) {
  dns::Rdata rd = {0, 0};  // MNAME and RNAME: the root
  for (uint32_t v : {1u, refresh, retry, expire, 300u})
    for (int shift = 24; shift >= 0; shift -= 8) rd.push_back(static_cast<uint8_t>(v >> shift));
  dns::RRset out(*dns::Name::from_text("example."), dns::RRType::SOA, dns::RRClass::IN, 300);
  out.add(rd);
  return out;
}

TEST(ZoneTimers, SoaCheckFollowsRefreshOrRetry) {
  base::FakeClock clock(kT0);
  const auto s = soa(3600, 600, 86400);
  EXPECT_EQ(zone_timers(s, true, std::nullopt, hours(120), std::nullopt, clock.now()).soa_check,
            kT0 + seconds(3600));
  EXPECT_EQ(zone_timers(s, false, std::nullopt, hours(120), std::nullopt, clock.now()).soa_check,
            kT0 + seconds(600));
  EXPECT_EQ(zone_timers(std::nullopt, true, std::nullopt, hours(120), std::nullopt, clock.now()).soa_check,
            kT0 + kDefaultSoaRetry);
}

TEST(ZoneTimers, AbsurdSoaTimersAreBounded) {
  EXPECT_EQ(bounded_soa_timer(0), seconds(1));
  EXPECT_EQ(bounded_soa_timer(0xFFFFFFFFu), hours(24));
  EXPECT_EQ(zone_timers(soa(0, 0, 0), true, std::nullopt, hours(1), std::nullopt, kT0).next(kT0),
            kT0 + seconds(1));
}

TEST(ZoneTimers, NextIsTheEarliestTimer) {
  base::FakeClock clock(kT0);
  const auto s = soa(3600, 600, 86400);
  // Signatures expire in 6 days with a 5-day refresh window: due in 1 day,
  // after the SOA check.
  auto t = zone_timers(s, true, kT0 + hours(24 * 6), hours(24 * 5), std::nullopt, clock.now());
  EXPECT_EQ(t.signature_refresh, kT0 + hours(24));
  EXPECT_EQ(t.next(clock.now()), kT0 + seconds(3600));
  // A key event before the SOA check comes first.
  t = zone_timers(s, true, kT0 + hours(24 * 6), hours(24 * 5), kT0 + seconds(90), clock.now());
  EXPECT_EQ(t.next(clock.now()), kT0 + seconds(90));
  // Signatures already inside the window: due now, run on the next turn.
  t = zone_timers(s, true, kT0 + hours(1), hours(24 * 5), std::nullopt, clock.now());
  EXPECT_EQ(t.next(clock.now()), kT0 + seconds(1));
  clock.advance(seconds(3000));
  EXPECT_EQ(zone_timers(s, true, std::nullopt, hours(1), std::nullopt, clock.now()).next(clock.now()),
            clock.now() + seconds(3600));
}

}  // namespace
}  // namespace signerd
