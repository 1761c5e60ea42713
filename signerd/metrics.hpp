// signerd/metrics.hpp — the Prometheus text exposition of /metrics.
//
// Owns: the metric names, their HELP and TYPE, and the one place where
// values become text: label escaping and number format of the text
// exposition format 0.0.4 (prometheus.io, "Exposition formats"). Every value
// here is an integer and is written exactly, without exponent, so serials
// and timestamps survive a scrape. Does not own: gathering the values (the
// daemon takes a ZoneStatus snapshot per zone and the counters of its
// servers) or serving HTTP.
//
// Absent values give no sample, never a made-up 0: a zone that has not
// been signed yet has no signerd_zone_signed_serial sample, and a family
// without any sample is left out, HELP and TYPE included.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "signerd/zone_status.hpp"
#include "xfr/auth_server.hpp"

namespace signerd {

// What an HTTP answer with metrics_text() as its body carries.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// The process-wide values, gathered by the daemon.
struct ProcessInfo {
  std::string version;                          // signerd_build_info{version=…}
  base::TimePoint start_time{};                 // when the daemon started
  std::size_t zones_configured = 0;             // zones in the running config
  std::map<unsigned, uint64_t> http_responses;  // HTTP answers by status code
  std::optional<xfr::ServerCounters> dns;       // absent: no DNS server running
};

// The whole /metrics body: process families first, then one family per
// zone value with a sample per zone (label zone="example.com."), each
// family with "# HELP" and "# TYPE" before its samples, lines ending in
// '\n'. `now` only gives signerd_zone_healthy and the seconds until the next
// key event. Pure and thread-safe; never fails.
std::string metrics_text(const std::vector<ZoneStatus>& zones, const ProcessInfo& process,
                         base::TimePoint now);

// A label value escaped for the text format: backslash, double quote and
// line feed become \\, \" and \n; every other byte is kept as it is.
std::string metrics_label_escape(std::string_view value);

}  // namespace signerd
