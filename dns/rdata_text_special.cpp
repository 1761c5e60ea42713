// Presentation form of the RDATA layouts that a field list cannot describe.
#include "dns/rdata_text_special.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <string_view>

#include "dns/name.hpp"
#include "dns/wire.hpp"

namespace signerd::dns::text_detail {
namespace {

void append_name_at(Bytes d, size_t pos, std::string& out) {
  NameView(d.subspan(pos, name_length(d, pos))).append_text(out);
}

// RFC 1876 section 2: a size is mantissa * 10^exponent centimetres, both
// digits; readers encode a value with a non-zero leading mantissa, so only
// that form (or 0x00) reads back.
bool append_loc_size(uint8_t v, std::string& out) {
  const unsigned mantissa = v >> 4;
  const unsigned exponent = v & 0x0f;
  if (mantissa > 9 || exponent > 9 || (mantissa == 0 && exponent != 0)) return false;
  uint64_t cm = mantissa;
  for (unsigned i = 0; i < exponent; ++i) cm *= 10;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%02llum", static_cast<unsigned long long>(cm / 100),
                static_cast<unsigned long long>(cm % 100));
  out += buf;
  return true;
}

// RFC 1876 section 2: thousandths of an arc second offset by 2^31.
bool append_loc_angle(uint32_t v, uint32_t max_degrees, char pos, char neg, std::string& out) {
  const int64_t off = int64_t{v} - (int64_t{1} << 31);
  const uint64_t abs = static_cast<uint64_t>(off < 0 ? -off : off);
  if (abs > uint64_t{max_degrees} * 3600000) return false;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%llu %llu %llu.%03llu %c", static_cast<unsigned long long>(abs / 3600000),
                static_cast<unsigned long long>(abs / 60000 % 60),
                static_cast<unsigned long long>(abs / 1000 % 60), static_cast<unsigned long long>(abs % 1000),
                off < 0 ? neg : pos);
  out += buf;
  return true;
}

// Gateway or relay of RFC 4025 section 2.5 and RFC 8777 section 4.2.3:
// type 0 none ("."), 1 IPv4, 2 IPv6, 3 a name. Returns the octets used.
size_t append_gateway(unsigned gw_type, Bytes d, size_t pos, std::string& out) {
  switch (gw_type) {
    case 1: append_ipv4(&d[pos], out); return 4;
    case 2: append_ipv6(&d[pos], out); return 16;
    case 3: append_name_at(d, pos, out); return name_length(d, pos);
    default: out += '.'; return 0;
  }
}

}  // namespace

void append_hex(Bytes b, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (uint8_t c : b) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0f];
  }
}

void append_base64(Bytes b, std::string& out) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const unsigned v = (unsigned{b[i]} << 16) | (unsigned{b[i + 1]} << 8) | b[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += kDigits[(v >> shift) & 0x3f];
  }
  if (i == b.size()) return;
  const bool two = b.size() - i == 2;
  const unsigned v = (unsigned{b[i]} << 16) | (two ? unsigned{b[i + 1]} << 8 : 0u);
  out += kDigits[(v >> 18) & 0x3f];
  out += kDigits[(v >> 12) & 0x3f];
  out += two ? kDigits[(v >> 6) & 0x3f] : '=';
  out += '=';
}

// RFC 1035 section 5.1: inside quotes only '"' and '\' need a backslash;
// \DDD keeps control and non-ASCII octets readable and 8-bit clean.
void append_quoted(Bytes b, std::string& out) {
  out += '"';
  for (uint8_t c : b) {
    if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
      out += buf;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  out += '"';
}

void append_ipv4(const uint8_t* p, std::string& out) {
  out += std::to_string(p[0]) + '.' + std::to_string(p[1]) + '.' + std::to_string(p[2]) + '.' +
         std::to_string(p[3]);
}

void append_ipv6(const uint8_t* p, std::string& out) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, p, buf, sizeof buf);
  out += buf;
}

// Mnemonics that ldns 1.8.3 does not read (it takes them for TYPE0); BIND
// 9.18 knows every mnemonic in dns/rrtype.
bool readers_know(RRType type) noexcept {
  switch (type) {
    // Unknown to ldns 1.8, which reads their mnemonics as TYPE0.
    case RRType::NINFO:
    case RRType::RKEY:
    case RRType::DSYNC:
    case RRType::UINFO:
    case RRType::UID:
    case RRType::GID:
    case RRType::UNSPEC:
    case RRType::AVC:
    case RRType::DOA:
    case RRType::AMTRELAY:
    case RRType::RESINFO:
    case RRType::TA:
    // Unknown to libzscanner 3.2, the reader of signerd itself.
    case RRType::MD:
    case RRType::MF:
    case RRType::MB:
    case RRType::MG:
    case RRType::MR:
    case RRType::WKS:
    case RRType::X25:
    case RRType::ISDN:
    case RRType::NSAP:
    case RRType::SIG:
    case RRType::PX:
    case RRType::GPOS:
    case RRType::NXT:
    case RRType::HIP:
    case RRType::TALINK:
    case RRType::DLV: return false;
    default: return true;
  }
}

