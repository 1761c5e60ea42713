#include "dnssec/type_bitmap.hpp"

#include <algorithm>
#include <array>

namespace signerd::dnssec {

void append_type_bitmap(std::span<const dns::RRType> types, std::vector<uint8_t>& out) {
  std::vector<uint16_t> codes(types.size());
  std::transform(types.begin(), types.end(), codes.begin(), [](dns::RRType t) { return dns::code(t); });
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());

  size_t i = 0;
  while (i < codes.size()) {
    uint8_t window = static_cast<uint8_t>(codes[i] >> 8);
    std::array<uint8_t, 32> bits{};
    size_t used = 0;  // octets up to the last non-zero one
    for (; i < codes.size() && (codes[i] >> 8) == window; ++i) {
      uint8_t low = static_cast<uint8_t>(codes[i]);
      bits[low / 8] = static_cast<uint8_t>(bits[low / 8] | (0x80u >> (low % 8)));
      used = low / 8u + 1;
    }
    out.push_back(window);
    out.push_back(static_cast<uint8_t>(used));
    out.insert(out.end(), bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

std::vector<uint8_t> make_type_bitmap(std::span<const dns::RRType> types) {
  std::vector<uint8_t> out;
  append_type_bitmap(types, out);
  return out;
}

Result<std::vector<dns::RRType>> parse_type_bitmap(std::span<const uint8_t> bitmap) {
  auto bad = [](const char* why) {
    return base::make_error(base::Errc::malformed, std::string("type bitmap: ") + why);
  };
  std::vector<dns::RRType> types;
  size_t pos = 0;
  int last_window = -1;
  while (pos < bitmap.size()) {
    if (bitmap.size() - pos < 2) return bad("truncated window header");
    int window = bitmap[pos];
    size_t len = bitmap[pos + 1];
    if (window <= last_window) return bad("windows out of order");
    if (len < 1 || len > 32) return bad("window length outside 1..32");
    if (bitmap.size() - pos - 2 < len) return bad("truncated window");
    for (size_t octet = 0; octet < len; ++octet) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        if (bitmap[pos + 2 + octet] & (0x80u >> bit)) {
          types.push_back(static_cast<dns::RRType>((window << 8) | static_cast<int>(octet * 8 + bit)));
        }
      }
    }
    last_window = window;
    pos += 2 + len;
  }
  return types;
}

}  // namespace signerd::dnssec
