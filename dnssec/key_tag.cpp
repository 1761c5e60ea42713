#include "dnssec/key_tag.hpp"

namespace signerd::dnssec {

uint16_t key_tag(std::span<const uint8_t> rdata) noexcept {
  constexpr size_t kHeader = 4;  // flags, protocol, algorithm
  if (rdata.size() < kHeader) return 0;
  // RFC 4034 B.1: for RSA/MD5 the tag is the most significant 16 of the
  // least significant 24 bits of the modulus, i.e. the 3rd- and 2nd-to-last
  // octets of the public key.
  if (rdata[3] == 1) {
    if (rdata.size() < kHeader + 3) return 0;
    size_t n = rdata.size();
    return static_cast<uint16_t>((rdata[n - 3] << 8) | rdata[n - 2]);
  }
  // RFC 4034 B: the one's-complement-style sum of the RDATA as 16-bit words,
  // with the carry folded in once.
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) ac += (i & 1) ? rdata[i] : static_cast<uint32_t>(rdata[i]) << 8;
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

}  // namespace signerd::dnssec
