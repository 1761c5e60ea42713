// policy/serial_policy.hpp — how the signed zone's SOA serial follows the
// unsigned one.
//
// Owns: the serial policy names. Does not own: computing serials (the signer).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

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

}  // namespace signerd::policy
