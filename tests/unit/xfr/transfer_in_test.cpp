// transfer_in and query_soa_serial: against a real BIND named (AXFR of a
// multi-message zone, IXFR after a reload, up to date, TSIG), and against a
// small scripted TCP server for the hostile cases.
#include "xfr/transfer_in.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dns/message_builder.hpp"
#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_diff_merge.hpp"
#include "dns/zone_file.hpp"
#include "xfr/soa_query.hpp"
#include "xfr/tcp_message.hpp"

namespace signerd::xfr {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr uint16_t kNamedPort = 22001;
constexpr uint16_t kRndcPort = 22002;
constexpr uint16_t kFakePort = 22010;

dns::Name name(std::string_view text) { return *dns::Name::from_text(text); }

// Runs one coroutine (and whatever else was spawned on `ioc`) to the end.
template <class T>
T run(asio::io_context& ioc, std::function<asio::awaitable<T>()> make) {
  std::optional<T> out;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { out.emplace(co_await make()); }, asio::detached);
  ioc.run();
  ioc.restart();
  return std::move(*out);
}

base::SystemClock system_clock;

// ---------------------------------------------------------------------------
// A scripted primary: for each connection, reads the query and sends what
// the script returns (already framed), then closes or hangs until the
// client goes away.

struct Reply {
  std::vector<std::vector<uint8_t>> frames;
  bool hang = false;
};
using Script = std::function<Reply(const dns::Message& query)>;

std::vector<uint8_t> frame(std::vector<uint8_t> msg) {
  std::vector<uint8_t> out{static_cast<uint8_t>(msg.size() >> 8), static_cast<uint8_t>(msg.size())};
  out.insert(out.end(), msg.begin(), msg.end());
  return out;
}

struct AnswerSpec {
  std::optional<uint16_t> id;  // default: the query's
  uint8_t rcode = 0;
  bool with_question = true;
};

AnswerSpec with_id(uint16_t id) {
  AnswerSpec s;
  s.id = id;
  return s;
}
AnswerSpec with_rcode(uint8_t rcode) {
  AnswerSpec s;
  s.rcode = rcode;
  return s;
}
AnswerSpec without_question() {
  AnswerSpec s;
  s.with_question = false;
  return s;
}

std::vector<uint8_t> answer(const dns::Message& q, const std::vector<dns::Record>& records,
                            AnswerSpec spec = {}) {
  dns::Header h;
  h.id = spec.id.value_or(q.header.id);
  h.qr = true;
  h.aa = true;
  h.rcode = spec.rcode;
  dns::MessageBuilder b(h, 65535);
  if (spec.with_question && !q.questions.empty()) b.add_question(q.questions.front());
  for (const auto& r : records) EXPECT_EQ(b.add_record(dns::Section::answer, r), dns::AddResult::added);
  return frame(std::move(b).finish());
}

dns::Rdata soa_rdata(uint32_t serial) {
  dns::Rdata out;
  for (auto n : {name("ns.example."), name("admin.example.")})
    out.insert(out.end(), n.wire().begin(), n.wire().end());
  for (uint32_t v : {serial, 3600u, 600u, 86400u, 300u}) dns::put_u32(out, v);
  return out;
}

dns::Record soa(uint32_t serial) {
  return {name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600, soa_rdata(serial)};
}
dns::Record ns() {
  auto n = name("ns.example.");
  return {name("example."), dns::RRType::NS, dns::RRClass::IN, 3600,
          dns::Rdata(n.wire().begin(), n.wire().end())};
}
dns::Record a(std::string_view owner, uint8_t last) {
  return {name(owner), dns::RRType::A, dns::RRClass::IN, 300, dns::Rdata{192, 0, 2, last}};
}

