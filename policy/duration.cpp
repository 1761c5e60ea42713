#include "policy/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

#include "base/text.hpp"

namespace signerd::policy {
namespace {

constexpr uint64_t kMinute = 60;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;
// BIND's approximation (isccfg_duration_toseconds): calendar units vary, and a
// policy needs one number.
constexpr uint64_t kMonth = 31 * kDay;
constexpr uint64_t kYear = 365 * kDay;
constexpr uint64_t kMaxSeconds = std::numeric_limits<uint32_t>::max();

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

base::Error bad(std::string_view text, std::string_view why) {
  return base::make_error(base::Errc::malformed,
                          "bad duration '" + std::string(text) + "': " + std::string(why));
}

// Reads the digits at text[pos...]; false when there are none or the value
// cannot be a duration anyway.
bool read_number(std::string_view text, size_t& pos, uint64_t& out) {
  size_t start = pos;
  out = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    out = out * 10 + static_cast<uint64_t>(text[pos] - '0');
    if (out > kMaxSeconds) out = kMaxSeconds + 1;  // saturate; the total check reports it
    ++pos;
  }
  return pos > start;
}

Result<Seconds> finish(std::string_view text, uint64_t total) {
  if (total > kMaxSeconds) {
    return base::make_error(base::Errc::out_of_range,
                            "bad duration '" + std::string(text) + "': more than 4294967295 seconds");
  }
  return Seconds(static_cast<int64_t>(total));
}

uint64_t add(uint64_t total, uint64_t n, uint64_t unit) {
  uint64_t part = n > kMaxSeconds ? kMaxSeconds + 1 : n * unit;
  return total + part > kMaxSeconds ? kMaxSeconds + 1 : total + part;
}

struct IsoUnit {
  char designator;
  bool time_part;  // after T
  uint64_t seconds;
};
constexpr std::array<IsoUnit, 7> kIsoUnits = {{{'Y', false, kYear},
                                               {'M', false, kMonth},
                                               {'W', false, 7 * kDay},
                                               {'D', false, kDay},
                                               {'H', true, kHour},
                                               {'M', true, kMinute},
                                               {'S', true, 1}}};

Result<Seconds> parse_iso(std::string_view text) {
  size_t pos = 1;  // after P
  size_t next_unit = 0;
  bool in_time = false;
  bool any = false;
  uint64_t total = 0;
  while (pos < text.size()) {
    if (upper(text[pos]) == 'T') {
      if (in_time) return bad(text, "second 'T'");
      in_time = true;
      ++pos;
      if (pos == text.size()) return bad(text, "'T' must be followed by hours, minutes or seconds");
      continue;
    }
    uint64_t n = 0;
    if (!read_number(text, pos, n)) return bad(text, "expected a number at position " + std::to_string(pos));
    if (pos == text.size()) return bad(text, "number without a designator (Y, M, W, D, H, M or S)");
    char d = upper(text[pos++]);
    while (next_unit < kIsoUnits.size() &&
           (kIsoUnits[next_unit].designator != d || kIsoUnits[next_unit].time_part != in_time)) {
      ++next_unit;
    }
    if (next_unit == kIsoUnits.size()) {
      return bad(text, std::string("designator '") + d + "' is unknown or out of order (PnYnMnWnDTnHnMnS)");
    }
    total = add(total, n, kIsoUnits[next_unit++].seconds);
    any = true;
  }
  if (!any) return bad(text, "'P' must be followed by at least one number and designator");
  return finish(text, total);
}

uint64_t shorthand_unit(char c) {
  switch (upper(c)) {
    case 'S': return 1;
    case 'M': return kMinute;
    case 'H': return kHour;
    case 'D': return kDay;
    case 'W': return 7 * kDay;
    case 'Y': return kYear;
    default: return 0;
  }
}

Result<Seconds> parse_shorthand(std::string_view text) {
  size_t pos = 0;
  uint64_t total = 0;
  uint64_t n = 0;
  if (!read_number(text, pos, n)) return bad(text, "expected a number, ISO 8601 'P...' or 'unlimited'");
  if (pos == text.size()) return finish(text, n);  // bare seconds
  while (true) {
    uint64_t unit = shorthand_unit(text[pos]);
    if (unit == 0) return bad(text, std::string("unknown unit '") + text[pos] + "' (use s, m, h, d, w or y)");
    total = add(total, n, unit);
    if (++pos == text.size()) break;
    if (!read_number(text, pos, n)) return bad(text, "expected a number after the unit");
    if (pos == text.size()) return bad(text, "the last number has no unit");
  }
  return finish(text, total);
}

}  // namespace

Result<Seconds> parse_duration(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  if (base::iequals(text, "unlimited")) return bad(text, "'unlimited' is only allowed for a key lifetime");
  if (upper(text[0]) == 'P') return parse_iso(text);
  return parse_shorthand(text);
}

Result<std::optional<Seconds>> parse_lifetime(std::string_view text) {
  if (base::iequals(text, "unlimited")) return std::optional<Seconds>();
  auto value = parse_duration(text);
  if (!value) return std::move(value).error();
  if (value->count() == 0) {
    return base::make_error(base::Errc::invalid_argument,
                            "lifetime 0: write 'unlimited' for a key that never rolls");
  }
  return std::optional<Seconds>(*value);
}

std::string format_duration(Seconds value) {
  auto left = static_cast<uint64_t>(value.count() < 0 ? 0 : value.count());
  if (left == 0) return "0s";
  std::string out;
  for (auto [unit, suffix] : {std::pair{kDay, 'd'}, {kHour, 'h'}, {kMinute, 'm'}, {uint64_t{1}, 's'}}) {
    if (left >= unit) {
      out += std::to_string(left / unit) + suffix;
      left %= unit;
    }
  }
  return out;
}

}  // namespace signerd::policy
