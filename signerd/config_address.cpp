// The address values of config.hpp: IP, IP@PORT and prefixes.
#include <arpa/inet.h>

#include <charconv>

#include "signerd/config.hpp"

namespace signerd {
namespace {

base::Error bad(std::string_view text, const std::string& why) {
  return base::make_error(base::Errc::malformed, "bad address '" + std::string(text) + "': " + why);
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  std::string s(text);  // inet_pton wants a terminated string
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.family = IpAddress::Family::v6;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

std::optional<unsigned> parse_number(std::string_view text, unsigned max) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max)
    return std::nullopt;
  return value;
}

Result<SocketAddress> with_port(std::string_view text, std::string_view ip_text, std::string_view port_text) {
  auto ip = parse_ip(ip_text);
  if (!ip) return bad(text, "'" + std::string(ip_text) + "' is not an IPv4 or IPv6 address");
  auto port = parse_number(port_text, 65535);
  if (!port || *port == 0)
    return bad(text, "port '" + std::string(port_text) + "' is not a number from 1 to 65535");
  return SocketAddress{*ip, static_cast<uint16_t>(*port)};
}

}  // namespace

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string SocketAddress::to_string() const { return ip.to_string() + "@" + std::to_string(port); }

bool AddressPrefix::contains(const IpAddress& address) const noexcept {
  if (address.family != ip.family) return false;
  for (size_t bit = 0; bit < length; ++bit) {
    auto mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if ((address.bytes[bit / 8] & mask) != (ip.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

std::string AddressPrefix::to_string() const { return ip.to_string() + "/" + std::to_string(length); }

Result<SocketAddress> parse_socket_address(std::string_view text, uint16_t default_port) {
  if (text.empty()) return bad(text, "empty");
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    return with_port(text, text.substr(0, at), text.substr(at + 1));
  }
  if (auto ip = parse_ip(text)) return SocketAddress{*ip, default_port};
  // "[IPv6]:PORT" and "IPv4:PORT"; a bare IPv6 address was taken whole above.
  if (text.front() == '[') {
    auto close = text.find("]:");
    if (close != std::string_view::npos)
      return with_port(text, text.substr(0, close + 1), text.substr(close + 2));
  } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
    return with_port(text, text.substr(0, colon), text.substr(colon + 1));
  }
  return bad(text, "expected IP or IP@PORT");
}

Result<AddressPrefix> parse_address_prefix(std::string_view text) {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return bad(text, "expected IP or IP/LENGTH");
  unsigned max = ip->family == IpAddress::Family::v4 ? 32 : 128;
  AddressPrefix prefix{*ip, static_cast<uint8_t>(max)};
  if (slash == std::string_view::npos) return prefix;
  auto length = parse_number(text.substr(slash + 1), max);
  if (!length) return bad(text, "prefix length must be a number from 0 to " + std::to_string(max));
  prefix.length = static_cast<uint8_t>(*length);
  AddressPrefix host{*ip, static_cast<uint8_t>(max)};
  IpAddress network{};
  network.family = ip->family;
  for (size_t bit = 0; bit < prefix.length; ++bit) {
    auto mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    network.bytes[bit / 8] = static_cast<uint8_t>(network.bytes[bit / 8] | (ip->bytes[bit / 8] & mask));
  }
  if (!(network == host.ip)) {
    return bad(text, "bits set past the prefix length (did you mean " + network.to_string() + "/" +
                         std::to_string(*length) + "?)");
  }
  return prefix;
}

}  // namespace signerd
