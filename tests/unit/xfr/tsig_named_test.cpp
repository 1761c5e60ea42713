// TSIG interop with a real named: it must accept our signed requests and we
// must verify its signed answers, single (UDP) and multi-message (AXFR).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tsig_test_util.hpp"

namespace signerd::xfr {
namespace {

using namespace tsig_test;

// Interop with BIND's named: it must accept our signed requests and we must
// verify its signed answers, single and multi-message.
class NamedInterop : public ::testing::Test {
 protected:
  static constexpr uint16_t kPort = 21053;

  void SetUp() override {
    if (!std::filesystem::exists("/usr/sbin/named")) GTEST_SKIP() << "named is not installed";
    dir_ = std::filesystem::temp_directory_path() / ("signerd-tsig-named-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write_zone();
    write_config();
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      const std::string log = (dir_ / "named.log").string();
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      const std::string conf = (dir_ / "named.conf").string();
      ::execl("/usr/sbin/named", "named", "-g", "-n", "1", "-4", "-c", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready when it answers an unsigned SOA query (named loads 3,000
    // records in well under a second; allow far more on a busy machine).
    for (int i = 0; i < 300 && !ready_; ++i) {
      auto answer = udp_exchange(query(1), 100);
      ready_ = answer && parse(*answer).header.rcode == 0 && !parse(*answer).answer.empty();
      int status = 0;
      if (!ready_ && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
    }
    ASSERT_TRUE(ready_) << "named did not start; its log:\n" << log();
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string log() const {
    std::ifstream in(dir_ / "named.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void write_zone() {
    std::ofstream z(dir_ / "example.zone");
    z << "$TTL 300\n@ IN SOA ns.example. admin.example. 2026112301 3600 900 604800 300\n"
      << "@ IN NS ns.example.\nns IN A 192.0.2.53\n";
    for (int i = 0; i < kRecords; ++i)
      z << "h" << i << " IN TXT \"padding so that AXFR needs several messages " << i << "\"\n";
  }

  void write_config() {
    std::ofstream c(dir_ / "named.conf");
    const std::string d = dir_.string();
    c << "options {\n  directory \"" << d << "\";\n  pid-file none;\n  session-keyfile none;\n"
      << "  listen-on port " << kPort << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n"
      << "  recursion no;\n  notify no;\n  dnssec-validation no;\n"
      << "  allow-transfer { key tsig-test.example.; };\n};\n"
      << "key \"tsig-test.example.\" { algorithm hmac-sha256; secret \"" << kSecretBase64 << "\"; };\n"
      << "controls { };\n"
      << "zone \"example.\" { type primary; file \"example.zone\"; };\n";
  }

  // One UDP query and answer; nullopt on timeout.
  static std::optional<std::vector<uint8_t>> udp_exchange(const std::vector<uint8_t>& q, int timeout_ms) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in addr = loopback();
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<uint8_t> buf(65535);
    ssize_t n = -1;
    if (::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ==
        static_cast<ssize_t>(q.size())) {
      n = ::recv(fd, buf.data(), buf.size(), 0);
    }
    ::close(fd);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  static sockaddr_in loopback() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(kPort);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  static bool read_exact(int fd, uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t got = ::recv(fd, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }

  // Sends `q` over TCP and reads messages until the closing SOA of a
  // transfer, a non-zero RCODE, or the end of the stream.
  static std::vector<std::vector<uint8_t>> tcp_transfer(const std::vector<uint8_t>& q) {
    std::vector<std::vector<uint8_t>> out;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return out;
    sockaddr_in addr = loopback();
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<uint8_t> framed{static_cast<uint8_t>(q.size() >> 8), static_cast<uint8_t>(q.size())};
    framed.insert(framed.end(), q.begin(), q.end());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::send(fd, framed.data(), framed.size(), 0) == static_cast<ssize_t>(framed.size())) {
      int soas = 0;
      while (soas < 2 && out.size() < 1000) {
        uint8_t len[2];
        if (!read_exact(fd, len, 2)) break;
        std::vector<uint8_t> msg(dns::get_u16(len));
        if (!read_exact(fd, msg.data(), msg.size())) break;
        auto m = dns::Message::parse(msg);
        out.push_back(std::move(msg));
        if (!m || m->header.rcode != 0) break;
        for (const auto& r : m->answer) soas += r.type == dns::RRType::SOA ? 1 : 0;
      }
    }
    ::close(fd);
    return out;
  }

  static constexpr int kRecords = 3000;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

base::TimePoint wall_now() { return base::SystemClock().now(); }

TEST_F(NamedInterop, SignedQueryIsAcceptedAndTheAnswerVerifies) {
  const TsigKey key = test_key();
  TsigClient client(key);
  auto q = query(0x5151);
  ASSERT_TRUE(client.sign_request(q, wall_now()));
  auto answer = udp_exchange(q, 5000);
  ASSERT_TRUE(answer) << log();
  auto m = parse(*answer);
  EXPECT_EQ(m.header.rcode, 0);
  ASSERT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.answer[0].type, dns::RRType::SOA);
  ASSERT_TRUE(m.tsig) << "named did not sign its answer";
  auto ok = client.verify_response(m, *answer, wall_now());
  EXPECT_TRUE(ok) << ok.error().detail;
  EXPECT_TRUE(client.last_was_signed());
  // One octet of named's answer changed, and it no longer verifies.
  auto bad = *answer;
  bad[2] ^= 0x04;  // the AA bit
  TsigClient again(key);
  auto q2 = query(0x5151);
  ASSERT_TRUE(again.sign_request(q2, at(fields_of(parse(q)).time_signed)));
  ASSERT_EQ(q2, q);
  EXPECT_FALSE(again.verify_response(parse(bad), bad, wall_now()));
}

TEST_F(NamedInterop, WrongSecretGetsBadsigAndFailsToVerify) {
  auto wrong_secret = secret();
  wrong_secret.back() ^= 1;
  const TsigKey key(key_name(), TsigAlgorithm::hmac_sha256, wrong_secret);
  TsigClient client(key);
  auto q = query(0x6262);
  ASSERT_TRUE(client.sign_request(q, wall_now()));
  auto answer = udp_exchange(q, 5000);
  ASSERT_TRUE(answer) << log();
  auto m = parse(*answer);
  EXPECT_EQ(m.header.rcode, 9);  // NOTAUTH
  ASSERT_TRUE(m.tsig);
  EXPECT_EQ(fields_of(m).error, 16);  // BADSIG
  EXPECT_TRUE(fields_of(m).mac.empty());
  auto r = client.verify_response(m, *answer, wall_now());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("server says BADSIG"), std::string::npos) << r.error().detail;
}

TEST_F(NamedInterop, UnknownKeyGetsBadkey) {
  const TsigKey key(*dns::Name::from_text("stranger.example."), TsigAlgorithm::hmac_sha256, secret());
  TsigClient client(key);
  auto q = query(0x6363);
  ASSERT_TRUE(client.sign_request(q, wall_now()));
  auto answer = udp_exchange(q, 5000);
  ASSERT_TRUE(answer) << log();
  auto m = parse(*answer);
  EXPECT_EQ(m.header.rcode, 9);
  ASSERT_TRUE(m.tsig);
  EXPECT_EQ(fields_of(m).error, 17);  // BADKEY
  auto r = client.verify_response(m, *answer, wall_now());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("server says BADKEY"), std::string::npos) << r.error().detail;
}

// named's BADTIME answer is signed: we verify its MAC, then report BADTIME.
TEST_F(NamedInterop, SkewedClockGetsSignedBadtime) {
  const TsigKey key = test_key();
  TsigClient client(key);
  auto q = query(0x6464);
  const base::TimePoint skewed = wall_now() - std::chrono::seconds(3600);
  ASSERT_TRUE(client.sign_request(q, skewed));
  auto answer = udp_exchange(q, 5000);
  ASSERT_TRUE(answer) << log();
  auto m = parse(*answer);
  EXPECT_EQ(m.header.rcode, 9);
  ASSERT_TRUE(m.tsig);
  const auto f = fields_of(m);
  EXPECT_EQ(f.error, 18);  // BADTIME
  EXPECT_EQ(f.mac.size(), 32u);
  EXPECT_EQ(f.other.size(), 6u);
  // Like our append_error_tsig: the request's Time Signed, the server's
  // time in Other Data.
  EXPECT_EQ(f.time_signed, fields_of(parse(q)).time_signed);
  auto r = client.verify_response(m, *answer, skewed);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("server says BADTIME"), std::string::npos) << r.error().detail;
}

TEST_F(NamedInterop, SignedAxfrVerifiesMessageByMessage) {
  // named enforces the key: an unsigned AXFR is refused.
  auto refused = tcp_transfer(query(0x7070, dns::RRType::AXFR));
  ASSERT_EQ(refused.size(), 1u) << log();
  EXPECT_EQ(parse(refused[0]).header.rcode, 5);

  const TsigKey key = test_key();
  TsigClient client(key);
  auto q = query(0x7171, dns::RRType::AXFR);
  ASSERT_TRUE(client.sign_request(q, wall_now()));
  auto messages = tcp_transfer(q);
  ASSERT_GT(messages.size(), 2u) << "the zone should need several messages";
  size_t records = 0;
  size_t signed_messages = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE(i);
    auto m = parse(messages[i]);
    EXPECT_EQ(m.header.rcode, 0);
    records += m.answer.size();
    signed_messages += m.tsig ? 1 : 0;
    auto ok = client.verify_response(m, messages[i], wall_now());
    ASSERT_TRUE(ok) << ok.error().detail;
  }
  EXPECT_TRUE(client.last_was_signed());
  EXPECT_EQ(records, static_cast<size_t>(kRecords) + 4);  // SOA, NS, A, the TXTs, SOA
  EXPECT_GE(signed_messages, 2u);

  // A message dropped from the middle breaks the chain.
  TsigClient again(key);
  auto q2 = query(0x7171, dns::RRType::AXFR);
  ASSERT_TRUE(again.sign_request(q2, at(fields_of(parse(q)).time_signed)));
  ASSERT_EQ(q2, q);
  ASSERT_TRUE(again.verify_response(parse(messages[0]), messages[0], wall_now()));
  bool failed = false;
  for (size_t i = 2; i < messages.size() && !failed; ++i) {
    failed = !again.verify_response(parse(messages[i]), messages[i], wall_now());
  }
  EXPECT_TRUE(failed);
}

}  // namespace
}  // namespace signerd::xfr
