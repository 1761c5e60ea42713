#include "policy/serial_policy.hpp"

#include <array>
#include <chrono>
#include <utility>

#include "dns/serial.hpp"

namespace signerd::policy {
namespace {

constexpr std::array<std::pair<SerialPolicy, std::string_view>, 4> kNames = {{
    {SerialPolicy::keep, "keep"},
    {SerialPolicy::increment, "increment"},
    {SerialPolicy::unixtime, "unixtime"},
    {SerialPolicy::date, "date"},
}};

}  // namespace

std::string_view serial_policy_name(SerialPolicy policy) noexcept {
  for (const auto& [value, name] : kNames) {
    if (value == policy) return name;
  }
  return "keep";
}

std::optional<SerialPolicy> serial_policy_from_text(std::string_view text) noexcept {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

uint32_t next_serial(SerialPolicy policy, std::optional<uint32_t> previous, uint32_t upstream,
                     base::TimePoint now) noexcept {
  uint32_t wanted = upstream;
  switch (policy) {
    case SerialPolicy::keep: wanted = upstream; break;
    case SerialPolicy::increment: wanted = previous ? *previous + 1 : upstream; break;
    case SerialPolicy::unixtime: wanted = static_cast<uint32_t>(now.time_since_epoch().count()); break;
    case SerialPolicy::date: {
      const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(now)};
      wanted = static_cast<uint32_t>(static_cast<int>(day.year()) * 1'000'000 +
                                     static_cast<int>(static_cast<unsigned>(day.month())) * 10'000 +
                                     static_cast<int>(static_cast<unsigned>(day.day())) * 100);
      break;
    }
  }
  if (!previous || dns::serial_lt(*previous, wanted)) return wanted;
  return *previous + 1;
}

}  // namespace signerd::policy
