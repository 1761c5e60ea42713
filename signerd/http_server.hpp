// signerd/http_server.hpp — a small HTTP/1.1 server for /status, /metrics
// and /healthz.
//
// Owns: accepting connections, parsing requests with Boost.Beast under hard
// limits (header size, no request bodies, read timeout, connection count),
// keep-alive, writing the handler's answer with Content-Length and
// Cache-Control: no-store, counting the answers by status code, and the
// route table that maps a path to its answer. Does not own: what a path
// means or the text it returns (the routes, which the daemon builds from a
// snapshot), TLS or authentication (bind it to loopback or put a proxy in
// front).
//
// Limits are the point: BIND's statistics channel shows what an HTTP
// endpoint without them costs. Only GET and HEAD are served (405 otherwise);
// a header over the limit gets 431, a malformed request 400, and both close
// the connection. No client input can end the accept loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "xfr/asio.hpp"

namespace signerd {

namespace asio = boost::asio;

namespace detail {
struct HttpServerState;
}  // namespace detail

struct HttpLimits {
  std::size_t max_header_bytes = 8 * 1024;         // request line + fields
  std::chrono::milliseconds read_timeout{10'000};  // per request, idle keep-alive included
  std::size_t max_connections = 32;                // more are accepted and closed at once
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Called once per GET or HEAD request with the method and the request target
// as sent ("/status?zone=x"). It runs on the io_context's thread and must be
// fast and non-blocking. An exception it throws becomes a 500 answer.
using HttpHandler = std::function<HttpResponse(std::string_view method, std::string_view target)>;

// One row of a route table: a request whose path (the target up to '?')
// equals `path` is answered by `answer(target)`, the same way for GET and
// HEAD (the server drops the body of a HEAD answer).
struct HttpRoute {
  std::string path;  // "/status"
  std::function<HttpResponse(std::string_view target)> answer;
};

// A handler that answers from `routes` (exact, case-sensitive match of the
// path) and 404 naming the known paths otherwise. The answers run as the
// handler does: on the io_context's thread, fast, non-blocking.
HttpHandler route_table(std::vector<HttpRoute> routes);

class HttpServer {
 public:
  using Handler = HttpHandler;

  HttpServer(asio::io_context& io, Handler handler, HttpLimits limits = {});
  // Stops (as stop()). Connection coroutines still pending keep the shared
  // state alive until the io_context runs them to their end.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting on `endpoint` (port 0: any free port, see
  // port()). Call once, before or from the io_context's thread. Fails with
  // Errc::io ("HTTP listen on 127.0.0.1:8053: Address already in use") or
  // Errc::conflict when already listening.
  base::Result<void> listen(const asio::ip::tcp::endpoint& endpoint);

  // Closes the listener and every open connection. Thread-safe (posted to
  // the io_context); idempotent.
  void stop();

  // The bound port after a successful listen(), else 0. Thread-safe.
  uint16_t port() const;

  // Answers written so far, by HTTP status code (400 and 431 included; a
  // connection closed over the limit gets none). The answer being made
  // when a handler calls it is not counted yet. Thread-safe.
  std::map<unsigned, uint64_t> responses() const;

 private:
  std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace signerd