asio::awaitable<void> serve(asio::ip::tcp::acceptor& acceptor, Script script, int connections) {
  for (int i = 0; i < connections; ++i) {
    asio::ip::tcp::socket s(acceptor.get_executor());
    boost::system::error_code ec;
    co_await acceptor.async_accept(s, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto wire = co_await read_tcp_message(s, std::chrono::steady_clock::now() + 10s);
    if (!wire) co_return;
    auto q = dns::Message::parse(*wire);
    if (!q) co_return;
    Reply reply = script(*q);
    for (const auto& f : reply.frames) {
      co_await asio::async_write(s, asio::buffer(f), asio::redirect_error(asio::use_awaitable, ec));
    }
    if (reply.hang) {
      std::array<uint8_t, 512> sink{};
      while (!ec)
        co_await s.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

Result<TransferResult> transfer_from_script(Script script, const TransferLimits& limits = {},
                                            const std::optional<dns::RRset>& current = std::nullopt,
                                            int connections = 1) {
  asio::io_context ioc;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), kFakePort);
  asio::ip::tcp::acceptor acceptor(ioc);
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen();
  asio::co_spawn(ioc, serve(acceptor, std::move(script), connections), asio::detached);
  dns::Name zone = name("example.");
  return run<Result<TransferResult>>(
      ioc, [&]() { return transfer_in(ep, zone, current, nullptr, limits, system_clock); });
}

void expect_error(const Result<TransferResult>& r, base::Errc code, std::string_view words) {
  ASSERT_FALSE(r) << "expected an error containing '" << words << "'";
  EXPECT_EQ(r.error().code, code) << r.error().to_string();
  EXPECT_NE(r.error().detail.find(words), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("zone example."), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("127.0.0.1#" + std::to_string(kFakePort)), std::string::npos)
      << r.error().detail;
}

TEST(TransferInFake, AxfrInTwoMessagesSucceeds) {
  auto r = transfer_from_script([](const dns::Message& q) {
    EXPECT_EQ(q.questions.at(0).qtype, dns::RRType::AXFR);
    return Reply{{answer(q, {soa(5), ns()}), answer(q, {a("www.example.", 1), soa(5)}, without_question())}};
  });
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->kind, TransferResult::Kind::axfr);
  EXPECT_EQ(r->messages, 2u);
  EXPECT_EQ(r->records, 4u);
  EXPECT_EQ(r->full->record_count(), 3u);
}

TEST(TransferInFake, GarbageBytesAreMalformed) {
  auto r = transfer_from_script([](const dns::Message&) {
    return Reply{{frame({0xde, 0xad, 0xbe, 0xef, 0x01})}};
  });
  expect_error(r, base::Errc::malformed, "message 1");
}

TEST(TransferInFake, StreamWithoutClosingSoaThatClosesEarlyIsAnIoError) {
  auto r = transfer_from_script([](const dns::Message& q) { return Reply{{answer(q, {soa(5), ns()})}}; });
  expect_error(r, base::Errc::io, "connection closed");
}

TEST(TransferInFake, OutOfZoneRecordIsRejected) {
  auto r = transfer_from_script([](const dns::Message& q) {
    return Reply{{answer(q, {soa(5), ns(), a("www.example.com.", 1), soa(5)})}};
  });
  expect_error(r, base::Errc::malformed, "outside the zone");
}

TEST(TransferInFake, WrongIdIsRejected) {
  auto r = transfer_from_script([](const dns::Message& q) {
    return Reply{{answer(q, {soa(5), ns(), soa(5)}, with_id(static_cast<uint16_t>(q.header.id + 1)))}};
  });
  expect_error(r, base::Errc::malformed, "does not match query ID");
}

TEST(TransferInFake, IdChangeMidStreamIsRejected) {
  auto r = transfer_from_script([](const dns::Message& q) {
    return Reply{{answer(q, {soa(5), ns()}),
                  answer(q, {soa(5)}, with_id(static_cast<uint16_t>(q.header.id ^ 0x100)))}};
  });
  expect_error(r, base::Errc::malformed, "ID changed mid-stream");
}

TEST(TransferInFake, ServfailIsRejected) {
  auto r = transfer_from_script([](const dns::Message& q) { return Reply{{answer(q, {}, with_rcode(2))}}; });
  expect_error(r, base::Errc::malformed, "RCODE SERVFAIL");
}

TEST(TransferInFake, SilentServerHitsTheIdleTimeout) {
  TransferLimits limits;
  limits.idle_timeout = 1s;
  auto r = transfer_from_script([](const dns::Message&) { return Reply{{}, true}; }, limits);
  expect_error(r, base::Errc::io, "idle timeout");
}

TEST(TransferInFake, MoreRecordsThanTheLimitAreRejected) {
  TransferLimits limits;
  limits.max_records = 3;
  auto r = transfer_from_script(
      [](const dns::Message& q) {
        return Reply{{answer(q, {soa(5), ns(), a("a.example.", 1), soa(5)})}};
      },
      limits);
  expect_error(r, base::Errc::out_of_range, "more than 3 records");
}

TEST(TransferInFake, MoreBytesThanTheLimitAreRejected) {
  TransferLimits limits;
  limits.max_bytes = 100;
  auto r = transfer_from_script(
      [](const dns::Message& q) {
        return Reply{{answer(q, {soa(5), ns(), a("a.example.", 1), soa(5)})}};
      },
      limits);
  expect_error(r, base::Errc::out_of_range, "more than 100 octets");
}

TEST(TransferInFake, RefusedIxfrFallsBackToAxfr) {
  dns::RRset current(name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600);
  current.add(soa_rdata(4));
  int ixfr_queries = 0;
  auto r = transfer_from_script(
      [&](const dns::Message& q) {
        if (q.questions.at(0).qtype == dns::RRType::IXFR) {
          ++ixfr_queries;
          EXPECT_EQ(q.authority.size(), 1u);
          return Reply{{answer(q, {}, with_rcode(5))}};
        }
        return Reply{{answer(q, {soa(5), ns(), soa(5)})}};
      },
      {}, current, 2);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(ixfr_queries, 1);
  EXPECT_EQ(r->kind, TransferResult::Kind::axfr);
  EXPECT_EQ(r->serial, 5u);
}

TEST(TransferInFake, ServfailToIxfrIsNotRetried) {
  dns::RRset current(name("example."), dns::RRType::SOA, dns::RRClass::IN, 3600);
  current.add(soa_rdata(4));
  auto r = transfer_from_script([](const dns::Message& q) { return Reply{{answer(q, {}, with_rcode(2))}}; },
                                {}, current, 1);
  expect_error(r, base::Errc::malformed, "IXFR from 127.0.0.1");
}

TEST(TransferInFake, ConnectionRefusedIsAnIoError) {
  asio::io_context ioc;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), kFakePort + 1);
  dns::Name zone = name("example.");
  auto r = run<Result<TransferResult>>(
      ioc, [&]() { return transfer_in(ep, zone, std::nullopt, nullptr, TransferLimits{}, system_clock); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::io);
  EXPECT_NE(r.error().detail.find("connecting"), std::string::npos) << r.error().detail;
}

