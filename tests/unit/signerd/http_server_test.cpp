// Tests of signerd/http_server against raw TCP clients (and curl when
// installed): the server runs on 127.0.0.1, port 0, on its own io thread.
#include "signerd/http_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "signerd/metrics.hpp"

namespace signerd {
namespace {

using namespace std::chrono_literals;

// A blocking loopback client. The receive timeout only keeps a broken server
// from hanging the test run; no assertion depends on it.
class Client {
 public:
  explicit Client(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line and fields, lowercased
    std::string body;
  };

  // Reads one response; body length from Content-Length (0 for HEAD).
  std::optional<Response> read_response(bool head_request = false) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    Response r;
    r.head = buf_.substr(0, end);
    for (char& c : r.head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    buf_.erase(0, end + 4);
    if (r.head.size() < 12) return std::nullopt;
    r.status = std::stoi(r.head.substr(9, 3));
    std::size_t length = 0;
    if (auto p = r.head.find("content-length: "); p != std::string::npos) {
      length = std::stoul(r.head.substr(p + 16));
    }
    if (head_request) length = 0;
    while (buf_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True when the server closed the connection (EOF or reset) with no more
  // data; false on data or on the guard timeout.
  bool closed_by_server() {
    if (!buf_.empty()) return false;
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n == 0) return true;
    return n < 0 && (errno == ECONNRESET || errno == EPIPE);
  }

 private:
  bool fill() {
    char tmp[4096];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buf_;
};

HttpResponse test_handler(std::string_view method, std::string_view target) {
  if (target == "/status") return {200, "application/json", R"({"ok":true})"};
  if (target == "/throw") throw std::runtime_error("handler failed");
  return {404, "text/plain", "no such path: " + std::string(target) + " (" + std::string(method) + ")"};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpLimits limits = short_limits(), HttpHandler handler = test_handler) {
    server_.emplace(io_, std::move(handler), limits);
    auto r = server_->listen({asio::ip::make_address("127.0.0.1"), 0});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  static HttpLimits short_limits() {
    HttpLimits l;
    l.read_timeout = 300ms;
    return l;
  }
  uint16_t port() const { return server_->port(); }

  asio::io_context io_;
  std::optional<HttpServer> server_;
  std::thread thread_;
};

constexpr const char* kGetStatus = "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n";

TEST_F(HttpServerTest, GetReturnsHandlerBodyWithHeaders) {
  start();
  Client c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(kGetStatus));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_NE(r->head.find("content-type: application/json"), std::string::npos);
  EXPECT_NE(r->head.find("cache-control: no-store"), std::string::npos);
  EXPECT_NE(r->head.find("content-length: 11"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveThenConnectionClose) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(kGetStatus));
  ASSERT_TRUE(c.read_response());
  ASSERT_TRUE(c.send(kGetStatus));
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  ASSERT_TRUE(c.send("GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_NE(last->head.find("connection: close"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(std::string("GET /a HTTP/1.1\r\nHost: x\r\n\r\n") + kGetStatus));
  auto a = c.read_response();
  auto b = c.read_response();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 404);
  EXPECT_EQ(b->status, 200);
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosed) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /status HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->head.substr(0, 8), "http/1.0");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, HandlerNotFoundPassedThrough) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /nope?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "no such path: /nope?x=1 (GET)");
}

TEST_F(HttpServerTest, HeadSendsLengthButNoBody) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("HEAD /status HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto h = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_NE(h->head.find("content-length: 11"), std::string::npos);
  // Had a body been sent, it would be read here as the next status line.
  ASSERT_TRUE(c.send(kGetStatus));
  auto g = c.read_response();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(g->body, R"({"ok":true})");
}

