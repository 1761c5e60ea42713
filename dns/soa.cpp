#include "dns/soa.hpp"

#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

// Offset of the serial: after MNAME and RNAME, which are uncompressed in
// stored RDATA. nullopt when a name runs past the end or 20 octets do not follow.
std::optional<size_t> serial_offset(std::span<const uint8_t> rdata) noexcept {
  size_t pos = 0;
  for (int name = 0; name < 2; ++name) {
    while (true) {
      if (pos >= rdata.size()) return std::nullopt;
      const uint8_t len = rdata[pos];
      if (len > 63) return std::nullopt;
      pos += 1u + len;
      if (len == 0) break;
    }
  }
  if (pos > rdata.size() || rdata.size() - pos != 20) return std::nullopt;
  return pos;
}

}  // namespace

std::optional<SoaTimers> soa_timers(std::span<const uint8_t> rdata) noexcept {
  auto pos = serial_offset(rdata);
  if (!pos) return std::nullopt;
  const uint8_t* p = rdata.data() + *pos;
  return SoaTimers{get_u32(p), get_u32(p + 4), get_u32(p + 8), get_u32(p + 12), get_u32(p + 16)};
}

std::optional<std::vector<uint8_t>> soa_with_serial(std::span<const uint8_t> rdata, uint32_t serial) {
  auto pos = serial_offset(rdata);
  if (!pos) return std::nullopt;
  std::vector<uint8_t> out(rdata.begin(), rdata.end());
  out[*pos] = static_cast<uint8_t>(serial >> 24);
  out[*pos + 1] = static_cast<uint8_t>(serial >> 16);
  out[*pos + 2] = static_cast<uint8_t>(serial >> 8);
  out[*pos + 3] = static_cast<uint8_t>(serial);
  return out;
}

}  // namespace signerd::dns
