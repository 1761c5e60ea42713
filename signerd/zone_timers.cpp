#include "signerd/zone_timers.hpp"

#include <algorithm>

#include "dns/soa.hpp"

namespace signerd {

using std::chrono::seconds;

seconds bounded_soa_timer(uint32_t value) {
  return std::clamp(seconds{value}, seconds{1}, seconds{std::chrono::hours(24)});
}

base::TimePoint ZoneTimers::next(base::TimePoint now) const {
  base::TimePoint earliest = soa_check;
  for (const auto& t : {signature_refresh, key_event})
    if (t) earliest = std::min(earliest, *t);
  return std::max(earliest, now + seconds{1});
}

ZoneTimers zone_timers(const std::optional<dns::RRset>& upstream_soa, bool primary_reached,
                       std::optional<base::TimePoint> earliest_expiry, seconds refresh_window,
                       std::optional<base::TimePoint> key_event, base::TimePoint now) {
  ZoneTimers t;
  t.soa_check = now + kDefaultSoaRetry;
  if (upstream_soa && upstream_soa->size() == 1) {
    if (auto timers = dns::soa_timers(upstream_soa->rdatas()[0]))
      t.soa_check = now + bounded_soa_timer(primary_reached ? timers->refresh : timers->retry);
  }
  if (earliest_expiry) t.signature_refresh = *earliest_expiry - refresh_window;
  t.key_event = key_event;
  return t;
}

}  // namespace signerd
