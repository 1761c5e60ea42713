#include "xfr/tcp_message.hpp"

#include <array>
#include <memory>

namespace signerd::xfr {
namespace {

using base::Errc;
using base::make_error;
using boost::system::error_code;

base::Error socket_error(const SocketWatchdog& dog, const error_code& ec, const char* what) {
  if (dog.fired()) return make_error(Errc::io, std::string("timed out ") + what);
  if (ec == asio::error::eof) return make_error(Errc::io, std::string("connection closed ") + what);
  return make_error(Errc::io, std::string(what) + ": " + ec.message());
}

}  // namespace

asio::awaitable<Result<std::vector<uint8_t>>> read_tcp_message(asio::ip::tcp::socket& socket,
                                                               SteadyTime deadline, size_t max_size) {
  SocketWatchdog dog(socket, deadline);
  error_code ec;
  std::array<uint8_t, 2> prefix{};
  co_await asio::async_read(socket, asio::buffer(prefix), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return socket_error(dog, ec, "waiting for a message");
  size_t length = static_cast<size_t>(prefix[0]) << 8 | prefix[1];
  if (length == 0) co_return make_error(Errc::malformed, "zero-length message");
  if (length > max_size) {
    co_return make_error(Errc::out_of_range, "message of " + std::to_string(length) +
                                                 " octets exceeds the limit of " + std::to_string(max_size));
  }
  std::vector<uint8_t> message(length);
  co_await asio::async_read(socket, asio::buffer(message), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return socket_error(dog, ec, "in the middle of a message");
  co_return message;
}

asio::awaitable<Result<void>> write_tcp_message(asio::ip::tcp::socket& socket,
                                                std::span<const uint8_t> message, SteadyTime deadline) {
  if (message.size() > 65535) co_return make_error(Errc::invalid_argument, "message over 65535 octets");
  std::array<uint8_t, 2> prefix{static_cast<uint8_t>(message.size() >> 8),
                                static_cast<uint8_t>(message.size())};
  std::array<asio::const_buffer, 2> buffers{asio::buffer(prefix),
                                            asio::buffer(message.data(), message.size())};
  SocketWatchdog dog(socket, deadline);
  error_code ec;
  co_await asio::async_write(socket, buffers, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return socket_error(dog, ec, "sending a message");
  co_return base::ok();
}

asio::awaitable<Result<void>> connect_tcp(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& peer,
                                          SteadyTime deadline) {
  error_code ec;
  if (!socket.is_open()) {
    socket.open(peer.protocol(), ec);
    if (ec) co_return make_error(Errc::io, "socket: " + ec.message());
  }
  SocketWatchdog dog(socket, deadline);
  co_await socket.async_connect(peer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return socket_error(dog, ec, "connecting");
  co_return base::ok();
}

}  // namespace signerd::xfr
