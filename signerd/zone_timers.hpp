// signerd/zone_timers.hpp — when a zone has something to do next.
//
// Owns: ZoneTimers, the zone's timers as one value (the SOA check per the
// primary's refresh and retry, the signature refresh, the key state
// machine's next event), whose minimum is the zone loop's next wake-up,
// and the bounds put on the SOA timers a primary sends. Does not own: the
// wait itself (the zone's strand), what each timer triggers.
//
// Pure: `now` is a parameter; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "base/clock.hpp"
#include "dns/rrset.hpp"

namespace signerd {

// When nothing is known (no zone yet) or the SOA holds no timers.
inline constexpr std::chrono::seconds kDefaultSoaRetry{30};

// An SOA timer (refresh, retry, expire) bounded to [1 s, 24 h], so that a
// primary's absurd value neither spins the loop nor parks the zone.
std::chrono::seconds bounded_soa_timer(uint32_t value);

struct ZoneTimers {
  base::TimePoint soa_check{};                       // ask the primaries for their SOA
  std::optional<base::TimePoint> signature_refresh;  // an RRSIG comes within signatures-refresh
  std::optional<base::TimePoint> key_event;          // the key state machine wants to run

  // The earliest timer, never before `now` + 1 s (a due timer runs on the
  // next turn of the loop, not in a spin).
  base::TimePoint next(base::TimePoint now) const;
};

// The timers after a refresh at `now`: the SOA check after the primary's
// SOA refresh when it answered, its retry when it did not (kDefaultSoaRetry
// without an SOA); the signature refresh at `earliest_expiry` minus
// `refresh_window`; `key_event` as given.
ZoneTimers zone_timers(const std::optional<dns::RRset>& upstream_soa, bool primary_reached,
                       std::optional<base::TimePoint> earliest_expiry, std::chrono::seconds refresh_window,
                       std::optional<base::TimePoint> key_event, base::TimePoint now);

}  // namespace signerd
