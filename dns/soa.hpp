// dns/soa.hpp — reading and rewriting the fields of SOA RDATA.
//
// Owns: the SOA's serial and timers from uncompressed wire RDATA (RFC 1035
// section 3.3.13), and a copy with another serial. Does not own: serial
// arithmetic (xfr/serial.hpp) or the choice of a serial (policy/).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace signerd::dns {

struct SoaTimers {
  uint32_t serial = 0;
  uint32_t refresh = 0;
  uint32_t retry = 0;
  uint32_t expire = 0;
  uint32_t minimum = 0;
};

// nullopt when `rdata` is not a well-formed uncompressed SOA RDATA.
std::optional<SoaTimers> soa_timers(std::span<const uint8_t> rdata) noexcept;
// The serial alone; nullopt when not well formed.
inline std::optional<uint32_t> soa_serial(std::span<const uint8_t> rdata) noexcept {
  auto timers = soa_timers(rdata);
  return timers ? std::optional<uint32_t>(timers->serial) : std::nullopt;
}
// The same RDATA with `serial` in place; nullopt when not well formed.
std::optional<std::vector<uint8_t>> soa_with_serial(std::span<const uint8_t> rdata, uint32_t serial);

}  // namespace signerd::dns
