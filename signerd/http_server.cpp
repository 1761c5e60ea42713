// signerd/http_server.cpp — accept loop and one coroutine per connection.
//
// All state lives in a shared HttpServerState that every coroutine holds, so the
// HttpServer object can go away while connections are still unwinding.
// Everything after construction runs on the io_context's thread; stop() is
// posted there, which is what makes the connection set safe without a lock.
#include "signerd/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <string>
#include <unordered_set>
#include <utility>

// clang-format off: Beast must come after "xfr/asio.hpp" (the <utility> fix).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include "base/lock_guarded.hpp"
#include "base/log.hpp"

namespace signerd {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace detail {

struct HttpServerState {
  HttpServerState(asio::io_context& io, HttpHandler h, HttpLimits l)
      : acceptor(io), handler(std::move(h)), limits(l) {}

  tcp::acceptor acceptor;
  HttpHandler handler;
  HttpLimits limits;
  std::unordered_set<beast::tcp_stream*> connections;  // to close them on stop()
  std::size_t active = 0;                              // counted from accept, before the coroutine first runs
  std::atomic<uint16_t> port{0};
  base::LockGuarded<std::map<unsigned, uint64_t>> responses;  // by status code
  bool stopped = false;
};

}  // namespace detail

namespace {

using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;

// Names the listening address in errors: "127.0.0.1:8053", "[::1]:8053".
std::string endpoint_text(const tcp::endpoint& ep) {
  const std::string addr = ep.address().to_string();
  const std::string host = ep.address().is_v6() ? "[" + addr + "]" : addr;
  return host + ":" + std::to_string(ep.port());
}

Response make_response(unsigned version, bool keep_alive, const HttpResponse& r) {
  Response res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "signerd");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = r.body;
  res.content_length(r.body.size());
  res.keep_alive(keep_alive);
  return res;
}

HttpResponse plain(unsigned status, std::string_view text) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::string(text) + "\n"};
}

// Client input that Beast rejects as not HTTP (400), as opposed to the
// client going away or the timer firing (no answer, just close).
bool is_malformed_request(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// What one request header asks for: the answer and whether the connection
// may stay open after it. Bodies are never read, so a request that carries
// one is answered and the connection closed (the body would be misread as
// the next request otherwise).
std::pair<HttpResponse, bool> dispatch(detail::HttpServerState& st,
                                       const http::request_parser<http::empty_body>& p) {
  const Request& req = p.get();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    return {plain(405, "method not allowed"), false};
  }
  if (!p.is_done()) return {plain(413, "request body not allowed"), false};
  try {
    const auto method = req.method_string();
    const auto target = req.target();
    return {st.handler(std::string_view(method.data(), method.size()),
                       std::string_view(target.data(), target.size())),
            req.keep_alive()};
  } catch (const std::exception& e) {
    base::log::error(std::string("HTTP handler for ") + std::string(req.target()) + ": " + e.what());
    return {plain(500, "internal error"), false};
  }
}

asio::awaitable<void> write_response(beast::tcp_stream& stream, Response& res, bool head_only,
                                     std::chrono::milliseconds timeout, error_code& ec) {
  stream.expires_after(timeout);
  if (head_only) {
    http::response_serializer<http::string_body> sr{res};
    co_await http::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> serve(std::shared_ptr<detail::HttpServerState> st, beast::tcp_stream& stream) {
  const HttpLimits& limits = st->limits;
  // Twice the header limit: the parser's header_limit, not the buffer, must
  // be what rejects a long header, so that the client gets a 431.
  beast::flat_buffer buffer{limits.max_header_bytes * 2};
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    error_code ec;
    stream.expires_after(limits.read_timeout);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));

    HttpResponse answer;
    bool keep_alive = false;
    bool head_only = false;
    unsigned version = 11;
    if (ec == http::error::header_limit) {
      answer = plain(431, "request header fields too large");
    } else if (is_malformed_request(ec)) {
      answer = plain(400, "bad request");
    } else if (ec) {
      co_return;  // closed by the client, timed out, or stopped
    } else {
      std::tie(answer, keep_alive) = dispatch(*st, parser);
      head_only = parser.get().method() == http::verb::head;
      version = parser.get().version();
    }
    st->responses.with_lock([&](auto& by_code) { ++by_code[answer.status]; });
    Response res = make_response(version, keep_alive, answer);
    if (res.result() == http::status::method_not_allowed) res.set(http::field::allow, "GET, HEAD");
    co_await write_response(stream, res, head_only, limits.read_timeout, ec);
    if (ec || !keep_alive) co_return;
  }
}

