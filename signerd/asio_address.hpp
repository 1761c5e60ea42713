// signerd/asio_address.hpp — the config's addresses as Asio's and back.
//
// Owns: converting IpAddress (signerd/config.hpp) to and from
// asio::ip::address, IPv4-mapped IPv6 addresses read as IPv4 so that ACLs
// written for 192.0.2.0/24 match peers on a dual-stack socket.
#pragma once

#include "signerd/config.hpp"
#include "xfr/asio.hpp"

namespace signerd {

boost::asio::ip::address to_asio(const IpAddress& ip);
IpAddress from_asio(const boost::asio::ip::address& address);

}  // namespace signerd
