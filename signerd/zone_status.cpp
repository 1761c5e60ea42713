#include "signerd/zone_status.hpp"

#include <chrono>
#include <ctime>

#include "signerd/json.hpp"

namespace signerd {

std::string iso_time(base::TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

void field(std::string& out, std::string_view name, std::string_view json_value) {
  if (out.back() != '{') out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += json_value;
}

std::string quoted(std::string_view s) { return "\"" + json_escape(s) + "\""; }

template <class T>
std::string number_or_null(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "null";
}

std::string time_or_null(const std::optional<base::TimePoint>& t) {
  return t ? quoted(iso_time(*t)) : "null";
}

}  // namespace

bool ZoneStatus::healthy(base::TimePoint now, std::string* why) const {
  auto fail = [&](std::string reason) {
    if (why) *why = zone + ": " + reason;
    return false;
  };
  if (!signed_serial) return fail("no signed version yet");
  if (earliest_expiry && *earliest_expiry <= now + refresh_window)
    return fail("a signature expires at " + iso_time(*earliest_expiry) + ", within the refresh window");
  if (expired_upstream)
    return fail("primaries unreachable past SOA expire since " + iso_time(*expired_upstream));
  if (key_error) return fail(*key_error);
  if (failed_refreshes >= kFailedRefreshesUnhealthy)
    return fail("the primaries' newer zone could not be taken in " + std::to_string(failed_refreshes) +
                " rounds in a row: " + failed_refresh_reason);
  return true;
}

std::string keys_to_json(const std::vector<KeyStatus>& list) {
  std::string keys = "[";
  for (const auto& k : list) {
    if (keys.size() > 1) keys += ',';
    std::string one = "{";
    field(one, "tag", std::to_string(k.tag));
    field(one, "algorithm", std::to_string(k.algorithm));
    field(one, "role", quoted(k.role));
    field(one, "state", quoted(k.state));
    field(one, "id", std::to_string(k.id));
    field(one, "goal", quoted(k.goal));
    static constexpr const char* kRecordNames[] = {"dnskey", "krrsig", "zrrsig", "ds"};
    std::string records = "{";
    for (size_t i = 0; i < k.records.size() && i < 4; ++i)
      field(records, kRecordNames[i], quoted(k.records[i]));
    field(one, "records", records + "}");
    field(one, "next", quoted(k.next));
    field(one, "next_time", time_or_null(k.next_time));
    if (!k.parent.empty()) field(one, "parent", quoted(k.parent));
    keys += one + "}";
  }
  return keys + "]";
}

std::string to_json(const ZoneStatus& s, base::TimePoint now) {
  std::string out = "{";
  field(out, "zone", quoted(s.zone));
  field(out, "upstream_serial", number_or_null(s.upstream_serial));
  field(out, "signed_serial", number_or_null(s.signed_serial));
  std::string transfer = "{";
  field(transfer, "time", time_or_null(s.last_transfer_time));
  field(transfer, "kind", quoted(s.last_transfer_kind));
  field(transfer, "result", quoted(s.last_transfer_result));
  field(transfer, "peer", quoted(s.last_transfer_peer));
  transfer += '}';
  field(out, "last_transfer_in", transfer);
  std::string notifies = "[";
  for (const auto& n : s.last_notify) {
    if (notifies.size() > 1) notifies += ',';
    std::string one = "{";
    field(one, "peer", quoted(n.peer));
    field(one, "serial", std::to_string(n.serial));
    field(one, "answered", n.answered ? "true" : "false");
    field(one, "result", quoted(n.result));
    field(one, "time", quoted(iso_time(n.time)));
    notifies += one + "}";
  }
  field(out, "last_notify_out", notifies + "]");
  field(out, "next_refresh", time_or_null(s.next_refresh));
  field(out, "earliest_signature_expiry", time_or_null(s.earliest_expiry));
  field(out, "upstream_expired_since", time_or_null(s.expired_upstream));
  field(out, "keys", keys_to_json(s.keys));
  field(out, "next_key_event", time_or_null(s.next_key_event));
  field(out, "key_error", s.key_error ? quoted(*s.key_error) : "null");
  std::string errors = "[";
  for (const auto& e : s.errors) {
    if (errors.size() > 1) errors += ',';
    errors += quoted(e);
  }
  field(out, "errors", errors + "]");
  field(out, "failed_refreshes", std::to_string(s.failed_refreshes));
  field(out, "signatures_made", std::to_string(s.signatures_made));
  field(out, "versions_published", std::to_string(s.versions_published));
  std::string why;
  field(out, "healthy", s.healthy(now, &why) ? "true" : "false");
  field(out, "problem", quoted(why));
  return out + "}";
}

}  // namespace signerd
