// policy/duration.hpp — durations as BIND's dnssec-policy writes them.
//
// Owns: parsing of ISO 8601 durations ("P30D", "PT1H", "P1Y2M3DT4H5M6S") and of
// BIND's TTL shorthand ("30d", "1h30m", "90" seconds), and the reverse for
// messages. Does not own: where the text comes from (config lives in signerd/).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace signerd::policy {

using base::Result;
using Seconds = std::chrono::seconds;

// Parses one duration, following BIND 9.18 (lib/isccfg/duration.c): text that
// starts with P is ISO 8601 with designators Y (365 days), M (31 days), W, D
// and after T: H, M, S, each at most once and in that order; anything else is
// TTL shorthand: a bare number of seconds, or number+unit groups ("1w2d3h")
// with units w, d, h, m, s and, beyond BIND, y (365 days). Letters are
// case-insensitive. Errors (Errc::malformed) quote the text and say what was
// expected; more than 2^32-1 seconds is Errc::out_of_range, as BIND's
// durations are 32-bit. "unlimited" is refused here: see parse_lifetime.
Result<Seconds> parse_duration(std::string_view text);

// A key lifetime: "unlimited" (any case) gives nullopt, anything else goes
// through parse_duration. A zero lifetime is refused (Errc::invalid_argument):
// BIND reads 0 as unlimited, and a config should say so in words.
Result<std::optional<Seconds>> parse_lifetime(std::string_view text);

// The shortest shorthand that parse_duration reads back: "90d", "1d12h", "0s".
std::string format_duration(Seconds value);

}  // namespace signerd::policy