std::string portable_type_text(RRType type) {
  if (readers_know(type)) return to_text(type);
  return "TYPE" + std::to_string(code(type));  // RFC 3597 section 5
}

size_t name_length(Bytes d, size_t pos) noexcept {
  const size_t start = pos;
  while (pos < d.size()) {
    const uint8_t len = d[pos];
    if (len == 0) return pos + 1 - start <= kMaxNameWire ? pos + 1 - start : 0;
    if (len > kMaxLabel) return 0;
    pos += 1u + len;
  }
  return 0;
}

// "52 22 23.000 N 4 53 32.000 E -2.00m 1.00m 10000.00m 10.00m"
bool append_loc(Bytes d, std::string& out) {
  if (!append_loc_angle(get_u32(&d[4]), 90, 'N', 'S', out)) return false;
  out += ' ';
  if (!append_loc_angle(get_u32(&d[8]), 180, 'E', 'W', out)) return false;
  // RFC 1876: altitude in centimetres above a base 100,000 m below the spheroid.
  const int64_t alt = int64_t{get_u32(&d[12])} - 10000000;
  const uint64_t abs = static_cast<uint64_t>(alt < 0 ? -alt : alt);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %s%llu.%02llum ", alt < 0 ? "-" : "",
                static_cast<unsigned long long>(abs / 100), static_cast<unsigned long long>(abs % 100));
  out += buf;
  for (size_t i = 1; i <= 3; ++i) {
    if (i > 1) out += ' ';
    if (!append_loc_size(d[i], out)) return false;
  }
  return true;
}

// RFC 3123 section 5: "[!]afi:address/prefix" items separated by spaces.
bool append_apl(Bytes d, std::string& out) {
  for (size_t pos = 0; pos < d.size();) {
    const uint16_t family = get_u16(&d[pos]);
    const unsigned afdlen = d[pos + 3] & 0x7fu;
    // RFC 3123 section 4: trailing zero octets are not sent; readers drop them.
    if (afdlen > 0 && d[pos + 4 + afdlen - 1] == 0) return false;
    uint8_t addr[16] = {};
    for (unsigned i = 0; i < afdlen; ++i) addr[i] = d[pos + 4 + i];
    if (pos > 0) out += ' ';
    if ((d[pos + 3] & 0x80) != 0) out += '!';
    out += std::to_string(family);
    out += ':';
    if (family == 1) {
      append_ipv4(addr, out);
    } else {
      append_ipv6(addr, out);
    }
    out += '/';
    out += std::to_string(d[pos + 2]);
    pos += 4u + afdlen;
  }
  return true;
}

// RFC 4025 section 3.1: "precedence gateway-type algorithm gateway key".
bool append_ipseckey(Bytes d, std::string& out) {
  out += std::to_string(d[0]) + ' ' + std::to_string(d[1]) + ' ' + std::to_string(d[2]) + ' ';
  const size_t pos = 3 + append_gateway(d[1], d, 3, out);
  if (pos == d.size()) return false;  // neither BIND nor ldns reads a missing key
  out += ' ';
  append_base64(d.subspan(pos), out);
  return true;
}

// RFC 8005 section 6: "algorithm HIT public-key [rendezvous-servers...]".
bool append_hip(Bytes d, std::string& out) {
  const size_t hit_len = d[0];
  const size_t pk_len = get_u16(&d[2]);
  if (pk_len == 0) return false;  // the public key is not optional in text
  out += std::to_string(d[1]) + ' ';
  append_hex(d.subspan(4, hit_len), out);
  out += ' ';
  append_base64(d.subspan(4 + hit_len, pk_len), out);
  for (size_t pos = 4 + hit_len + pk_len; pos < d.size(); pos += name_length(d, pos)) {
    out += ' ';
    append_name_at(d, pos, out);
  }
  return true;
}

// RFC 8777 section 4.4: "precedence discovery-optional type relay".
bool append_amtrelay(Bytes d, std::string& out) {
  out += std::to_string(d[0]) + ' ' + std::to_string(d[1] >> 7) + ' ' + std::to_string(d[1] & 0x7f) + ' ';
  append_gateway(d[1] & 0x7fu, d, 2, out);
  return true;
}

// RFC 1035 section 3.4.2: "address protocol port...", numeric protocol and
// ports; bit n of the bitmap is port n.
bool append_wks(Bytes d, std::string& out) {
  // Readers size the bitmap to the highest port, so trailing zero octets are lost.
  if (d.size() > 5 && d.back() == 0) return false;
  append_ipv4(d.data(), out);
  out += ' ';
  out += std::to_string(d[4]);
  for (size_t i = 5; i < d.size(); ++i) {
    for (unsigned bit = 0; bit < 8; ++bit) {
      if ((d[i] & (0x80u >> bit)) == 0) continue;
      out += ' ';
      out += std::to_string((i - 5) * 8 + bit);
    }
  }
  return true;
}

// RFC 1706 section 6: "0x" and the hex digits.
bool append_nsap(Bytes d, std::string& out) {
  if (d.empty()) return false;
  out += "0x";
  append_hex(d, out);
  return true;
}

}  // namespace signerd::dns::text_detail