TEST_F(HttpServerTest, PostIs405AndCloses) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_NE(r->head.find("allow: get, head"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, GetWithBodyIsRejected) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, OversizedHeaderIs431OrClosed) {
  start();
  Client c(port());
  const std::string big = "GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  c.send(big);  // the server may close before reading it all
  auto r = c.read_response();
  if (r) {
    EXPECT_EQ(r->status, 431);
    EXPECT_TRUE(c.closed_by_server());
  }
  // Either way the server still serves the next client.
  Client next(port());
  ASSERT_TRUE(next.send(kGetStatus));
  auto ok = next.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, HeaderJustUnderLimitAccepted) {
  start();
  Client c(port());
  const std::string head = "GET /status HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  const std::string req = head + std::string(8000 - head.size(), 'a') + "\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, GarbageIs400AndServerKeepsServing) {
  start();
  {
    Client c(port());
    ASSERT_TRUE(c.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    Client c(port());
    ASSERT_TRUE(c.send("GET /status HTTP/9.9 junk\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
  }
  Client next(port());
  ASSERT_TRUE(next.send(kGetStatus));
  auto ok = next.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, SilentClientIsClosedAfterTimeout) {
  start();
  Client c(port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, PartialRequestIsClosedAfterTimeout) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /status HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, IdleKeepAliveIsClosedAfterTimeout) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(kGetStatus));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  Client next(port());
  ASSERT_TRUE(next.send(kGetStatus));
  auto ok = next.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, ConnectionsOverLimitAreClosed) {
  HttpLimits l;
  l.max_connections = 2;  // the default timeout keeps the first two open
  start(l);
  Client a(port()), b(port());
  for (Client* c : {&a, &b}) {
    ASSERT_TRUE(c->send(kGetStatus));
    ASSERT_TRUE(c->read_response());
  }
  Client third(port());
  EXPECT_TRUE(third.closed_by_server());
  // Once one is gone, a new client is served again.
  ASSERT_TRUE(a.send("GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(a.closed_by_server());
  // The server decrements its count after closing; retry until served.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    Client d(port());
    served = d.send(kGetStatus) && d.read_response().has_value();
    if (!served) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(served);
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  HttpLimits l;  // default 10 s timeout: only stop() can close it quickly
  start(l);
  Client c(port());
  ASSERT_TRUE(c.send(kGetStatus));
  ASSERT_TRUE(c.read_response());
  server_->stop();
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, ListenErrorNamesTheAddress) {
  start();
  HttpServer second(io_, test_handler);
  auto r = second.listen({asio::ip::make_address("127.0.0.1"), port()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::io);
  EXPECT_NE(r.error().detail.find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << r.error().detail;
  EXPECT_EQ(second.port(), 0);
}

// The daemon's shape: a route table with the metrics text as one route.
HttpHandler routes_with_metrics() {
  ZoneStatus zone;
  zone.zone = "example.com.";
  zone.signed_serial = 2026112301;
  ProcessInfo process;
  process.version = "test";
  return route_table({
      {"/status",
       [](std::string_view) {
         return HttpResponse{200, "application/json", R"({"ok":true})"};
       }},
      {"/metrics",
       [zone, process](std::string_view) {
         return HttpResponse{200, std::string(kMetricsContentType),
                             metrics_text({zone}, process, base::TimePoint{})};
       }},
  });
}

TEST_F(HttpServerTest, RouteTableServesMetricsAsPrometheusText) {
  start(short_limits(), routes_with_metrics());
  Client c(port());
  ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->head.find("content-type: text/plain; version=0.0.4"), std::string::npos) << r->head;
  EXPECT_EQ(r->body.substr(0, 7), "# HELP ");
  EXPECT_NE(r->body.find("\nsignerd_zone_signed_serial{zone=\"example.com.\"} 2026112301\n"),
            std::string::npos)
      << r->body;
}

TEST_F(HttpServerTest, RouteTableMatchesThePathWithoutQueryAnd404sTheRest) {
  start(short_limits(), routes_with_metrics());
  Client c(port());
  ASSERT_TRUE(
      c.send("GET /status?zone=example.com HTTP/1.1\r\nHost: x\r\n\r\n"
             "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto status = c.read_response();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->body, R"({"ok":true})");
  auto head = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_NE(head->head.find("content-type: text/plain; version=0.0.4"), std::string::npos);
  auto missing = c.read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "not found: try /status or /metrics\n");
}

TEST_F(HttpServerTest, CountsAnswersByStatusCode) {
  start();
  Client c(port());
  ASSERT_TRUE(c.send(std::string(kGetStatus) + kGetStatus + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.read_response());
  const auto counts = server_->responses();
  EXPECT_EQ(counts, (std::map<unsigned, uint64_t>{{200, 2}, {404, 1}}));
}

// curl, when installed, as an independent client.
std::optional<std::string> run_curl(const std::string& args, const std::filesystem::path& out) {
  const std::string cmd = "curl -sS --max-time 30 -o '" + out.string() + "' -w '%{http_code}' " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  char buf[64] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  if (::pclose(p) != 0) return std::nullopt;
  return std::string(buf, n);
}

TEST_F(HttpServerTest, CurlGetsStatusAnd404) {
  if (std::system("which curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  start();
  const auto dir =
      std::filesystem::temp_directory_path() / ("http_server_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string base = "http://127.0.0.1:" + std::to_string(port());
  EXPECT_EQ(run_curl(base + "/status", dir / "a").value_or("failed"), "200");
  std::ifstream in(dir / "a");
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(body, R"({"ok":true})");
  EXPECT_EQ(run_curl(base + "/missing", dir / "b").value_or("failed"), "404");
  EXPECT_EQ(run_curl("-X POST -d x=1 " + base + "/status", dir / "c").value_or("failed"), "405");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace signerd
