// xfr/tcp_message.hpp — DNS messages over TCP: the two-octet length prefix
// (RFC 1035 section 4.2.2, RFC 7766 section 8) with a deadline on every wait.
//
// Owns: reading and writing one length-prefixed message, and cancelling the
// socket operation when its deadline passes. Does not own: connecting,
// parsing, or deciding what a timeout means to the caller.
//
// Thread-safety: one coroutine per socket at a time (Asio's rule).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "xfr/asio.hpp"

namespace signerd::xfr {

using base::Result;
using SteadyTime = std::chrono::steady_clock::time_point;

// Cancels a socket's pending operations when the deadline passes; disarmed
// when destroyed. The timer's handler may run after the watched operation
// finished (its completion already queued), so it checks a shared flag
// rather than the coroutine's frame. Works for TCP and UDP sockets.
class SocketWatchdog {
 public:
  template <class Socket>
  SocketWatchdog(Socket& socket, SteadyTime deadline)
      : timer_(socket.get_executor()), state_(std::make_shared<State>()) {
    timer_.expires_at(deadline);
    timer_.async_wait([state = state_, sock = &socket](const boost::system::error_code& ec) {
      if (ec || !state->armed) return;
      state->fired = true;
      boost::system::error_code ignored;
      sock->cancel(ignored);
    });
  }
  SocketWatchdog(const SocketWatchdog&) = delete;
  SocketWatchdog& operator=(const SocketWatchdog&) = delete;
  ~SocketWatchdog() {
    state_->armed = false;
    timer_.cancel();
  }
  bool fired() const noexcept { return state_->fired; }

 private:
  struct State {
    bool armed = true;
    bool fired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// Reads one message of at most `max_size` octets. Errors: io ("connection
// closed", "timed out", a socket error), out_of_range (the prefix announces
// more than max_size), malformed (a zero-length message). A timeout cancels
// the read and leaves the socket unusable for the stream.
asio::awaitable<Result<std::vector<uint8_t>>> read_tcp_message(asio::ip::tcp::socket& socket,
                                                               SteadyTime deadline, size_t max_size = 65535);

// Writes the prefix and `message` (at most 65535 octets) in one gather
// write. Errors: io (socket error, "timed out"), invalid_argument (too big).
asio::awaitable<Result<void>> write_tcp_message(asio::ip::tcp::socket& socket,
                                                std::span<const uint8_t> message, SteadyTime deadline);

// Connects with a deadline. Errors: io, naming the error.
asio::awaitable<Result<void>> connect_tcp(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& peer,
                                          SteadyTime deadline);

}  // namespace signerd::xfr
