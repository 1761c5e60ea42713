// signerd/control_server.hpp — the control socket: a Unix stream socket at
// server.control that answers one-line JSON requests (control_protocol.hpp).
//
// Owns: the socket file (a stale one removed first, only when it is a
// socket nobody listens on; created with mode 0660; removed on stop),
// accepting connections, reading request lines under hard limits (line
// length, connection count, idle timeout), the peer's uid (SO_PEERCRED)
// and the log line of each state-changing verb ("control: uid 1000:
// retransfer zone example.com."). Does not own: what a verb does (the
// handler the daemon gives, control_verbs.hpp), who may connect (the file
// mode and the directory's owner decide that).
//
// Limits as in http_server.hpp: a line over kMaxRequestBytes is answered
// with an error and the connection closed; a connection idle past the
// timeout is closed; past max_connections new ones are closed at once. No
// client input can end the accept loop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "signerd/control_protocol.hpp"
#include "xfr/asio.hpp"

namespace signerd {

namespace asio = boost::asio;

namespace detail {
struct ControlServerState;
}  // namespace detail

struct ControlLimits {
  std::size_t max_line_bytes = kMaxRequestBytes;
  std::chrono::milliseconds idle_timeout{10'000};  // per request, the first included
  std::size_t max_connections = 16;                // more are accepted and closed at once
};

// Answers one request from the peer `uid` with a reply line (no '\n'). It
// runs on the io_context's thread and must be fast and non-blocking. An
// exception it throws becomes {"ok":false,"error":"internal error: …"}.
using ControlHandler = std::function<std::string(const ControlRequest& request, uid_t uid)>;

class ControlServer {
 public:
  ControlServer(asio::io_context& io, ControlHandler handler, ControlLimits limits = {});
  // Stops (as stop()).
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket at `path` and starts accepting. Call once, before or
  // from the io_context's thread. Fails with Errc::conflict when something
  // that is not a socket is at `path`, or a process listens there already;
  // Errc::io ("control socket /run/signerd/control.sock: bind: Permission
  // denied") otherwise.
  base::Result<void> listen(const std::filesystem::path& path);

  // Closes the listener and every open connection and removes the socket
  // file. Thread-safe (the closing is posted to the io_context); idempotent.
  void stop();

 private:
  std::shared_ptr<detail::ControlServerState> state_;
};

}  // namespace signerd
