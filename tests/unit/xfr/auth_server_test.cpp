// AuthServer and answer_query: the pure answers (AXFR/IXFR forms, TSIG,
// EDNS, hostile bytes), then the real server against dig, and against real
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

constexpr const char* kSecretB64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

dns::Name name(std::string_view text) {
  auto n = dns::Name::from_text(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : dns::Name();
}

std::vector<uint8_t> secret_bytes() {
  std::vector<uint8_t> s;
  for (uint8_t i = 1; i <= 32; ++i) s.push_back(i);
  return s;
}

TsigKey test_key(std::vector<uint8_t> secret = secret_bytes()) {
  return TsigKey(name("xfr-key."), TsigAlgorithm::hmac_sha256, std::move(secret));
}

// A zone with DNSSEC-looking records (the signatures are not checked by
// anyone here): an RRSIG node holding several covered types, as signed
// zones have.
std::string zone_text(uint32_t serial, const std::string& extra = "", int bulk = 0) {
  std::string t = "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) + " 3600 600 86400 300\n";
  t += "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\nwww A 192.0.2.80\n";
  t += "@ DNSKEY 257 3 13 "
       "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n";
  t += "@ CDS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n";
  const std::string sig =
      " 13 2 3600 20300101000000 20200101000000 12345 example.test. "
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n";
  for (const char* type : {"SOA", "NS", "DNSKEY", "CDS", "NSEC"}) t += std::string("@ RRSIG ") + type + sig;
  t += "@ NSEC ns1 NS SOA RRSIG NSEC DNSKEY CDS\n";
  for (int i = 0; i < bulk; ++i) {
    t += "bulk" + std::to_string(i) + " TXT \"" + std::string(200, 'x') + "\"\n";
  }
  return t + extra;
}

std::shared_ptr<const dns::ZoneVersion> version(const std::string& text) {
  dns::ZoneFileOptions o;
  o.origin = name("example.test.");
  auto r = dns::read_zone_text(text, o);
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.zone;
}

// The catalog of a test: one zone, a transfer ACL, a NOTIFY ACL.
class TestCatalog final : public ZoneCatalog {
 public:
  void publish(std::shared_ptr<const ServedZone> z) {
    std::lock_guard lock(mu_);
    zone_ = std::move(z);
  }
  void require_key(bool yes) { require_key_ = yes; }
  void refuse_notify(bool yes) { refuse_notify_ = yes; }
  std::vector<std::optional<uint32_t>> notifies() const {
    std::lock_guard lock(mu_);
    return notifies_;
  }

  std::shared_ptr<const ServedZone> find(dns::NameView zone) const override {
    std::lock_guard lock(mu_);
    if (!zone_ || zone != zone_->signed_version->origin().view()) return nullptr;
    return zone_;
  }
  bool allow_transfer(dns::NameView, const asio::ip::address& from, const TsigKey* key) const override {
    return from.is_loopback() && (!require_key_ || key != nullptr);
  }
  NotifyVerdict on_notify(dns::NameView zone, const asio::ip::address&, const TsigKey*,
                          std::optional<uint32_t> serial) override {
    std::lock_guard lock(mu_);
    if (!zone_ || zone != zone_->signed_version->origin().view()) return NotifyVerdict::not_auth;
    if (refuse_notify_) return NotifyVerdict::refused;
    notifies_.push_back(serial);
    return NotifyVerdict::accepted;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ServedZone> zone_;
  std::atomic<bool> require_key_{false};
  std::atomic<bool> refuse_notify_{false};
  std::vector<std::optional<uint32_t>> notifies_;
};

std::shared_ptr<const ServedZone> served(std::shared_ptr<const dns::ZoneVersion> v,
                                         std::vector<std::shared_ptr<const dns::ZoneDiff>> journal = {}) {
  auto z = std::make_shared<ServedZone>();
  z->signed_version = std::move(v);
  z->journal = std::move(journal);
  return z;
}

struct RequestSpec {
  std::string qname = "example.test.";
  RRType qtype = RRType::SOA;
  uint8_t opcode = 0;
  bool edns = false;
  bool dnssec_ok = false;
  uint8_t edns_version = 0;
  std::optional<uint32_t> ixfr_serial = std::nullopt;    // the authority SOA
  std::optional<uint32_t> notify_serial = std::nullopt;  // the answer SOA
};

std::vector<uint8_t> request(const RequestSpec& s, TsigClient* tsig = nullptr) {
  dns::Header h;
  h.id = 0x1234;
  h.opcode = s.opcode;
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  if (tsig) (void)b.reserve(tsig->tsig_size());
  (void)b.add_question({name(s.qname), s.qtype, dns::RRClass::IN});
  auto soa = [&](uint32_t serial) {
    auto z = version(zone_text(serial));
    auto rd = z->apex().find(RRType::SOA)->rdata(0);
    return dns::Record{name(s.qname), RRType::SOA, dns::RRClass::IN, 3600, dns::Rdata(rd.begin(), rd.end())};
  };
  if (s.notify_serial) (void)b.add_record(dns::Section::answer, soa(*s.notify_serial));
  if (s.ixfr_serial) (void)b.add_record(dns::Section::authority, soa(*s.ixfr_serial));
  if (s.edns) {
    dns::Edns e;
    e.dnssec_ok = s.dnssec_ok;
    e.version = s.edns_version;
    (void)b.set_edns(e);
  }
  auto wire = std::move(b).finish();
  if (tsig) {
    EXPECT_TRUE(tsig->sign_request(wire, base::SystemClock().now()));
  }
  return wire;
}

std::vector<dns::Message> parse_all(const std::vector<std::vector<uint8_t>>& wires) {
  std::vector<dns::Message> out;
  for (const auto& w : wires) {
    auto m = dns::Message::parse(w);
    EXPECT_TRUE(m) << m.error().to_string();
    if (m) out.push_back(std::move(*m));
  }
  return out;
}

// Every answer record of a transfer, in order.
std::vector<dns::Record> records_of(const std::vector<dns::Message>& ms) {
  std::vector<dns::Record> out;
  for (const auto& m : ms) out.insert(out.end(), m.answer.begin(), m.answer.end());
  return out;
}

uint32_t serial_of(const dns::Record& r) { return soa_serial(r.rdata).value_or(0xFFFFFFFF); }

struct PureFixture : ::testing::Test {
  PureFixture() {
    v1 = version(zone_text(1));
    v2 = version(zone_text(2, "new A 192.0.2.99\n"));
    v3 = version(zone_text(3, "newer A 192.0.2.100\n"));
    d12 = std::make_shared<dns::ZoneDiff>(dns::diff_versions(*v1, *v2));
    d23 = std::make_shared<dns::ZoneDiff>(dns::diff_versions(*v2, *v3));
    catalog.publish(served(v3, {d12, d23}));
  }
  std::vector<dns::Message> ask(const RequestSpec& s, Transport t = Transport::udp,
                                TsigClient* tsig = nullptr, std::string peer = "127.0.0.1") {
    auto wire = request(s, tsig);
    QueryRequest q{wire, t, asio::ip::make_address(peer), 1232};
    return parse_all(answer_all(catalog, keyring, q, clock.now()));
  }
  std::shared_ptr<const dns::ZoneVersion> v1, v2, v3;
  std::shared_ptr<const dns::ZoneDiff> d12, d23;
  TestCatalog catalog;
  TsigKeyring keyring{std::vector<TsigKey>{test_key()}};
  base::SystemClock clock;
};

TEST_F(PureFixture, SoaQueryIsAuthoritative) {
  auto ms = ask({});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_TRUE(ms[0].header.aa);
  EXPECT_TRUE(ms[0].header.qr);
  EXPECT_EQ(ms[0].header.id, 0x1234);
  EXPECT_EQ(ms[0].rcode(), 0);
  ASSERT_EQ(ms[0].answer.size(), 1u);
  EXPECT_EQ(serial_of(ms[0].answer[0]), 3u);
  EXPECT_FALSE(ms[0].edns);  // no OPT without one in the query
}

TEST_F(PureFixture, DnskeyWithDoCarriesOnlyItsOwnSignature) {
  auto ms = ask({.qtype = RRType::DNSKEY, .edns = true, .dnssec_ok = true});
  ASSERT_EQ(ms.size(), 1u);
  ASSERT_EQ(ms[0].answer.size(), 2u);
  EXPECT_EQ(ms[0].answer[0].type, RRType::DNSKEY);
  EXPECT_EQ(ms[0].answer[1].type, RRType::RRSIG);
  EXPECT_EQ((ms[0].answer[1].rdata[0] << 8) | ms[0].answer[1].rdata[1], dns::code(RRType::DNSKEY));
  ASSERT_TRUE(ms[0].edns);
  EXPECT_EQ(ms[0].edns->udp_size, 1232);
  // Without DO: no RRSIG.
  ms = ask({.qtype = RRType::DNSKEY, .edns = true});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].answer.size(), 1u);
}

