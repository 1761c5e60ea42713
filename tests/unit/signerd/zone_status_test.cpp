#include "signerd/zone_status.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace signerd {
namespace {

using namespace std::chrono;

const base::TimePoint kNow = sys_days{year{2026} / 11 / 23} + hours{12};

ZoneStatus serving() {
  ZoneStatus s;
  s.zone = "example.com.";
  s.signed_serial = 7;
  s.upstream_serial = 7;
  s.refresh_window = hours{24 * 5};
  s.earliest_expiry = kNow + hours{24 * 10};
  return s;
}

TEST(ZoneStatus, HealthyWhenServingWithFreshSignatures) {
  std::string why;
  EXPECT_TRUE(serving().healthy(kNow, &why)) << why;
}

TEST(ZoneStatus, UnhealthyBeforeTheFirstSignedVersion) {
  ZoneStatus s = serving();
  s.signed_serial.reset();
  std::string why;
  EXPECT_FALSE(s.healthy(kNow, &why));
  EXPECT_NE(why.find("no signed version"), std::string::npos) << why;
}

TEST(ZoneStatus, UnhealthyWhenASignatureExpiresWithinTheRefreshWindow) {
  ZoneStatus s = serving();
  s.earliest_expiry = kNow + hours{24 * 4};
  std::string why;
  EXPECT_FALSE(s.healthy(kNow, &why));
  EXPECT_NE(why.find("2026-11-27T12:00:00Z"), std::string::npos) << why;
}

TEST(ZoneStatus, UnhealthyPastTheSoaExpire) {
  ZoneStatus s = serving();
  s.expired_upstream = kNow - hours{1};
  std::string why;
  EXPECT_FALSE(s.healthy(kNow, &why));
  EXPECT_NE(why.find("unreachable"), std::string::npos) << why;
}

TEST(ZoneStatus, UnhealthyWhenAServedKeyIsMissing) {
  ZoneStatus s = serving();
  s.key_error = "key csk 12345 (id 7) is in the store but not in the key store";
  std::string why;
  EXPECT_FALSE(s.healthy(kNow, &why));
  EXPECT_NE(why.find("not in the key store"), std::string::npos) << why;
  EXPECT_NE(to_json(s, kNow).find("\"key_error\":\"key csk 12345"), std::string::npos);
}

// REVIEW M1: a primary's newer zone that cannot be taken (an IXFR that
// does not apply, then an AXFR that fails) was only an entry in errors.
TEST(ZoneStatus, UnhealthyAfterThreeRoundsThatCouldNotTakeTheNewerZone) {
  ZoneStatus s = serving();
  s.failed_refreshes = kFailedRefreshesUnhealthy - 1;
  s.failed_refresh_reason = "from 192.0.2.1@53: diff removes an RR of nosuch.example. A that is not present";
  std::string why;
  EXPECT_TRUE(s.healthy(kNow, &why)) << why;  // one dropped connection is not a problem yet
  s.failed_refreshes = kFailedRefreshesUnhealthy;
  EXPECT_FALSE(s.healthy(kNow, &why));
  EXPECT_NE(why.find("3 rounds in a row: from 192.0.2.1@53: diff removes"), std::string::npos) << why;
  EXPECT_NE(to_json(s, kNow).find("\"failed_refreshes\":3"), std::string::npos);
}

TEST(ZoneStatus, JsonEscapesAndSaysWhy) {
  ZoneStatus s = serving();
  s.errors.push_back("transfer from 192.0.2.1@53 failed: \"bad\"\n");
  KeyStatus key{12345,
                13,
                "csk",
                "active",
                "omnipresent",
                {"omnipresent", "omnipresent", "rumoured", "hidden"},
                "zrrsig rumoured -> omnipresent at 2026-12-04T12:00:00Z",
                kNow + hours{24},
                7,
                ""};
  s.keys.push_back(key);
  s.signed_serial.reset();
  const std::string json = to_json(s, kNow);
  EXPECT_NE(json.find("\"signed_serial\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\\\"bad\\\"\\n"), std::string::npos) << json;
  EXPECT_NE(
      json.find("{\"tag\":12345,\"algorithm\":13,\"role\":\"csk\",\"state\":\"active\",\"id\":7,"
                "\"goal\":\"omnipresent\",\"records\":{\"dnskey\":\"omnipresent\",\"krrsig\":"
                "\"omnipresent\",\"zrrsig\":\"rumoured\",\"ds\":\"hidden\"},\"next\":\"zrrsig rumoured -> "
                "omnipresent at 2026-12-04T12:00:00Z\",\"next_time\":\"2026-11-24T12:00:00Z\"}"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"healthy\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"earliest_signature_expiry\":\"2026-12-03T12:00:00Z\""), std::string::npos) << json;
}

}  // namespace
}  // namespace signerd
