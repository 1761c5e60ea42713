// AuthServer: the real server against dig, and against real
// BIND and NSD secondaries that transfer the zone and follow a NOTIFY by
// IXFR. Ports 23000-23049 (this file's share of helper H3's range).
#include "xfr/auth_server.hpp"

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth_test_util.hpp"
#include "base/clock.hpp"
#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_file.hpp"
#include "xfr/ixfr_parser.hpp"
#include "xfr/notify_sender.hpp"
#include "xfr/query_answer.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {
namespace {

using namespace std::chrono_literals;
using dns::RRType;
using namespace auth_test;

// ---- the real server ----

struct Cmd {
  int rc = -1;
  std::string out;
};

Cmd run(const std::string& cmd) {
  Cmd r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.rc = ::pclose(p);
  return r;
}

bool have(const char* tool) { return run(std::string("command -v ") + tool).rc == 0; }

std::string dig(uint16_t port, const std::string& args) {
  return run("dig @127.0.0.1 -p " + std::to_string(port) + " +tries=1 +time=5 " + args).out;
}

class ServerFixture : public ::testing::Test {
 protected:
  void start(uint16_t port, ServerLimits limits = {}) {
    port_ = port;
    v1 = version(zone_text(1));
    catalog.publish(served(v1));
    server = std::make_unique<AuthServer>(io, catalog, keyring, limits, clock);
    auto r = server->listen({asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port)});
    ASSERT_TRUE(r) << r.error().to_string();
    thread = std::thread([this] { io.run(); });
  }
  void TearDown() override {
    if (server) asio::post(io, [this] { server->stop(); });
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ServerCounters counters() { return server->counters(); }

  uint16_t port_ = 0;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  TestCatalog catalog;
  TsigKeyring keyring{std::vector<TsigKey>{test_key()}};
  base::SystemClock clock;
  std::shared_ptr<const dns::ZoneVersion> v1;
  std::unique_ptr<AuthServer> server;
  std::thread thread;
};

TEST_F(ServerFixture, ListenErrorNamesTheAddress) {
  start(23001);
  AuthServer second(io, catalog, keyring, {}, clock);
  auto r = second.listen({asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 23001)});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("127.0.0.1@23001"), std::string::npos) << r.error().detail;
}

TEST_F(ServerFixture, DigGetsAuthoritativeAnswers) {
  if (!have("dig")) GTEST_SKIP() << "dig not installed";
  start(23002);
  auto soa = dig(port_, "example.test SOA +norec");
  EXPECT_NE(soa.find("status: NOERROR"), std::string::npos) << soa;
  EXPECT_NE(soa.find(" aa"), std::string::npos) << soa;
  EXPECT_NE(soa.find("ns1.example.test. hostmaster.example.test. 1 3600"), std::string::npos) << soa;
  auto key = dig(port_, "example.test DNSKEY +dnssec +norec");
  EXPECT_NE(key.find("DNSKEY\t257 3 13"), std::string::npos) << key;
  EXPECT_NE(key.find("RRSIG\tDNSKEY 13 2"), std::string::npos) << key;
  EXPECT_EQ(key.find("RRSIG\tSOA"), std::string::npos) << key;
  EXPECT_NE(key.find("udp: 1232"), std::string::npos) << key;
  EXPECT_NE(dig(port_, "example.test A").find("status: REFUSED"), std::string::npos);
  EXPECT_NE(dig(port_, "other.test SOA").find("status: REFUSED"), std::string::npos);
  // Over TCP as well, and AXFR.
  EXPECT_NE(dig(port_, "example.test SOA +tcp").find("status: NOERROR"), std::string::npos);
  auto axfr = dig(port_, "example.test AXFR");
  EXPECT_NE(axfr.find("XFR size: 15 records"), std::string::npos) << axfr;
  EXPECT_GE(counters().axfr_out, 1u);
  EXPECT_GE(counters().refused, 2u);
}