TEST_F(PureFixture, MissingApexTypeIsNoData) {
  auto ms = ask({.qtype = RRType::CDNSKEY});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 0);
  EXPECT_TRUE(ms[0].answer.empty());
  ASSERT_EQ(ms[0].authority.size(), 1u);
  EXPECT_EQ(ms[0].authority[0].type, RRType::SOA);
}

TEST_F(PureFixture, OtherNamesTypesAndZonesAreRefused) {
  for (const RequestSpec& s : {RequestSpec{.qtype = RRType::A}, RequestSpec{.qname = "www.example.test."},
                               RequestSpec{.qname = "other.test."}, RequestSpec{.qtype = RRType::ANY}}) {
    auto ms = ask(s);
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_EQ(ms[0].rcode(), 5) << s.qname;
    EXPECT_FALSE(ms[0].header.aa);
  }
}

TEST_F(PureFixture, UdpAnswerThatDoesNotFitIsTruncated) {
  std::string many;
  for (int i = 0; i < 40; ++i)
    many += "@ NS ns" + std::to_string(i) + ".a-rather-long-name-for-a-server.example.\n";
  catalog.publish(served(version(zone_text(5, many))));
  auto ms = ask({.qtype = RRType::NS});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_TRUE(ms[0].header.tc);
  EXPECT_TRUE(ms[0].answer.empty());
  // EDNS's 1232 octets hold it (names compress), as does TCP.
  ms = ask({.qtype = RRType::NS, .edns = true});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_FALSE(ms[0].header.tc);
  EXPECT_EQ(ms[0].answer.size(), 42u);
  ms = ask({.qtype = RRType::NS}, Transport::tcp);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_FALSE(ms[0].header.tc);
  EXPECT_EQ(ms[0].answer.size(), 42u);
}

