// signerd/zone_status.hpp — what the daemon tells about one zone.
//
// Owns: ZoneStatus, the plain values a zone reports for /status, /healthz
// and logs, and their JSON form. Does not own: computing them (the zone's
// runtime does, under its lock) or serving HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.hpp"

namespace signerd {

struct KeyStatus {
  uint16_t tag = 0;
  uint8_t algorithm = 0;
  std::string role;
  std::string state;                 // policy::summary: "active", "published", …
  std::string goal;                  // "omnipresent" or "hidden"
  std::vector<std::string> records;  // DNSKEY, KRRSIG, ZRRSIG, DS states ("-": the role has none)
  std::string next;                  // the next transition and what it waits for
  std::optional<base::TimePoint> next_time;
  int64_t id = 0;      // the store's key id
  std::string parent;  // the last DS round at the parental agents, while one is awaited
};

struct NotifyStatus {
  std::string peer;
  uint32_t serial = 0;
  bool answered = false;
  std::string result;  // "NOERROR", "REFUSED", "no answer after 5 attempts", …
  base::TimePoint time{};
};

// Refresh rounds in a row that found newer data and could not take it
// before /healthz says so (one may be a dropped connection).
inline constexpr uint32_t kFailedRefreshesUnhealthy = 3;

struct ZoneStatus {
  std::string zone;
  std::optional<uint32_t> upstream_serial;  // the primary's serial we hold
  std::optional<uint32_t> signed_serial;    // what we serve
  std::optional<base::TimePoint> last_transfer_time;
  std::string last_transfer_kind;    // "axfr", "ixfr", "up-to-date", ""
  std::string last_transfer_result;  // "ok" or the error
  std::string last_transfer_peer;
  std::vector<NotifyStatus> last_notify;
  std::optional<base::TimePoint> next_refresh;
  std::optional<base::TimePoint> earliest_expiry;   // of any RRSIG we serve
  std::optional<base::TimePoint> expired_upstream;  // SOA expire passed: primaries unreachable since
  std::chrono::seconds refresh_window{0};           // policy signatures-refresh
  std::vector<KeyStatus> keys;
  std::optional<base::TimePoint> next_key_event;  // when the key state machine runs next
  std::optional<std::string> key_error;           // a served key is missing from the key store
  // Rounds in a row in which a primary had a newer serial and none could
  // be taken (a transfer failed or did not apply), with the last reason;
  // three make the zone unhealthy (REVIEW M1).
  uint32_t failed_refreshes = 0;
  std::string failed_refresh_reason;
  std::vector<std::string> errors;  // the current problems, newest last
  uint64_t signatures_made = 0;
  uint64_t versions_published = 0;
  // Counted since the zone started, for /metrics: transfers in by (kind,
  // succeeded) and NOTIFY out rounds by (peer, answered).
  std::map<std::pair<std::string, bool>, uint64_t> transfers_in;
  std::map<std::pair<std::string, bool>, uint64_t> notifies_out;

  // Healthy when a signed version is served and no signature expires within
  // the refresh window; `why` says what is wrong otherwise.
  bool healthy(base::TimePoint now, std::string* why) const;
};

std::string to_json(const ZoneStatus& status, base::TimePoint now);
// The "keys" array of to_json: one object per key.
std::string keys_to_json(const std::vector<KeyStatus>& keys);
// "2024-05-01T12:00:00Z" (UTC, seconds).
std::string iso_time(base::TimePoint t);

}  // namespace signerd
