// dns/wire.hpp — bounded reading and writing of wire-format data.
//
// Owns: WireReader (never reads past its buffer; every read is a Result) and
// the reading of possibly compressed names from a message (RFC 1035 section
// 4.1.4), with the defences a hostile message needs: pointers only backwards,
// a bounded number of jumps, labels <= 63, names <= 255.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"

namespace signerd::dns {

class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> data, size_t pos = 0) : data_(data), pos_(pos) {}

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return data_.size() - pos_; }
  bool at_end() const noexcept { return pos_ == data_.size(); }
  std::span<const uint8_t> data() const noexcept { return data_; }

  Result<uint8_t> u8();
  Result<uint16_t> u16();
  Result<uint32_t> u32();
  Result<std::span<const uint8_t>> bytes(size_t n);
  // A name at the current position, following compression pointers inside
  // `data()` (the whole message). Appends the uncompressed wire to `out`.
  Result<void> name(std::vector<uint8_t>& out);
  Result<Name> name();

 private:
  std::span<const uint8_t> data_;
  size_t pos_;
};

// Big-endian appends.
inline void put_u8(std::vector<uint8_t>& out, uint8_t v) { out.push_back(v); }
inline void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v));
}
inline void put_bytes(std::vector<uint8_t>& out, std::span<const uint8_t> b) {
  out.insert(out.end(), b.begin(), b.end());
}
inline uint16_t get_u16(const uint8_t* p) noexcept { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t get_u32(const uint8_t* p) noexcept {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

}  // namespace signerd::dns
