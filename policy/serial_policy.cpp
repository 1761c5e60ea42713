#include "policy/serial_policy.hpp"

#include <array>
#include <utility>

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

}  // namespace signerd::policy