// Owns one accepted socket for its lifetime; registered so that stop() can
// close it.
asio::awaitable<void> connection(std::shared_ptr<detail::HttpServerState> st, tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  if (!st->stopped) {
    st->connections.insert(&stream);
    try {
      co_await serve(st, stream);
    } catch (const std::exception& e) {
      base::log::warn(std::string("HTTP connection: ") + e.what());
    }
    // Closing with unread request bytes (a refused body, the rest of an
    // oversized header) makes the kernel send RST, which can destroy the
    // error answer before the client reads it. So: half-close, then read and
    // discard a bounded amount until the client closes or a short timer
    // fires. (Inline, not a small coroutine of its own: g++ 12 inlines such
    // a frame and then reports a false -Wmismatched-new-delete in Asio.)
    error_code ec;
    if (!st->stopped) stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!st->stopped && !ec) {
      stream.expires_after(
          std::min<std::chrono::milliseconds>(st->limits.read_timeout, std::chrono::seconds(1)));
      std::array<char, 4096> sink;
      std::size_t drained = 0;
      while (!ec && drained < 64 * 1024) {
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

asio::awaitable<void> accept_loop(std::shared_ptr<detail::HttpServerState> st) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await st->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (st->stopped || !st->acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: log and go on; a client cannot end this loop.
      base::log::warn("HTTP accept: " + ec.message());
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

}  // namespace

HttpHandler route_table(std::vector<HttpRoute> routes) {
  std::string known;
  for (const HttpRoute& r : routes) known += (known.empty() ? "" : " or ") + r.path;
  return [routes = std::move(routes), known](std::string_view, std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    for (const HttpRoute& r : routes)
      if (r.path == path) return r.answer(target);
    return HttpResponse{404, "text/plain", "not found: try " + known + "\n"};
  };
}

HttpServer::HttpServer(asio::io_context& io, Handler handler, HttpLimits limits)
    : state_(std::make_shared<detail::HttpServerState>(io, std::move(handler), limits)) {}

HttpServer::~HttpServer() { stop(); }

base::Result<void> HttpServer::listen(const tcp::endpoint& endpoint) {
  detail::HttpServerState& st = *state_;
  const std::string where = "HTTP listen on " + endpoint_text(endpoint);
  if (st.acceptor.is_open()) return base::make_error(base::Errc::conflict, where + ": already listening");
  error_code ec;
  auto fail = [&](const char* step) {
    error_code ignored;
    st.acceptor.close(ignored);
    return base::make_error(base::Errc::io, where + ": " + step + ": " + ec.message());
  };
  st.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  st.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  st.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  const tcp::endpoint bound = st.acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname");
  st.port = bound.port();
  asio::co_spawn(st.acceptor.get_executor(), accept_loop(state_), asio::detached);
  return base::ok();
}

void HttpServer::stop() {
  asio::dispatch(state_->acceptor.get_executor(), [st = state_] {
    st->stopped = true;
    error_code ignored;
    st->acceptor.close(ignored);
    for (beast::tcp_stream* stream : st->connections) stream->socket().close(ignored);
  });
}

uint16_t HttpServer::port() const { return state_->port; }

std::map<unsigned, uint64_t> HttpServer::responses() const {
  return state_->responses.with_lock([](const auto& by_code) { return by_code; });
}

}  // namespace signerd
