#include "signerd/metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

namespace signerd {
namespace {

using namespace std::chrono;

const base::TimePoint kNow = sys_days{year{2026} / 11 / 23} + hours{12};  // 1795435200

KeyStatus key(std::string role, std::string state, std::string parent = "") {
  KeyStatus k;
  k.role = std::move(role);
  k.state = std::move(state);
  k.parent = std::move(parent);
  return k;
}

ZoneStatus full_zone() {
  ZoneStatus s;
  s.zone = "example.com.";
  s.upstream_serial = 2026112302;
  s.signed_serial = 4000000000;
  s.earliest_expiry = kNow + days{10};
  s.refresh_window = days{5};
  s.next_refresh = kNow + hours{1};
  s.next_key_event = kNow + seconds{90};
  s.keys = {key("zsk", "active"), key("csk", "active"), key("zsk", "published", "waiting for DS of key 1"),
            key("zsk", "active")};
  s.errors = {"first", "second"};
  s.signatures_made = 1234;
  s.versions_published = 5;
  s.last_transfer_time = kNow - seconds{60};
  s.last_transfer_kind = "ixfr";
  s.last_transfer_result = "ok";
  s.transfers_in = {{{"axfr", true}, 1}, {{"ixfr", false}, 2}, {{"ixfr", true}, 3}};
  s.last_notify = {NotifyStatus{"127.0.0.1@5301", 4000000000, true, "answered", kNow - seconds{30}},
                   NotifyStatus{"127.0.0.2@53", 3999999999, false, "no answer", kNow - seconds{20}}};
  s.notifies_out = {{{"127.0.0.1@5301", true}, 4}, {{"127.0.0.2@53", false}, 1}};
  return s;
}

// Nothing has happened yet, and the name needs escaping.
ZoneStatus new_zone() {
  ZoneStatus s;
  s.zone = "we\"ird\\zone.";
  return s;
}

ProcessInfo process() {
  ProcessInfo p;
  p.version = "0.1.0";
  p.start_time = kNow - hours{1};
  p.zones_configured = 2;
  p.http_responses = {{200, 7}, {404, 1}};
  p.dns = xfr::ServerCounters{10, 2, 1, 3, 4, 5, 6, 0};
  return p;
}

constexpr const char* kExpected = R"(# HELP signerd_build_info Always 1; the label names the signerd version.
# TYPE signerd_build_info gauge
signerd_build_info{version="0.1.0"} 1
# HELP signerd_start_time_seconds When the daemon started, in seconds since the Unix epoch.
# TYPE signerd_start_time_seconds gauge
signerd_start_time_seconds 1795431600
# HELP signerd_zones_configured Zones in the running configuration.
# TYPE signerd_zones_configured gauge
signerd_zones_configured 2
# HELP signerd_http_responses_total HTTP answers of the status listener, by status code.
# TYPE signerd_http_responses_total counter
signerd_http_responses_total{code="200"} 7
signerd_http_responses_total{code="404"} 1
# HELP signerd_dns_queries_total DNS QUERY requests received, transfers included.
# TYPE signerd_dns_queries_total counter
signerd_dns_queries_total 10
# HELP signerd_dns_notifies_in_total NOTIFY requests received.
# TYPE signerd_dns_notifies_in_total counter
signerd_dns_notifies_in_total 2
# HELP signerd_dns_transfers_out_total Zone transfers served, by kind (axfr or ixfr).
# TYPE signerd_dns_transfers_out_total counter
signerd_dns_transfers_out_total{kind="axfr"} 1
signerd_dns_transfers_out_total{kind="ixfr"} 3
# HELP signerd_dns_refused_total DNS requests answered REFUSED.
# TYPE signerd_dns_refused_total counter
signerd_dns_refused_total 4
# HELP signerd_dns_formerr_total DNS requests answered FORMERR.
# TYPE signerd_dns_formerr_total counter
signerd_dns_formerr_total 5
# HELP signerd_dns_tsig_failures_total DNS requests whose TSIG did not verify.
# TYPE signerd_dns_tsig_failures_total counter
signerd_dns_tsig_failures_total 6
# HELP signerd_dns_tcp_rejected_total DNS TCP connections closed at once: over the limit.
# TYPE signerd_dns_tcp_rejected_total counter
signerd_dns_tcp_rejected_total 0
# HELP signerd_zone_upstream_serial SOA serial of the primary's version that signerd holds.
# TYPE signerd_zone_upstream_serial gauge
signerd_zone_upstream_serial{zone="example.com."} 2026112302
# HELP signerd_zone_signed_serial SOA serial of the signed version served.
# TYPE signerd_zone_signed_serial gauge
signerd_zone_signed_serial{zone="example.com."} 4000000000
# HELP signerd_zone_earliest_signature_expiry_timestamp_seconds When the first served RRSIG expires, in seconds since the Unix epoch.
# TYPE signerd_zone_earliest_signature_expiry_timestamp_seconds gauge
signerd_zone_earliest_signature_expiry_timestamp_seconds{zone="example.com."} 1796299200
# HELP signerd_zone_signature_refresh_window_seconds The policy's signatures-refresh: unhealthy when a signature expires within it.
# TYPE signerd_zone_signature_refresh_window_seconds gauge
signerd_zone_signature_refresh_window_seconds{zone="example.com."} 432000
signerd_zone_signature_refresh_window_seconds{zone="we\"ird\\zone."} 0
# HELP signerd_zone_next_refresh_timestamp_seconds When the primaries are asked for the SOA next, in seconds since the Unix epoch.
# TYPE signerd_zone_next_refresh_timestamp_seconds gauge
signerd_zone_next_refresh_timestamp_seconds{zone="example.com."} 1795438800
# HELP signerd_zone_next_key_event_seconds Seconds until the key state machine runs next; negative when overdue.
# TYPE signerd_zone_next_key_event_seconds gauge
signerd_zone_next_key_event_seconds{zone="example.com."} 90
# HELP signerd_zone_keys Keys of the zone by role (csk, ksk, zsk) and state.
# TYPE signerd_zone_keys gauge
signerd_zone_keys{zone="example.com.",role="csk",state="active"} 1
signerd_zone_keys{zone="example.com.",role="zsk",state="active"} 2
signerd_zone_keys{zone="example.com.",role="zsk",state="published"} 1
# HELP signerd_zone_keys_awaiting_parent Keys waiting for their DS to appear or go at the parent.
# TYPE signerd_zone_keys_awaiting_parent gauge
signerd_zone_keys_awaiting_parent{zone="example.com."} 1
signerd_zone_keys_awaiting_parent{zone="we\"ird\\zone."} 0
# HELP signerd_zone_healthy 1 when /healthz counts the zone healthy, else 0.
# TYPE signerd_zone_healthy gauge
signerd_zone_healthy{zone="example.com."} 1
signerd_zone_healthy{zone="we\"ird\\zone."} 0
# HELP signerd_zone_errors Errors listed in /status for the zone (the last 10 at most).
# TYPE signerd_zone_errors gauge
signerd_zone_errors{zone="example.com."} 2
signerd_zone_errors{zone="we\"ird\\zone."} 0
# HELP signerd_zone_signatures_made_total RRSIGs made for the zone since it started.
# TYPE signerd_zone_signatures_made_total counter
signerd_zone_signatures_made_total{zone="example.com."} 1234
signerd_zone_signatures_made_total{zone="we\"ird\\zone."} 0
# HELP signerd_zone_versions_published_total Signed versions published since the zone started.
# TYPE signerd_zone_versions_published_total counter
signerd_zone_versions_published_total{zone="example.com."} 5
signerd_zone_versions_published_total{zone="we\"ird\\zone."} 0
# HELP signerd_zone_last_transfer_timestamp_seconds When the last refresh from a primary ended, in seconds since the Unix epoch.
# TYPE signerd_zone_last_transfer_timestamp_seconds gauge
signerd_zone_last_transfer_timestamp_seconds{zone="example.com."} 1795435140
# HELP signerd_zone_last_transfer_success 1 when the last refresh succeeded, else 0; kind is axfr, ixfr or up-to-date.
# TYPE signerd_zone_last_transfer_success gauge
signerd_zone_last_transfer_success{zone="example.com.",kind="ixfr"} 1
# HELP signerd_zone_transfers_in_total Transfers from the primaries by kind and result.
# TYPE signerd_zone_transfers_in_total counter
signerd_zone_transfers_in_total{zone="example.com.",kind="axfr",result="ok"} 1
signerd_zone_transfers_in_total{zone="example.com.",kind="ixfr",result="error"} 2
signerd_zone_transfers_in_total{zone="example.com.",kind="ixfr",result="ok"} 3
# HELP signerd_zone_notify_out_last_answered 1 when the secondary answered the last NOTIFY sent to it, else 0.
# TYPE signerd_zone_notify_out_last_answered gauge
signerd_zone_notify_out_last_answered{zone="example.com.",peer="127.0.0.1@5301"} 1
signerd_zone_notify_out_last_answered{zone="example.com.",peer="127.0.0.2@53"} 0
# HELP signerd_zone_notify_out_last_serial The serial of the last NOTIFY sent to the secondary.
# TYPE signerd_zone_notify_out_last_serial gauge
signerd_zone_notify_out_last_serial{zone="example.com.",peer="127.0.0.1@5301"} 4000000000
signerd_zone_notify_out_last_serial{zone="example.com.",peer="127.0.0.2@53"} 3999999999
# HELP signerd_zone_notify_out_last_timestamp_seconds When the last NOTIFY to the secondary ended, in seconds since the Unix epoch.
# TYPE signerd_zone_notify_out_last_timestamp_seconds gauge
signerd_zone_notify_out_last_timestamp_seconds{zone="example.com.",peer="127.0.0.1@5301"} 1795435170
signerd_zone_notify_out_last_timestamp_seconds{zone="example.com.",peer="127.0.0.2@53"} 1795435180
# HELP signerd_zone_notifies_out_total NOTIFY rounds (each up to 5 attempts) to a secondary, by result.
# TYPE signerd_zone_notifies_out_total counter
signerd_zone_notifies_out_total{zone="example.com.",peer="127.0.0.1@5301",result="answered"} 4
signerd_zone_notifies_out_total{zone="example.com.",peer="127.0.0.2@53",result="unanswered"} 1
)";

TEST(MetricsText, ExactTextForFixedStatuses) {
  EXPECT_EQ(metrics_text({full_zone(), new_zone()}, process(), kNow), kExpected);
}

TEST(MetricsText, AbsentValuesGiveNoSampleAndEmptyFamiliesNoHeader) {
  ProcessInfo p;
  p.version = "0.1.0";
  const std::string text = metrics_text({new_zone()}, p, kNow);
  for (const char* absent : {"signerd_zone_upstream_serial", "signerd_zone_signed_serial",
                             "signerd_zone_earliest_signature_expiry", "signerd_zone_next_refresh",
                             "signerd_zone_upstream_expired", "signerd_zone_next_key_event",
                             "signerd_zone_keys{", "signerd_zone_last_transfer", "signerd_zone_transfers_in",
                             "signerd_zone_notify", "signerd_http_responses_total", "signerd_dns_"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent;
  }
  EXPECT_NE(text.find("signerd_zone_signatures_made_total{zone=\"we\\\"ird\\\\zone.\"} 0\n"),
            std::string::npos);
}

TEST(MetricsText, EveryFamilyHasHelpThenTypeAndCountersEndInTotal) {
  const std::string text = metrics_text({full_zone(), new_zone()}, process(), kNow);
  std::istringstream in(text);
  std::string line, help_of, family;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      help_of = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string type;
      words >> family >> type;
      EXPECT_EQ(family, help_of) << line;
      EXPECT_EQ(type == "counter", family.ends_with("_total")) << line;
      EXPECT_TRUE(type == "counter" || type == "gauge") << line;
    } else {
      EXPECT_TRUE(line.starts_with(family + "{") || line.starts_with(family + " ")) << line;
      EXPECT_EQ(line.find('e', line.rfind(' ')), std::string::npos) << "exponent in " << line;
    }
  }
}

TEST(MetricsText, NoZonesStillDescribesTheProcess) {
  const std::string text = metrics_text({}, process(), kNow);
  EXPECT_NE(text.find("signerd_build_info{version=\"0.1.0\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("signerd_zone_"), std::string::npos);
}

TEST(MetricsText, OverdueKeyEventIsNegative) {
  ZoneStatus s = full_zone();
  s.next_key_event = kNow - seconds{5};
  const std::string text = metrics_text({s}, ProcessInfo{}, kNow);
  EXPECT_NE(text.find("signerd_zone_next_key_event_seconds{zone=\"example.com.\"} -5\n"), std::string::npos);
}

TEST(MetricsLabelEscape, BackslashQuoteAndNewline) {
  EXPECT_EQ(metrics_label_escape("plain.example."), "plain.example.");
  EXPECT_EQ(metrics_label_escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(metrics_label_escape("tab\tstays"), "tab\tstays");
  EXPECT_EQ(metrics_label_escape(""), "");
}

}  // namespace
}  // namespace signerd