TEST_F(PureFixture, EdnsVersionOneIsBadvers) {
  auto ms = ask({.edns = true, .edns_version = 1});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 16);
  ASSERT_TRUE(ms[0].edns);
  EXPECT_EQ(ms[0].edns->version, 0);
}

TEST_F(PureFixture, GarbageIsFormerrOrDropped) {
  const std::vector<uint8_t> short_packet{1, 2, 3};
  const std::vector<uint8_t> bad{0xAB, 0xCD, 0x01, 0x00, 0, 5, 0, 0, 0, 0, 0, 0, 3, 'f'};
  std::vector<uint8_t> response = bad;
  response[2] |= 0x80;  // QR: never answer a response
  auto run = [&](const std::vector<uint8_t>& w) {
    return answer_all(catalog, keyring, {w, Transport::udp, asio::ip::make_address("127.0.0.1"), 1232},
                      clock.now());
  };
  EXPECT_TRUE(run(short_packet).empty());
  EXPECT_TRUE(run(response).empty());
  auto ms = parse_all(run(bad));
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 1);
  EXPECT_EQ(ms[0].header.id, 0xABCD);
  // An unknown opcode: NOTIMP.
  auto ms2 = ask({.opcode = 2});
  ASSERT_EQ(ms2.size(), 1u);
  EXPECT_EQ(ms2[0].rcode(), 4);
}

