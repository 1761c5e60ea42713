// SOA serial arithmetic (RFC 1982): ordering in a 32-bit circle, wrap-around,
// and the unordered pair exactly 2^31 apart.
#include "xfr/serial.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace signerd::xfr {
namespace {

TEST(Serial, EqualIsNeitherOlderNorNewer) {
  for (uint32_t s : {0u, 1u, 0x7FFF'FFFFu, 0x8000'0000u, 0xFFFF'FFFFu}) {
    EXPECT_FALSE(serial_lt(s, s));
    EXPECT_FALSE(serial_gt(s, s));
  }
}

TEST(Serial, PlainOrder) {
  EXPECT_TRUE(serial_lt(1, 2));
  EXPECT_FALSE(serial_lt(2, 1));
  EXPECT_TRUE(serial_gt(2, 1));
  EXPECT_TRUE(serial_lt(2026112301u, 2026112302u));
}

// RFC 1982 section 3.2: 0xFFFFFFFF + 1 wraps to 0, which is newer.
TEST(Serial, WrapAround) {
  EXPECT_TRUE(serial_lt(0xFFFF'FFFFu, 0));
  EXPECT_TRUE(serial_gt(0, 0xFFFF'FFFFu));
  EXPECT_TRUE(serial_lt(0xFFFF'FFF0u, 5));
  EXPECT_FALSE(serial_lt(5, 0xFFFF'FFF0u));
  EXPECT_EQ(serial_add(0xFFFF'FFFFu, 1), 0u);
  EXPECT_EQ(serial_add(0xFFFF'FFFEu, 10), 8u);
  EXPECT_TRUE(serial_lt(0xFFFF'FFFEu, serial_add(0xFFFF'FFFEu, 10)));
}

// The largest step that still orders is 2^31 - 1.
TEST(Serial, LargestOrderedStep) {
  EXPECT_TRUE(serial_lt(0, 0x7FFF'FFFFu));
  EXPECT_TRUE(serial_gt(0x7FFF'FFFFu, 0));
  EXPECT_TRUE(serial_lt(0x8000'0000u, 0xFFFF'FFFFu));
  EXPECT_TRUE(serial_lt(0xFFFF'FFFFu, 0x7FFF'FFFEu));
  // One more than 2^31 the other way round: 0x80000001 ahead is "behind".
  EXPECT_TRUE(serial_gt(0, 0x8000'0001u));
  EXPECT_FALSE(serial_lt(0, 0x8000'0001u));
}

// RFC 1982 section 3.2: s1 and s2 2^31 apart are unordered; neither is
// newer, in either direction.
TEST(Serial, ExactlyHalfTheCircleIsUnordered) {
  for (uint32_t s : {0u, 1u, 0x7FFF'FFFFu, 0x8000'0000u, 0xFFFF'FFFFu, 2026112301u}) {
    const uint32_t t = s + 0x8000'0000u;
    EXPECT_FALSE(serial_lt(s, t)) << s;
    EXPECT_FALSE(serial_gt(s, t)) << s;
    EXPECT_FALSE(serial_lt(t, s)) << s;
    EXPECT_FALSE(serial_gt(t, s)) << s;
  }
}

// For every other pair exactly one of <, >, == holds (checked on a spread
// of values that crosses the wrap).
TEST(Serial, TrichotomyOffTheHalfway) {
  const uint32_t values[] = {0u,           1u,           2u,           0x3FFF'FFFFu, 0x7FFF'FFFEu,
                             0x7FFF'FFFFu, 0x8000'0001u, 0xBFFF'FFFFu, 0xFFFF'FFFEu, 0xFFFF'FFFFu};
  for (uint32_t a : values) {
    for (uint32_t b : values) {
      if (static_cast<uint32_t>(b - a) == 0x8000'0000u) continue;
      const int holds = int{serial_lt(a, b)} + int{serial_gt(a, b)} + int{a == b};
      EXPECT_EQ(holds, 1) << a << " " << b;
      EXPECT_EQ(serial_lt(a, b), serial_gt(b, a)) << a << " " << b;
    }
  }
}

static_assert(serial_lt(0xFFFF'FFFFu, 0));
static_assert(!serial_lt(0, 0x8000'0000u) && !serial_gt(0, 0x8000'0000u));

}  // namespace
}  // namespace signerd::xfr
