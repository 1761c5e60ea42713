// signerd/control_server.cpp — accept loop and one coroutine per
// connection, as http_server.cpp: all state in a shared ControlServerState
// that every coroutine holds; everything after listen() runs on the
// io_context's thread, stop() is posted there.
#include "signerd/control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

// clang-format off: Beast must come after "xfr/asio.hpp" (the <utility> fix).
#include <boost/beast/core.hpp>
// clang-format on

#include "base/log.hpp"

namespace signerd {

namespace beast = boost::beast;
using local = asio::local::stream_protocol;
using Stream = beast::basic_stream<local>;
using boost::system::error_code;

namespace detail {

struct ControlServerState {
  ControlServerState(asio::io_context& io, ControlHandler h, ControlLimits l)
      : acceptor(io), handler(std::move(h)), limits(l) {}

  local::acceptor acceptor;
  ControlHandler handler;
  ControlLimits limits;
  std::unordered_set<Stream*> connections;  // to close them on stop()
  std::size_t active = 0;                   // counted from accept, before the coroutine first runs
  std::filesystem::path path;               // set by listen(), before the io_context runs it
  std::atomic<bool> removed{false};         // the socket file, by stop()
  bool stopped = false;
};

}  // namespace detail

namespace {

using base::Errc;
using base::make_error;

// The connecting process's uid (SO_PEERCRED, unix(7)): the kernel's word,
// taken when the peer connected.
base::Result<uid_t> peer_uid(local::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return make_error(Errc::io, std::string("control: SO_PEERCRED: ") + std::strerror(errno));
  return cred.uid;
}

// The reply to one line: parse, log what changes state, ask the handler.
std::string answer(detail::ControlServerState& st, std::string_view line, uid_t uid) {
  auto request = parse_request(line);
  if (!request) return error_reply(request.error().detail);
  if (changes_state(request->verb))
    base::log::info("control: uid " + std::to_string(uid) + ": " + describe(*request));
  try {
    return st.handler(*request, uid);
  } catch (const std::exception& e) {
    base::log::error("control: " + describe(*request) + ": " + e.what());
    return error_reply(std::string("internal error: ") + e.what());
  }
}

asio::awaitable<void> serve(std::shared_ptr<detail::ControlServerState> st, Stream& stream, uid_t uid) {
  const ControlLimits& limits = st->limits;
  std::string buffer;
  for (;;) {
    error_code ec;
    stream.expires_after(limits.idle_timeout);
    // One more than the line for its '\n': a buffer full without one is a
    // line over the limit (asio::error::not_found).
    const std::size_t n =
        co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer, limits.max_line_bytes + 1), '\n',
                                        asio::redirect_error(asio::use_awaitable, ec));
    std::string reply;
    bool close = false;
    if (ec == asio::error::not_found) {
      reply = error_reply("request line longer than " + std::to_string(limits.max_line_bytes) + " bytes");
      close = true;
    } else if (ec) {
      co_return;  // closed by the client, timed out, or stopped
    } else {
      reply = answer(*st, std::string_view(buffer).substr(0, n - 1), uid);
      buffer.erase(0, n);
    }
    reply += '\n';
    stream.expires_after(limits.idle_timeout);
    co_await asio::async_write(stream, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || close) co_return;
  }
}