TEST_F(PureFixture, AxfrOverUdpIsRefusedAndOverTcpIsWholeZone) {
  auto udp = ask({.qtype = RRType::AXFR});
  ASSERT_EQ(udp.size(), 1u);
  EXPECT_EQ(udp[0].rcode(), 5);
  auto tcp = ask({.qtype = RRType::AXFR}, Transport::tcp);
  auto rrs = records_of(tcp);
  ASSERT_GE(rrs.size(), 3u);
  EXPECT_EQ(rrs.front().type, RRType::SOA);
  EXPECT_EQ(rrs.back().type, RRType::SOA);
  EXPECT_EQ(rrs.size(), v3->record_count() + 1);
}

TEST_F(PureFixture, LargeAxfrSpansMessagesEachUnder64k) {
  catalog.publish(served(version(zone_text(7, "", 1000))));
  auto wire = request({.qtype = RRType::AXFR});
  auto wires = answer_all(catalog, keyring, {wire, Transport::tcp, asio::ip::make_address("127.0.0.1"), 1232},
                          clock.now());
  ASSERT_GE(wires.size(), 3u);
  for (const auto& w : wires) EXPECT_LE(w.size(), 65535u);
  auto ms = parse_all(wires);
  EXPECT_EQ(ms[0].questions.size(), 1u);
  auto rrs = records_of(ms);
  EXPECT_EQ(rrs.size(), 1000u + 14u + 1u);
  EXPECT_EQ(rrs.front().type, RRType::SOA);
  EXPECT_EQ(rrs.back().type, RRType::SOA);
}

std::vector<uint32_t> soa_serials(const std::vector<dns::Record>& rrs) {
  std::vector<uint32_t> out;
  for (const auto& r : rrs) {
    if (r.type == RRType::SOA) out.push_back(serial_of(r));
  }
  return out;
}

bool mentions(const std::vector<dns::Record>& rrs, const char* owner) {
  for (const auto& r : rrs) {
    if (r.owner == name(owner)) return true;
  }
  return false;
}

TEST_F(PureFixture, IxfrFromJournalIsIncrementalAndCondensed) {
  // From 1: both diffs as one; "new" came and went, so it is not sent.
  auto rrs = records_of(ask({.qtype = RRType::IXFR, .ixfr_serial = 1}, Transport::tcp));
  EXPECT_EQ(soa_serials(rrs), (std::vector<uint32_t>{3, 1, 3, 3}));
  EXPECT_TRUE(mentions(rrs, "newer.example.test."));
  EXPECT_FALSE(mentions(rrs, "new.example.test."));
  // From 2: only the last diff, which removes "new".
  rrs = records_of(ask({.qtype = RRType::IXFR, .ixfr_serial = 2}, Transport::tcp));
  EXPECT_EQ(soa_serials(rrs), (std::vector<uint32_t>{3, 2, 3, 3}));
  EXPECT_TRUE(mentions(rrs, "new.example.test."));
}

TEST_F(PureFixture, CondensedDiffTurnsTheOldVersionIntoTheNew) {
  std::vector<std::shared_ptr<const dns::ZoneDiff>> chain{d12, d23};
  auto condensed = condense_diffs(chain);
  EXPECT_EQ(condensed.from, 1u);
  EXPECT_EQ(condensed.to, 3u);
  auto applied = dns::apply_diff(*v1, condensed);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(dns::diff_versions(**applied, *v3).empty());
}