TEST_F(ServerFixture, TsigTransferWithDig) {
  if (!have("dig")) GTEST_SKIP() << "dig not installed";
  catalog.require_key(true);
  start(23003);
  auto good = dig(port_, std::string("-y hmac-sha256:xfr-key:") + kSecretB64 + " example.test AXFR");
  EXPECT_NE(good.find("XFR size: 15 records"), std::string::npos) << good;
  EXPECT_EQ(good.find("failed"), std::string::npos) << good;
  auto unsigned_ = dig(port_, "example.test AXFR");
  EXPECT_EQ(unsigned_.find("XFR size"), std::string::npos) << unsigned_;
  EXPECT_NE(unsigned_.find("Transfer failed"), std::string::npos) << unsigned_;
  EXPECT_GE(counters().refused, 1u);
  auto wrong =
      dig(port_, "-y hmac-sha256:xfr-key:VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVU= example.test SOA");
  EXPECT_NE(wrong.find("NOTAUTH"), std::string::npos) << wrong;
  EXPECT_GE(counters().tsig_failures, 1u);
}

// Sends raw bytes over UDP; returns what came back within `wait`, if anything.
std::optional<std::vector<uint8_t>> udp_exchange(uint16_t port, const std::vector<uint8_t>& bytes,
                                                 std::chrono::milliseconds wait = 2000ms) {
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::v4());
  s.send_to(asio::buffer(bytes), {asio::ip::make_address("127.0.0.1"), port});
  std::vector<uint8_t> buf(65535);
  std::optional<std::vector<uint8_t>> out;
  s.async_receive(asio::buffer(buf), [&](boost::system::error_code ec, size_t n) {
    if (!ec) out.emplace(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  });
  io.run_for(wait);
  return out;
}