TEST(TransferInFake, SlowTrickleHitsTheTotalTimeout) {
  TransferLimits limits;
  limits.total_timeout = 1s;
  auto r = transfer_from_script(
      [](const dns::Message& q) {
        return Reply{{answer(q, {soa(5), ns()})}, true};
      },
      limits);
  expect_error(r, base::Errc::io, "total timeout");
}

// SOA queries against a scripted UDP (and TCP) primary.
using UdpScript = std::function<std::vector<uint8_t>(const dns::Message& query)>;

asio::awaitable<void> serve_udp(asio::ip::udp::socket& socket, UdpScript script) {
  std::vector<uint8_t> buf(65535);
  asio::ip::udp::endpoint from;
  boost::system::error_code ec;
  size_t n = co_await socket.async_receive_from(asio::buffer(buf), from,
                                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  auto q = dns::Message::parse(std::span<const uint8_t>(buf.data(), n));
  if (!q) co_return;
  auto reply = script(*q);
  if (reply.empty()) co_return;  // silence
  co_await socket.async_send_to(asio::buffer(reply), from, asio::redirect_error(asio::use_awaitable, ec));
}

std::vector<uint8_t> unframed(std::vector<uint8_t> framed) { return {framed.begin() + 2, framed.end()}; }

Result<uint32_t> soa_from_script(UdpScript udp, std::optional<Script> tcp = std::nullopt) {
  asio::io_context ioc;
  asio::ip::udp::endpoint ep(asio::ip::make_address("127.0.0.1"), kFakePort);
  asio::ip::udp::socket socket(ioc, ep);
  asio::ip::tcp::acceptor acceptor(ioc);
  if (tcp) {
    asio::ip::tcp::endpoint tep(ep.address(), kFakePort);
    acceptor.open(tep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(tep);
    acceptor.listen();
    asio::co_spawn(ioc, serve(acceptor, std::move(*tcp), 1), asio::detached);
  }
  asio::co_spawn(ioc, serve_udp(socket, std::move(udp)), asio::detached);
  dns::Name zone = name("example.");
  return run<Result<uint32_t>>(ioc,
                               [&]() { return query_soa_serial(ep, zone, nullptr, 1000ms, system_clock); });
}

TEST(SoaQueryFake, TruncatedUdpAnswerIsRetriedOverTcp) {
  int tcp_queries = 0;
  auto s = soa_from_script(
      [](const dns::Message& q) {
        dns::Header h;
        h.id = q.header.id;
        h.qr = true;
        h.aa = true;
        h.tc = true;
        dns::MessageBuilder b(h, 512);
        b.add_question(q.questions.at(0));
        return std::move(b).finish();
      },
      Script([&](const dns::Message& q) {
        ++tcp_queries;
        return Reply{{answer(q, {soa(77)})}};
      }));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(*s, 77u);
  EXPECT_EQ(tcp_queries, 1);
}

TEST(SoaQueryFake, HostileAnswersAreRejected) {
  struct Case {
    const char* what;
    UdpScript script;
    const char* expect;
  };
  std::vector<Case> cases{
      {"wrong ID",
       [](const dns::Message& q) {
         return unframed(answer(q, {soa(1)}, with_id(static_cast<uint16_t>(q.header.id + 1))));
       },
       "does not match query ID"},
      {"SERVFAIL", [](const dns::Message& q) { return unframed(answer(q, {}, with_rcode(2))); },
       "RCODE SERVFAIL"},
      {"no SOA", [](const dns::Message& q) { return unframed(answer(q, {ns()})); }, "no SOA"},
      {"SOA of another owner",
       [](const dns::Message& q) {
         auto r = soa(1);
         r.owner = name("sub.example.");
         return unframed(answer(q, {r}));
       },
       "is not the zone"},
      {"garbage",
       [](const dns::Message&) {
         return std::vector<uint8_t>{1, 2, 3};
       },
       "SOA query (UDP)"},
      {"silence", [](const dns::Message&) { return std::vector<uint8_t>{}; }, "timed out"},
  };
  for (auto& c : cases) {
    auto s = soa_from_script(c.script);
    ASSERT_FALSE(s) << c.what;
    EXPECT_NE(s.error().detail.find(c.expect), std::string::npos) << c.what << ": " << s.error().detail;
    EXPECT_NE(s.error().detail.find("zone example."), std::string::npos) << s.error().detail;
  }
}

// ---------------------------------------------------------------------------
// BIND 9 as the primary.

const char* kTsigSecret = "c2lnbmVyZC10ZXN0LXRzaWcta2V5LXNlY3JldC0zMg==";
const char* kRndcSecret = "cm5kYy10ZXN0LXNlY3JldC1mb3Itc2lnbmVyZC1oMg==";

class BindPrimary : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v named >/dev/null 2>&1") != 0) GTEST_SKIP() << "named not installed";
    char tmpl[] = "/tmp/signerd-xfr-bind-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    zone_file_ = dir_ / "example.test.db";
    write_zone(1, 0);
    std::ofstream conf(dir_ / "named.conf");
    conf << "options { directory \"" << dir_.string() << "\"; listen-on port " << kNamedPort
         << " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"named.pid\"; recursion no;"
            " dnssec-validation no; allow-transfer { any; }; ixfr-from-differences yes; notify no; };\n"
         << "key \"rndc-key\" { algorithm hmac-sha256; secret \"" << kRndcSecret << "\"; };\n"
         << "key \"xfr-key\" { algorithm hmac-sha256; secret \"" << kTsigSecret << "\"; };\n"
         << "controls { inet 127.0.0.1 port " << kRndcPort
         << " allow { 127.0.0.1; } keys { \"rndc-key\"; }; };\n"
         << "zone \"example.test\" { type primary; file \"" << zone_file_.string() << "\"; };\n";
    conf.close();
    std::ofstream rndc(dir_ / "rndc.conf");
    rndc << "key \"rndc-key\" { algorithm hmac-sha256; secret \"" << kRndcSecret << "\"; };\n"
         << "options { default-key \"rndc-key\"; default-server 127.0.0.1; default-port " << kRndcPort
         << "; };\n";
    rndc.close();
    start_named();
    ASSERT_TRUE(wait_for_serial(1)) << "named did not serve the zone; see " << (dir_ / "named.log");
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  void start_named() {
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      std::string log = (dir_ / "named.log").string();
      FILE* f = freopen(log.c_str(), "w", stderr);
      (void)f;
      std::string conf = (dir_ / "named.conf").string();
      execlp("named", "named", "-g", "-c", conf.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }

  // Serial `serial`; `variant` changes a few records.
  void write_zone(uint32_t serial, int variant) {
    std::ofstream z(zone_file_);
    z << "$ORIGIN example.test.\n$TTL 3600\n"
      << "@ SOA ns1 hostmaster " << serial << " 3600 600 86400 300\n"
      << "@ NS ns1\nns1 A 192.0.2.53\n"
      << "@ DNSKEY 257 3 13 "
         "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
      << "sub NS ns.sub\nns.sub A 192.0.2.54\n"
      << "sub DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n";
    for (int i = 0; i < 3000; ++i) {
      if (variant == 1 && (i == 10 || i == 2000)) continue;  // removed
      z << "h" << i << " A 10." << (i >> 8) % 256 << "." << i % 256 << ".1\n";
      z << "h" << i << " TXT \"host number " << i << " with some padding text to fill messages\"\n";
    }
    if (variant == 1) {
      z << "new1 A 10.99.0.1\nnew2 AAAA 2001:db8::2\nh5 TXT \"changed\"\n";
      z << "ttl 60 A 10.98.0.1\n";
    } else {
      z << "ttl 120 A 10.98.0.1\n";
    }
    z.close();
    // BIND reloads a file only when its mtime moved on.
    fs::last_write_time(zone_file_,
                        fs::file_time_type::clock::now() + std::chrono::seconds(10 * (serial + 1)));
  }

  dns::ZoneFileResult read_file() {
    dns::ZoneFileOptions opts;
    opts.origin = name("example.test.");
    return dns::read_zone_file(zone_file_.string(), opts);
  }

  // The zone file's content without the types the signer owns.
  std::shared_ptr<const dns::ZoneVersion> expected_zone() {
    auto file = read_file();
    EXPECT_TRUE(file.zone) << (file.errors.empty() ? "" : file.errors[0].to_string());
    if (!file.zone) return nullptr;
    dns::ZoneBuilder b(name("example.test."));
    file.zone->for_each_rrset([&](const dns::NodeView& node, const dns::RRsetView& set) {
      if (dns::is_signer_owned_type(set.type())) return;
      EXPECT_TRUE(b.add(set.to_rrset(node.owner(), dns::RRClass::IN)));
    });
    auto z = std::move(b).finish();
    EXPECT_TRUE(z);
    return z ? *z : nullptr;
  }

  Result<uint32_t> soa_serial_now(const TsigKey* key = nullptr) {
    asio::io_context ioc;
    asio::ip::udp::endpoint ep(asio::ip::make_address("127.0.0.1"), kNamedPort);
    dns::Name zone = name("example.test.");
    return run<Result<uint32_t>>(ioc, [&]() { return query_soa_serial(ep, zone, key, 500ms, system_clock); });
  }

  bool wait_for_serial(uint32_t serial) {
    for (int i = 0; i < 100; ++i) {
      auto s = soa_serial_now();
      if (s && *s == serial) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  Result<TransferResult> transfer(const std::optional<dns::RRset>& current, const TsigKey* key = nullptr) {
    asio::io_context ioc;
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), kNamedPort);
    dns::Name zone = name("example.test.");
    return run<Result<TransferResult>>(
        ioc, [&]() { return transfer_in(ep, zone, current, key, TransferLimits{}, system_clock); });
  }

  static TsigKey tsig_key(std::string_view secret_b64) {
    fs::path p = fs::temp_directory_path() / "signerd-h2-tsig.b64";
    {
      std::ofstream f(p);
      f << secret_b64 << "\n";
    }
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    auto k = load_tsig_key(name("xfr-key."), "hmac-sha256", p);
    fs::remove(p);
    EXPECT_TRUE(k) << k.error().to_string();
    return std::move(*k);
  }

  fs::path dir_;
  fs::path zone_file_;
  pid_t pid_ = -1;
};

TEST_F(BindPrimary, AxfrOfAMultiMessageZoneEqualsTheFileWithoutDnssec) {
  auto r = transfer(std::nullopt);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->kind, TransferResult::Kind::axfr);
  EXPECT_EQ(r->serial, 1u);
  EXPECT_GT(r->messages, 3u);
  EXPECT_EQ(r->dropped_dnssec, 1u);  // the DNSKEY; DS is data
  auto expected = expected_zone();
  ASSERT_TRUE(expected);
  EXPECT_TRUE(dns::diff_versions(*expected, *r->full).empty());
  EXPECT_EQ(r->full->record_count(), expected->record_count());
  EXPECT_TRUE(r->full->find(name("sub.example.test."), dns::RRType::DS));
}

TEST_F(BindPrimary, SoaQueryGivesTheSerial) {
  auto s = soa_serial_now();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(*s, 1u);
}

TEST_F(BindPrimary, IxfrAfterReloadTurnsTheOldVersionIntoTheNew) {
  auto v1 = transfer(std::nullopt);
  ASSERT_TRUE(v1) << v1.error().to_string();
  auto soa1 = v1->full->apex().find(dns::RRType::SOA)->to_rrset(name("example.test."), dns::RRClass::IN);

  auto same = transfer(soa1);
  ASSERT_TRUE(same) << same.error().to_string();
  EXPECT_EQ(same->kind, TransferResult::Kind::up_to_date);
  EXPECT_EQ(same->serial, 1u);

  write_zone(2, 1);
  std::string rndc = "rndc -c " + (dir_ / "rndc.conf").string() + " reload example.test >/dev/null 2>&1";
  ASSERT_EQ(std::system(rndc.c_str()), 0);
  ASSERT_TRUE(wait_for_serial(2));

  auto r = transfer(soa1);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->kind, TransferResult::Kind::ixfr);
  EXPECT_EQ(r->serial, 2u);
  ASSERT_FALSE(r->diffs.empty());
  std::shared_ptr<const dns::ZoneVersion> cur = v1->full;
  for (const auto& d : r->diffs) {
    auto next = dns::apply_diff(*cur, d);
    ASSERT_TRUE(next) << next.error().to_string();
    cur = *next;
  }
  auto expected = expected_zone();
  ASSERT_TRUE(expected);
  EXPECT_TRUE(dns::diff_versions(*expected, *cur).empty());
  auto merged = dns::apply_diff(*v1->full, dns::merge_diffs(r->diffs));
  ASSERT_TRUE(merged) << merged.error().to_string();
  EXPECT_TRUE(dns::diff_versions(*expected, **merged).empty());

  auto soa2 = cur->apex().find(dns::RRType::SOA)->to_rrset(name("example.test."), dns::RRClass::IN);
  auto now_same = transfer(soa2);
  ASSERT_TRUE(now_same) << now_same.error().to_string();
  EXPECT_EQ(now_same->kind, TransferResult::Kind::up_to_date);
}

TEST_F(BindPrimary, TsigSignedAxfrAndSoaQuerySucceedAndAWrongSecretFails) {
  TsigKey good = tsig_key(kTsigSecret);
  auto r = transfer(std::nullopt, &good);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->serial, 1u);
  auto s = soa_serial_now(&good);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(*s, 1u);

  TsigKey bad = tsig_key("d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw==");
  auto r2 = transfer(std::nullopt, &bad);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().detail.find("zone example.test."), std::string::npos) << r2.error().detail;
  EXPECT_NE(r2.error().detail.find("TSIG"), std::string::npos) << r2.error().detail;
  auto s2 = soa_serial_now(&bad);
  ASSERT_FALSE(s2);
  EXPECT_NE(s2.error().detail.find("TSIG"), std::string::npos) << s2.error().detail;
}

}  // namespace
}  // namespace signerd::xfr
