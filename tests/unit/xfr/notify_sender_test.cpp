// send_notify against a real BIND secondary (which answers, with and
// without TSIG) and a silent port (no answer after the attempts), plus a
// responder that sends wrong answers first. Ports 23050-23099 (helper H3).
#include "xfr/notify_sender.hpp"

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "dns/message.hpp"
#include "dns/message_builder.hpp"

namespace signerd::xfr {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecretB64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

TsigKey test_key() {
  std::vector<uint8_t> s;
  for (uint8_t i = 1; i <= 32; ++i) s.push_back(i);
  return TsigKey(*dns::Name::from_text("xfr-key."), TsigAlgorithm::hmac_sha256, s);
}

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) == 0;
}

NotifyResult notify(uint16_t port, const TsigKey* key, NotifyRetry retry) {
  asio::io_context io;
  base::SystemClock clock;
  auto fut = asio::co_spawn(io,
                            send_notify({asio::ip::make_address("127.0.0.1"), port},
                                        *dns::Name::from_text("example.test."), 7, key, retry, clock),
                            asio::use_future);
  io.run();
  return fut.get();
}

TEST(SendNotify, SilentPortIsNotAnsweredAfterEveryAttempt) {
  // A bound socket that never answers.
  asio::io_context io;
  asio::ip::udp::socket silent(io, {asio::ip::make_address("127.0.0.1"), 23050});
  auto r = notify(23050, nullptr, NotifyRetry{3, 50ms});
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_FALSE(r.error.empty());
  // The requests arrived, each a NOTIFY with the serial in the answer SOA.
  std::vector<uint8_t> buf(4096);
  size_t n = 0;
  unsigned seen = 0;
  while (silent.available() > 0 && (n = silent.receive(asio::buffer(buf))) > 0) {
    auto m = dns::Message::parse(std::span<const uint8_t>(buf.data(), n));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header.opcode, 4);
    EXPECT_TRUE(m->header.aa);
    ASSERT_EQ(m->answer.size(), 1u);
    EXPECT_EQ(m->answer[0].type, dns::RRType::SOA);
    ++seen;
  }
  EXPECT_EQ(seen, 3u);
}

TEST(SendNotify, WrongAnswersAreIgnoredUntilTheRightOne) {
  asio::io_context io;
  asio::ip::udp::socket peer(io, {asio::ip::make_address("127.0.0.1"), 23051});
  std::thread responder([&] {
    std::vector<uint8_t> buf(4096);
    asio::ip::udp::endpoint from;
    const size_t n = peer.receive_from(asio::buffer(buf), from);
    auto m = dns::Message::parse(std::span<const uint8_t>(buf.data(), n));
    if (!m) return;
    auto answer = [&](uint16_t id, uint8_t opcode, bool qr) {
      dns::Header h = m->header;
      h.id = id;
      h.opcode = opcode;
      h.qr = qr;
      dns::MessageBuilder b(h);
      (void)b.add_question(m->questions.at(0));
      auto w = std::move(b).finish();
      peer.send_to(asio::buffer(w), from);
    };
    const std::vector<uint8_t> junk{1, 2, 3};
    peer.send_to(asio::buffer(junk), from);
    answer(static_cast<uint16_t>(m->header.id + 1), 4, true);  // wrong ID
    answer(m->header.id, 0, true);                             // wrong opcode
    answer(m->header.id, 4, false);                            // not a response
    answer(m->header.id, 4, true);
  });
  auto r = notify(23051, nullptr, NotifyRetry{2, 2000ms});
  responder.join();
  EXPECT_TRUE(r.answered) << r.error;
  EXPECT_EQ(r.rcode, 0);
  EXPECT_EQ(r.attempts, 1u);
}

class Named {
 public:
  explicit Named(uint16_t port) : port_(port) {
    dir_ = std::filesystem::temp_directory_path() / ("signerd-h3-notify-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "named.conf")
        << "key \"xfr-key\" { algorithm hmac-sha256; secret \"" << kSecretB64 << "\"; };\n"
        << "options { directory \"" << dir_.string() << "\"; listen-on port " << port
        << " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"named.pid\"; recursion no; notify no; };\n"
        << "controls { };\nlogging { category default { null; }; };\n"
        << "zone \"example.test\" { type secondary; file \"example.test.db\";"
        << " primaries { 127.0.0.1 port 23099; }; allow-notify { 127.0.0.1; }; };\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string conf = (dir_ / "named.conf").string();
      ::execl("/usr/sbin/named", "named", "-f", "-u", "root", "-c", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Named() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  // Waits until named answers on its port.
  bool ready() const {
    for (int i = 0; i < 100; ++i) {
      const std::string cmd = "dig @127.0.0.1 -p " + std::to_string(port_) +
                              " +tries=1 +time=1 version.bind CH TXT >/dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

 private:
  uint16_t port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

TEST(SendNotify, RealBindSecondaryAnswers) {
  if (!have("named") || !have("dig")) GTEST_SKIP() << "BIND not installed";
  Named named(23052);
  ASSERT_TRUE(named.ready());
  auto r = notify(23052, nullptr, NotifyRetry{5, 500ms});
  EXPECT_TRUE(r.answered) << r.error;
  EXPECT_EQ(r.rcode, 0);
  EXPECT_GE(r.attempts, 1u);
  // Signed: named signs its answer with the key, which we verify.
  TsigKey key = test_key();
  r = notify(23052, &key, NotifyRetry{5, 500ms});
  EXPECT_TRUE(r.answered) << r.error;
  EXPECT_EQ(r.rcode, 0);
  // A key named does not know: it answers NOTAUTH, unsigned, which we do not
  // accept as the answer.
  TsigKey unknown(*dns::Name::from_text("nobody."), TsigAlgorithm::hmac_sha256, std::vector<uint8_t>(32, 7));
  r = notify(23052, &unknown, NotifyRetry{2, 200ms});
  EXPECT_FALSE(r.answered);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace signerd::xfr