TEST_F(ServerFixture, HostileInputLeavesItServing) {
  if (!have("dig")) GTEST_SKIP() << "dig not installed";
  start(23004, ServerLimits{.max_tcp_connections = 3, .idle_timeout = 300ms, .max_udp_payload = 1232});
  const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port_);
  // Garbage datagrams: short ones dropped, a header with junk gets FORMERR.
  EXPECT_FALSE(udp_exchange(port_, {1, 2, 3}, 300ms));
  auto formerr = udp_exchange(port_, {0xAB, 0xCD, 0x01, 0x00, 0, 9, 0, 9, 0, 0, 0, 0, 0xFF});
  ASSERT_TRUE(formerr);
  ASSERT_GE(formerr->size(), 12u);
  EXPECT_EQ((*formerr)[3] & 0x0F, 1);
  for (int i = 0; i < 50; ++i) {
    std::vector<uint8_t> junk(static_cast<size_t>(i * 7 % 600));
    for (size_t j = 0; j < junk.size(); ++j) junk[j] = static_cast<uint8_t>(j * 31 + static_cast<size_t>(i));
    (void)udp_exchange(port_, junk, 10ms);
  }

  asio::io_context cio;
  // A truncated length prefix, then the peer closes: the server drops it.
  {
    asio::ip::tcp::socket s(cio);
    s.connect(ep);
    uint8_t half = 0;
    asio::write(s, asio::buffer(&half, 1));
  }
  // A client that never sends is closed by the idle timeout: read sees EOF.
  {
    asio::ip::tcp::socket s(cio);
    s.connect(ep);
    std::array<uint8_t, 16> buf{};
    boost::system::error_code ec;
    (void)s.read_some(asio::buffer(buf), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
  // More connections than the limit: the extra ones are closed at once.
  {
    std::vector<asio::ip::tcp::socket> held;
    for (int i = 0; i < 3; ++i) {
      held.emplace_back(cio);
      held.back().connect(ep);
    }
    // Let the server accept the three before the fourth.
    while (server->tcp_connections() < 3) std::this_thread::sleep_for(10ms);
    asio::ip::tcp::socket extra(cio);
    extra.connect(ep);
    std::array<uint8_t, 16> buf{};
    boost::system::error_code ec;
    (void)extra.read_some(asio::buffer(buf), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
    EXPECT_GE(counters().tcp_rejected, 1u);
  }
  // A NOTIFY the catalog refuses: REFUSED.
  catalog.refuse_notify(true);
  asio::io_context nio;
  auto fut = asio::co_spawn(nio,
                            send_notify({asio::ip::make_address("127.0.0.1"), port_}, name("example.test."),
                                        5, nullptr, NotifyRetry{2, 500ms}, clock),
                            asio::use_future);
  nio.run();
  auto res = fut.get();
  EXPECT_TRUE(res.answered) << res.error;
  EXPECT_EQ(res.rcode, 5);

  // Still answering, over UDP and TCP.
  EXPECT_NE(dig(port_, "example.test SOA").find("status: NOERROR"), std::string::npos);
  EXPECT_NE(dig(port_, "example.test SOA +tcp").find("status: NOERROR"), std::string::npos);
  EXPECT_GE(counters().formerr, 1u);
}

// ---- real secondaries ----

// A child process in its own temp dir, killed by PID.
class Daemon {
 public:
  ~Daemon() { stop(); }
  bool start(const std::vector<std::string>& argv) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    return pid_ > 0;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

std::filesystem::path temp_dir(const std::string& tag) {
  auto p = std::filesystem::temp_directory_path() / ("signerd-h3-" + tag + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

void write_file(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

// Polls the secondary until its SOA shows `serial`; false after ~30 s.
bool wait_serial(uint16_t port, uint32_t serial) {
  for (int i = 0; i < 300; ++i) {
    auto out =
        run("dig @127.0.0.1 -p " + std::to_string(port) + " +short +tries=1 +time=1 example.test SOA").out;
    if (out.find(" " + std::to_string(serial) + " 3600 600") != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// The zone as `dig AXFR` prints it, sorted, without comments.
std::vector<std::string> axfr_lines(uint16_t port, const std::string& tsig = "") {
  auto out = run("dig " + tsig + " @127.0.0.1 -p " + std::to_string(port) +
                 " +nocmd +nostats +noall +answer example.test AXFR " + "| sort -u")
                 .out;
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < out.size()) {
    size_t nl = out.find('\n', at);
    if (nl == std::string::npos) nl = out.size();
    std::string line = out.substr(at, nl - at);
    if (!line.empty() && line[0] != ';') lines.push_back(line);
    at = nl + 1;
  }
  return lines;
}

NotifyResult notify(uint16_t port, uint32_t serial, const TsigKey* key, const base::Clock& clock) {
  asio::io_context nio;
  auto fut = asio::co_spawn(nio,
                            send_notify({asio::ip::make_address("127.0.0.1"), port}, name("example.test."),
                                        serial, key, NotifyRetry{5, 500ms}, clock),
                            asio::use_future);
  nio.run();
  return fut.get();
}

class SecondaryFixture : public ServerFixture {
 protected:
  // Publishes serial 2 with the diff 1 -> 2 in the journal.
  void publish_v2() {
    v2 = version(zone_text(2, "new A 192.0.2.99\n"));
    auto d = std::make_shared<dns::ZoneDiff>(dns::diff_versions(*v1, *v2));
    catalog.publish(served(v2, {d}));
  }
  std::shared_ptr<const dns::ZoneVersion> v2;
};

TEST_F(SecondaryFixture, BindSecondaryTransfersAndFollowsByIxfr) {
  if (!have("named") || !have("dig")) GTEST_SKIP() << "BIND not installed";
  catalog.require_key(true);
  start(23010);
  const uint16_t named_port = 23011;
  auto dir = temp_dir("named");
  write_file(dir / "named.conf",
             std::string("key \"xfr-key\" { algorithm hmac-sha256; secret \"") + kSecretB64 +
                 "\"; };\n"
                 "options { directory \"" +
                 dir.string() + "\"; listen-on port " + std::to_string(named_port) +
                 " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"named.pid\";"
                 " recursion no; notify no; dnssec-validation no; allow-transfer { any; }; };\n"
                 "controls { };\n"
                 "logging { channel f { file \"named.log\"; severity info; print-time yes; };"
                 " category default { f; }; category xfer-in { f; }; };\n"
                 "zone \"example.test\" { type secondary; file \"example.test.db\";"
                 " primaries { 127.0.0.1 port " +
                 std::to_string(port_) + " key xfr-key; }; allow-notify { 127.0.0.1; }; };\n");
  Daemon named;
  ASSERT_TRUE(named.start({"/usr/sbin/named", "-f", "-u", "root", "-c", (dir / "named.conf").string()}));
  ASSERT_TRUE(wait_serial(named_port, 1)) << run("cat " + (dir / "named.log").string()).out;
  const std::string keyed = "-y hmac-sha256:xfr-key:" + std::string(kSecretB64);
  EXPECT_EQ(axfr_lines(named_port), axfr_lines(port_, keyed));

  publish_v2();
  TsigKey key = test_key();
  auto res = notify(named_port, 2, &key, clock);
  EXPECT_TRUE(res.answered) << res.error;
  EXPECT_EQ(res.rcode, 0);
  ASSERT_TRUE(wait_serial(named_port, 2)) << run("cat " + (dir / "named.log").string()).out;
  // The log line may follow the serial change by a moment.
  std::string log;
  for (int i = 0; i < 50; ++i) {
    log = run("cat " + (dir / "named.log").string()).out;
    if (log.find("(serial 2)") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  // BIND 9.18 does not name the transfer type: the second transfer carried
  // 5 records (SOA 2, SOA 1, SOA 2, the new A, SOA 2), the incremental form,
  // which dig sees from us too.
  EXPECT_NE(log.find("Transfer completed: 1 messages, 5 records"), std::string::npos) << log;
  auto ixfr = dig(port_, "-y hmac-sha256:xfr-key:" + std::string(kSecretB64) + " example.test IXFR=1");
  EXPECT_NE(ixfr.find("XFR size: 5 records"), std::string::npos) << ixfr;
  EXPECT_EQ(axfr_lines(named_port), axfr_lines(port_, keyed));
  EXPECT_GE(counters().ixfr_out, 1u);
  named.stop();
  std::filesystem::remove_all(dir);
}

TEST_F(SecondaryFixture, NsdSecondaryTransfersAndFollowsNotify) {
  if (!have("nsd") || !have("dig")) GTEST_SKIP() << "NSD not installed";
  start(23020);
  const uint16_t nsd_port = 23021;
  auto dir = temp_dir("nsd");
  const std::string d = dir.string();
  write_file(dir / "nsd.conf",
             "server:\n  ip-address: 127.0.0.1@" + std::to_string(nsd_port) +
                 "\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"" + d + "\"\n  database: \"\"\n" +
                 "  pidfile: \"" + d + "/nsd.pid\"\n  xfrdfile: \"" + d + "/xfrd.state\"\n" + "  xfrdir: \"" +
                 d + "\"\n  zonelistfile: \"" + d + "/zone.list\"\n" + "  logfile: \"" + d +
                 "/nsd.log\"\n  verbosity: 2\n" +
                 "remote-control:\n  control-enable: no\n"
                 "zone:\n  name: example.test\n  zonefile: example.test.zone\n"
                 "  request-xfr: 127.0.0.1@" +
                 std::to_string(port_) +
                 " NOKEY\n  allow-notify: 127.0.0.1 NOKEY\n  provide-xfr: 127.0.0.1 NOKEY\n");
  Daemon nsd;
  ASSERT_TRUE(nsd.start({"/usr/sbin/nsd", "-d", "-c", (dir / "nsd.conf").string()}));
  ASSERT_TRUE(wait_serial(nsd_port, 1)) << run("cat " + d + "/nsd.log").out;

  publish_v2();
  auto res = notify(nsd_port, 2, nullptr, clock);
  EXPECT_TRUE(res.answered) << res.error;
  EXPECT_EQ(res.rcode, 0);
  ASSERT_TRUE(wait_serial(nsd_port, 2)) << run("cat " + d + "/nsd.log").out;
  EXPECT_EQ(axfr_lines(nsd_port), axfr_lines(port_));
  auto www = run("dig @127.0.0.1 -p " + std::to_string(nsd_port) + " +short new.example.test A").out;
  EXPECT_NE(www.find("192.0.2.99"), std::string::npos) << www;
  EXPECT_GE(counters().ixfr_out + counters().axfr_out, 2u);
  nsd.stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace signerd::xfr
