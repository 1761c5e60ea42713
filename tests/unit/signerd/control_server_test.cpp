// Tests of signerd/control_server against a real Unix socket in a temp
// dir: the server runs on its own io thread; clients are blocking sockets.
#include "signerd/control_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "signerd/control_client.hpp"

namespace signerd {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "control_test.XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A blocking client; the receive timeout only keeps a broken server from
// hanging the run.
class Client {
 public:
  explicit Client(const std::filesystem::path& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
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
  // One line without '\n'; nullopt when the connection ends first.
  std::optional<std::string> line() {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string out = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return out;
      }
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }
  // True when the server closed the connection (EOF) with nothing more.
  bool closed() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

class ControlServerTest : public ::testing::Test {
 protected:
  void start(ControlLimits limits = {}) {
    server_.emplace(
        io_,
        [this](const ControlRequest& r, uid_t uid) {
          last_uid_ = uid;
          return ok_reply("verb " + r.verb, "\"uid\":" + std::to_string(uid));
        },
        limits);
    auto listening = server_->listen(socket_);
    ASSERT_TRUE(listening) << listening.error().detail;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  TempDir dir_;
  std::filesystem::path socket_ = dir_.path() / "control.sock";
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::optional<ControlServer> server_;
  std::thread thread_;
  std::atomic<uid_t> last_uid_{static_cast<uid_t>(-1)};
};

TEST_F(ControlServerTest, AnswersRequestsWithThePeersUid) {
  start();
  Client c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("{\"verb\":\"status\"}\n{\"verb\":\"zones\"}\n"));
  EXPECT_EQ(c.line(), "{\"ok\":true,\"text\":\"verb status\",\"uid\":" + std::to_string(::getuid()) + "}");
  EXPECT_EQ(c.line(), "{\"ok\":true,\"text\":\"verb zones\",\"uid\":" + std::to_string(::getuid()) + "}");
  EXPECT_EQ(last_uid_.load(), ::getuid());
  ASSERT_TRUE(c.send("{\"verb\":\"a\",\"zone\":{}}\n"));
  auto bad = c.line();
  ASSERT_TRUE(bad);
  EXPECT_TRUE(bad->starts_with(R"({"ok":false,"error":"malformed request: nested value for 'zone')")) << *bad;
  // A malformed request does not end the connection.
  ASSERT_TRUE(c.send("{\"verb\":\"keys\"}\n"));
  EXPECT_EQ(c.line()->substr(0, 30), R"({"ok":true,"text":"verb keys",)");
}

TEST_F(ControlServerTest, TheClientTalksToIt) {
  start();
  auto reply = cli::control_call(socket_, ControlRequest{"status", {{"zone", "example.com."}}});
  ASSERT_TRUE(reply) << reply.error().detail;
  auto parsed = parse_reply(*reply);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->ok);
  EXPECT_EQ(parsed->text, "verb status");
}

TEST_F(ControlServerTest, SocketFileIsMode0660AndRemovedOnStop) {
  start();
  struct stat sb {};
  ASSERT_EQ(::lstat(socket_.c_str(), &sb), 0);
  EXPECT_TRUE(S_ISSOCK(sb.st_mode));
  EXPECT_EQ(sb.st_mode & 07777, 0660u);
  server_->stop();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(socket_)));
  auto gone = cli::control_call(socket_, ControlRequest{"status", {}});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, base::Errc::not_found);
  EXPECT_EQ(gone.error().detail, "signerd is not running: no control socket at " + socket_.string());
}

TEST_F(ControlServerTest, OversizeLineIsRefusedAndTheConnectionClosed) {
  start();
  Client c(socket_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(std::string(kMaxRequestBytes + 100, 'x')));
  EXPECT_EQ(c.line(), R"({"ok":false,"error":"request line longer than 65536 bytes"})");
  EXPECT_TRUE(c.closed());
  // The listener is still there.
  Client next(socket_);
  ASSERT_TRUE(next.send("{\"verb\":\"status\"}\n"));
  EXPECT_TRUE(next.line());
}

TEST_F(ControlServerTest, IdleConnectionsTimeOutAndTheCountIsBounded) {
  ControlLimits limits;
  limits.idle_timeout = 300ms;
  limits.max_connections = 2;
  start(limits);
  Client a(socket_), b(socket_);
  ASSERT_TRUE(a.connected() && b.connected());
  ASSERT_TRUE(a.send("{\"verb\":\"x\"}\n"));
  ASSERT_TRUE(a.line());  // both are being served now
  Client over(socket_);   // accepted and closed at once
  EXPECT_TRUE(over.closed());
  EXPECT_TRUE(a.closed()) << "idle past the timeout";
  EXPECT_TRUE(b.closed());
}

TEST_F(ControlServerTest, StaleSocketIsReplacedOtherFilesAreNot) {
  {
    // A socket file left by a process that is gone.
    asio::io_context other;
    asio::local::stream_protocol::acceptor stale(other,
                                                 asio::local::stream_protocol::endpoint(socket_.string()));
  }
  ASSERT_TRUE(std::filesystem::is_socket(socket_));
  start();
  Client c(socket_);
  ASSERT_TRUE(c.send("{\"verb\":\"status\"}\n"));
  EXPECT_TRUE(c.line());

  // A second server on the same path: the first one is alive, refused.
  ControlServer second(io_, [](const ControlRequest&, uid_t) { return std::string(); });
  auto busy = second.listen(socket_);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, base::Errc::conflict);

  const auto file = dir_.path() / "plain";
  std::ofstream(file) << "not a socket";
  ControlServer third(io_, [](const ControlRequest&, uid_t) { return std::string(); });
  auto refused = third.listen(file);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("exists and is not a socket"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_regular_file(file));
}

}  // namespace
}  // namespace signerd
