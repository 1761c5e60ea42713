#include "policy/duration.hpp"

#include <gtest/gtest.h>

namespace signerd::policy {
namespace {

using namespace std::chrono_literals;

Seconds parsed(std::string_view text) {
  auto r = parse_duration(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().detail);
  return r ? *r : Seconds(-1);
}

TEST(Duration, Iso8601UsesBindsCalendarApproximation) {
  EXPECT_EQ(parsed("P30D"), 24h * 30);
  EXPECT_EQ(parsed("PT1H"), 1h);
  EXPECT_EQ(parsed("PT5M"), 5min);
  EXPECT_EQ(parsed("P1M"), 24h * 31);  // month = 31 days, as BIND
  EXPECT_EQ(parsed("P1Y"), 24h * 365);
  EXPECT_EQ(parsed("P2W"), 24h * 14);
  EXPECT_EQ(parsed("P1Y2M3DT4H5M6S"), 24h * 365 + 24h * 62 + 24h * 3 + 4h + 5min + 6s);
  EXPECT_EQ(parsed("p1dt1h"), 25h);  // letters in any case
}

TEST(Duration, BindShorthandAndBareSeconds) {
  EXPECT_EQ(parsed("30d"), 24h * 30);
  EXPECT_EQ(parsed("1h"), 1h);
  EXPECT_EQ(parsed("90"), 90s);
  EXPECT_EQ(parsed("1w2d3h4m5s"), 24h * 9 + 3h + 4min + 5s);
  EXPECT_EQ(parsed("1H30M"), 90min);
  EXPECT_EQ(parsed("1y"), 24h * 365);
  EXPECT_EQ(parsed("0"), 0s);
}

TEST(Duration, MalformedTextIsRefusedWithTheTextQuoted) {
  for (const char* text : {"", "P", "PT", "P1", "P1H", "PT1D", "P1D2Y", "P1DT1H1H", "1x", "1h30", "h", "-1",
                           "1.5h", "P1DT", " 1h", "1h "}) {
    auto r = parse_duration(text);
    ASSERT_FALSE(r) << "'" << text << "' was accepted";
    EXPECT_EQ(r.error().code, base::Errc::malformed) << text;
    EXPECT_NE(r.error().detail.find("'" + std::string(text) + "'"), std::string::npos) << r.error().detail;
  }
}

TEST(Duration, MoreThan32BitsOfSecondsIsOutOfRange) {
  EXPECT_EQ(parsed("4294967295"), Seconds(4294967295LL));
  auto r = parse_duration("4294967296");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::out_of_range);
  EXPECT_FALSE(parse_duration("P200Y"));
  EXPECT_FALSE(parse_duration("99999999999999999999999s"));
}

TEST(Duration, UnlimitedIsOnlyALifetime) {
  auto d = parse_duration("unlimited");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().detail.find("lifetime"), std::string::npos);
  auto l = parse_lifetime("unlimited");
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->has_value());
  EXPECT_TRUE(parse_lifetime("UNLIMITED"));
  auto p90 = parse_lifetime("P90D");
  ASSERT_TRUE(p90);
  EXPECT_EQ(**p90, 24h * 90);
  auto zero = parse_lifetime("0");
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().detail.find("unlimited"), std::string::npos);
}

TEST(Duration, FormatReadsBack) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(24h * 90), "90d");
  EXPECT_EQ(format_duration(36h + 5s), "1d12h5s");
  for (Seconds s : {Seconds(1), Seconds(59), Seconds(3601), Seconds(14 * 86400 + 60)})
    EXPECT_EQ(parsed(format_duration(s)), s);
}

}  // namespace
}  // namespace signerd::policy
