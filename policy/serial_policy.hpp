// policy/serial_policy.hpp — how the signed zone's SOA serial follows the
// unsigned one.
//
// Owns: the serial policy names. Does not own: computing serials (the signer).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/clock.hpp"

namespace signerd::policy {

enum class SerialPolicy : uint8_t {
  keep,       // the primary's serial; re-signing alone cannot publish a change
  increment,  // +1 for every signed version (RFC 1982 arithmetic)
  unixtime,   // seconds since the epoch, or +1 when that would not increase
  date,       // YYYYMMDDnn, or +1 when that would not increase
};

std::string_view serial_policy_name(SerialPolicy policy) noexcept;
// Lower case names only, as in the config: "keep", "increment", "unixtime", "date".
std::optional<SerialPolicy> serial_policy_from_text(std::string_view text) noexcept;

// The SOA serial of the next signed version. `previous` is the last signed
// serial (nullopt for the first version), `upstream` the primary's serial.
// The result is always newer than `previous` (RFC 1982): keep gives
// `upstream` when that is newer, else previous + 1 (a re-sign without an
// upstream change; the caller decides whether it may publish one); increment
// gives previous + 1 (the first version: upstream); unixtime and date give
// now's value (seconds since the epoch; YYYYMMDD00 in UTC) when newer, else
// previous + 1.
uint32_t next_serial(SerialPolicy policy, std::optional<uint32_t> previous, uint32_t upstream,
                     base::TimePoint now) noexcept;

}  // namespace signerd::policy
