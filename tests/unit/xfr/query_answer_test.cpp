// answer_query, the pure half of the authoritative side: SOA and apex
// answers, EDNS, truncation, hostile bytes, AXFR and IXFR forms, the
// transfer ACL, TSIG on every message, NOTIFY.
#include "xfr/query_answer.hpp"

#include <gtest/gtest.h>

#include "auth_test_util.hpp"

namespace signerd::xfr {
namespace {

using namespace auth_test;

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

}  // namespace
}  // namespace signerd::xfr
