#include "signerd/asio_address.hpp"

#include <algorithm>

namespace signerd {

namespace asio = boost::asio;

asio::ip::address to_asio(const IpAddress& ip) {
  if (ip.family == IpAddress::Family::v4) {
    asio::ip::address_v4::bytes_type b;
    std::copy_n(ip.bytes.begin(), 4, b.begin());
    return asio::ip::address_v4(b);
  }
  asio::ip::address_v6::bytes_type b;
  std::copy_n(ip.bytes.begin(), 16, b.begin());
  return asio::ip::address_v6(b);
}

IpAddress from_asio(const asio::ip::address& a) {
  IpAddress ip;
  if (a.is_v4() || a.to_v6().is_v4_mapped()) {
    const auto v4 = a.is_v4() ? a.to_v4() : asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    const auto b = v4.to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
    return ip;
  }
  ip.family = IpAddress::Family::v6;
  const auto b = a.to_v6().to_bytes();
  std::copy(b.begin(), b.end(), ip.bytes.begin());
  return ip;
}

}  // namespace signerd