TEST_F(PureFixture, IxfrOtherwise) {
  // Up to date (or newer): one SOA.
  auto rrs = records_of(ask({.qtype = RRType::IXFR, .ixfr_serial = 3}, Transport::tcp));
  ASSERT_EQ(rrs.size(), 1u);
  EXPECT_EQ(serial_of(rrs[0]), 3u);
  // Not in the journal: AXFR form.
  rrs = records_of(ask({.qtype = RRType::IXFR, .ixfr_serial = 0}, Transport::tcp));
  EXPECT_EQ(rrs.size(), v3->record_count() + 1);
  EXPECT_EQ(rrs[1].type, RRType::NS);
  // Over UDP: the current SOA only (RFC 1995 section 2).
  rrs = records_of(ask({.qtype = RRType::IXFR, .ixfr_serial = 1}));
  ASSERT_EQ(rrs.size(), 1u);
  // No authority SOA: FORMERR.
  auto ms = ask({.qtype = RRType::IXFR}, Transport::tcp);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 1);
}

TEST_F(PureFixture, TransferAclIsAskedWithPeer) {
  auto ms = ask({.qtype = RRType::AXFR}, Transport::tcp, nullptr, "192.0.2.7");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 5);
}

TEST_F(PureFixture, TsigSignedAxfrVerifiesOnEveryMessage) {
  catalog.require_key(true);
  catalog.publish(served(version(zone_text(7, "", 1000))));
  TsigKey key = test_key();
  TsigClient client(key);
  auto wire = request({.qtype = RRType::AXFR}, &client);
  auto wires = answer_all(catalog, keyring, {wire, Transport::tcp, asio::ip::make_address("127.0.0.1"), 1232},
                          clock.now());
  ASSERT_GE(wires.size(), 3u);
  for (const auto& w : wires) {
    auto m = dns::Message::parse(w);
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->tsig);
    auto v = client.verify_response(*m, w, clock.now());
    EXPECT_TRUE(v) << v.error().to_string();
  }
  // Unsigned while the ACL wants a key: REFUSED.
  auto ms = ask({.qtype = RRType::AXFR}, Transport::tcp);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 5);
}

TEST_F(PureFixture, WrongSecretIsNotauthBadsig) {
  TsigKey wrong = test_key(std::vector<uint8_t>(32, 0x55));
  TsigClient client(wrong);
  auto ms = ask({.qtype = RRType::AXFR}, Transport::tcp, &client);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 9);
  ASSERT_TRUE(ms[0].tsig);
  // TSIG RDATA ends with Error (2), Other Len (2), Other Data.
  const auto& rd = ms[0].tsig->rdata;
  ASSERT_GE(rd.size(), 4u);
  EXPECT_EQ((rd[rd.size() - 4] << 8) | rd[rd.size() - 3], 16);  // BADSIG
  // An unknown key: BADKEY.
  TsigKey other(name("nobody."), TsigAlgorithm::hmac_sha256, secret_bytes());
  TsigClient c2(other);
  ms = ask({}, Transport::udp, &c2);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 9);
}

TEST_F(PureFixture, NotifyIsAnsweredAndPassedOn) {
  auto ms = ask({.opcode = 4, .notify_serial = 9});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 0);
  EXPECT_EQ(ms[0].header.opcode, 4);
  EXPECT_TRUE(ms[0].header.aa);
  ASSERT_EQ(ms[0].questions.size(), 1u);
  ASSERT_EQ(catalog.notifies().size(), 1u);
  EXPECT_EQ(catalog.notifies()[0], 9u);
  catalog.refuse_notify(true);
  ms = ask({.opcode = 4});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 5);
  ms = ask({.qname = "other.test.", .opcode = 4});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].rcode(), 9);
}

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
