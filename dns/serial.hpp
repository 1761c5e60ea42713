// dns/serial.hpp — SOA serial number arithmetic (RFC 1982).
//
// Serials are compared in a 32-bit circle: s1 < s2 when s2 is ahead of s1 by
// less than 2^31. Two serials exactly 2^31 apart are unordered (RFC 1982
// section 3.2): neither is newer, and a transfer between them is refused.
#pragma once

#include <cstdint>

namespace signerd::dns {

// True when `b` is newer than `a` (RFC 1982 section 3.2, "s1 < s2").
constexpr bool serial_lt(uint32_t a, uint32_t b) noexcept {
  const uint32_t ahead = b - a;  // unsigned wrap is the point
  return ahead != 0 && ahead < 0x8000'0000u;
}

constexpr bool serial_gt(uint32_t a, uint32_t b) noexcept { return serial_lt(b, a); }

// The serial `n` steps after `s` (RFC 1982 section 3.1: 0 < n < 2^31).
constexpr uint32_t serial_add(uint32_t s, uint32_t n) noexcept { return s + n; }

}  // namespace signerd::dns
