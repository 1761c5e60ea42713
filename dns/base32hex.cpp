#include "dns/base32hex.hpp"

namespace signerd::dns {

void append_base32hex(std::span<const uint8_t> data, std::string& out, LetterCase letters) {
  static constexpr char kUpper[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
  static constexpr char kLower[] = "0123456789abcdefghijklmnopqrstuv";
  const char* digits = letters == LetterCase::upper ? kUpper : kLower;
  out.reserve(out.size() + (data.size() * 8 + 4) / 5);
  unsigned buffer = 0;
  int bits = 0;
  for (uint8_t c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += digits[(buffer >> bits) & 0x1f];
    }
  }
  if (bits > 0) out += digits[(buffer << (5 - bits)) & 0x1f];
}

}  // namespace signerd::dns