asio::awaitable<void> connection(std::shared_ptr<detail::ControlServerState> st, local::socket socket) {
  const auto uid = peer_uid(socket);
  Stream stream{std::move(socket)};
  if (!st->stopped && !uid) base::log::warn(uid.error().detail);
  if (!st->stopped && uid) {
    st->connections.insert(&stream);
    try {
      co_await serve(st, stream, *uid);
    } catch (const std::exception& e) {
      base::log::warn(std::string("control connection: ") + e.what());
    }
    // As http_server.cpp: closing with unread bytes (the rest of an
    // oversized line) makes the kernel drop the answer, so half-close and
    // drain a bounded amount first. (Inline: see the note there on g++ 12.)
    error_code ec;
    if (!st->stopped) stream.socket().shutdown(local::socket::shutdown_send, ec);
    if (!st->stopped && !ec) {
      stream.expires_after(
          std::min<std::chrono::milliseconds>(st->limits.idle_timeout, std::chrono::seconds(1)));
      std::array<char, 4096> sink;
      std::size_t drained = 0;
      while (!ec && drained < 256 * 1024) {
        drained += co_await stream.async_read_some(asio::buffer(sink),
                                                   asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    st->connections.erase(&stream);
  }
  --st->active;
  error_code ignored;
  stream.socket().close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<detail::ControlServerState> st) {
  for (;;) {
    error_code ec;
    local::socket socket = co_await st->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (st->stopped || !st->acceptor.is_open()) co_return;
    if (ec) {
      base::log::warn("control accept: " + ec.message());  // EMFILE and friends: go on
      continue;
    }
    if (st->active >= st->limits.max_connections) {
      socket.close(ec);
      continue;
    }
    ++st->active;
    asio::co_spawn(st->acceptor.get_executor(), connection(st, std::move(socket)), asio::detached);
  }
}

// Removes a socket file nobody listens on; refuses anything else.
base::Result<void> remove_stale(const std::filesystem::path& path, const std::string& where) {
  struct stat sb {};
  if (::lstat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT) return base::ok();
    return make_error(Errc::io, where + ": " + std::strerror(errno));
  }
  if (!S_ISSOCK(sb.st_mode)) return make_error(Errc::conflict, where + ": exists and is not a socket");
  asio::io_context probe_io;
  local::socket probe(probe_io);
  error_code ec;
  probe.connect(local::endpoint(path.string()), ec);
  if (!ec) return make_error(Errc::conflict, where + ": another process listens there (a signerd running?)");
  if (ec != asio::error::connection_refused)
    return make_error(Errc::io, where + ": probing the old socket: " + ec.message());
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return make_error(Errc::io, where + ": removing the stale socket: " + std::strerror(errno));
  return base::ok();
}

}  // namespace

ControlServer::ControlServer(asio::io_context& io, ControlHandler handler, ControlLimits limits)
    : state_(std::make_shared<detail::ControlServerState>(io, std::move(handler), limits)) {}

ControlServer::~ControlServer() { stop(); }

base::Result<void> ControlServer::listen(const std::filesystem::path& path) {
  detail::ControlServerState& st = *state_;
  const std::string where = "control socket " + path.string();
  if (st.acceptor.is_open()) return make_error(Errc::conflict, where + ": already listening");
  if (path.string().size() >= sizeof(sockaddr_un::sun_path))
    return make_error(Errc::invalid_argument, where + ": path too long for a Unix socket");
  SIGNERD_TRY(remove_stale(path, where));
  error_code ec;
  auto fail = [&](const char* step) {
    error_code ignored;
    st.acceptor.close(ignored);
    if (!st.path.empty()) ::unlink(st.path.c_str());
    st.path.clear();
    return make_error(Errc::io, where + ": " + step + ": " + ec.message());
  };
  st.acceptor.open(local(), ec);
  if (ec) return fail("open");
  // 0660 from the start (umask), and again explicitly: the group may talk
  // to the daemon, others may not even connect.
  const mode_t old_mask = ::umask(0117);
  st.acceptor.bind(local::endpoint(path.string()), ec);
  ::umask(old_mask);
  if (ec) return fail("bind");
  st.path = path;
  if (::chmod(path.c_str(), 0660) != 0) {
    ec = error_code(errno, boost::system::system_category());
    return fail("chmod");
  }
  st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  asio::co_spawn(st.acceptor.get_executor(), accept_loop(state_), asio::detached);
  return base::ok();
}

void ControlServer::stop() {
  // The file goes at once (unlink is thread-safe): the io_context may never
  // run the posted close when it is stopping too.
  if (!state_->path.empty() && !state_->removed.exchange(true)) {
    if (::unlink(state_->path.c_str()) != 0 && errno != ENOENT)
      base::log::warn("control socket " + state_->path.string() + ": not removed: " + std::strerror(errno));
  }
  asio::dispatch(state_->acceptor.get_executor(), [st = state_] {
    st->stopped = true;
    error_code ignored;
    st->acceptor.close(ignored);
    for (Stream* stream : st->connections) stream->socket().close(ignored);
  });
}

}  // namespace signerd
