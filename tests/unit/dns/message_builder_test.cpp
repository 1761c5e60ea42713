// MessageBuilder: round trips through Message::parse, compression, size
// limits, EDNS and the room held back for TSIG.
#include "dns/message_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

Name name(std::string_view text) { return *Name::from_text(text); }

Rdata cat(std::initializer_list<std::vector<uint8_t>> parts) {
  Rdata out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> wire_of(std::string_view text) {
  auto n = name(text);
  return {n.wire().begin(), n.wire().end()};
}
std::vector<uint8_t> u16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
std::vector<uint8_t> u32(uint32_t v) {
  return cat({u16(static_cast<uint16_t>(v >> 16)), u16(static_cast<uint16_t>(v))});
}

Record rr(std::string_view owner, RRType type, Rdata rdata, uint32_t ttl = 3600) {
  return {name(owner), type, RRClass::IN, ttl, std::move(rdata)};
}

Record tsig_record() {
  Rdata rd = cat({wire_of("hmac-sha256."),
                  {0, 0, 0x65, 0, 0, 0},
                  u16(300),
                  u16(16),
                  std::vector<uint8_t>(16, 0xAB),
                  u16(0x1234),
                  u16(0),
                  u16(0)});
  return {name("xfr-key."), RRType::TSIG, RRClass::ANY, 0, std::move(rd)};
}

Header response_header() {
  Header h;
  h.id = 0x4242;
  h.qr = true;
  h.aa = true;
  return h;
}

// Builds `m` (no TSIG) with a TCP-sized builder.
std::vector<uint8_t> build(const Message& m) {
  MessageBuilder b(m.header, kMaxTcpMessage);
  if (m.edns) {
    EXPECT_EQ(b.set_edns(*m.edns), AddResult::added);
  }
  for (const auto& q : m.questions) EXPECT_EQ(b.add_question(q), AddResult::added);
  for (Section s : {Section::answer, Section::authority, Section::additional}) {
    for (const auto& r : m.section(s)) EXPECT_EQ(b.add_record(s, r), AddResult::added);
  }
  return std::move(b).finish();
}

size_t uncompressed_size(const Message& m) {
  size_t n = kHeaderSize;
  for (const auto& q : m.questions) n += q.qname.wire_size() + 4;
  for (Section s : {Section::answer, Section::authority, Section::additional}) {
    for (const auto& r : m.section(s)) n += r.owner.wire_size() + 10 + r.rdata.size();
  }
  return n;
}

Message example_response() {
  Message m;
  m.header = response_header();
  m.questions.push_back({name("example.com."), RRType::SOA, RRClass::IN});
  m.answer.push_back(rr("example.com.", RRType::SOA,
                        cat({wire_of("ns1.example.com."), wire_of("hostmaster.example.com."), u32(2024010101),
                             u32(7200), u32(3600), u32(1209600), u32(300)})));
  m.answer.push_back(rr("example.com.", RRType::RRSIG,
                        cat({u16(6),
                             {13, 2},
                             u32(3600),
                             u32(1700000000),
                             u32(1690000000),
                             u16(12345),
                             wire_of("example.com."),
                             std::vector<uint8_t>(64, 0x11)})));
  m.authority.push_back(rr("example.com.", RRType::NS, wire_of("ns1.example.com.")));
  m.authority.push_back(rr("example.com.", RRType::NS, wire_of("ns2.example.net.")));
  m.additional.push_back(rr("ns1.example.com.", RRType::A, {192, 0, 2, 53}));
  m.additional.push_back(rr("example.com.", RRType::MX, cat({u16(10), wire_of("mail.example.com.")})));
  m.additional.push_back(rr("_sip._udp.example.com.", RRType::SRV,
                            cat({u16(1), u16(2), u16(5060), wire_of("sip.example.com.")})));
  m.additional.push_back(rr("example.com.", RRType::TXT, {5, 'h', 'e', 'l', 'l', 'o'}));
  m.additional.push_back(rr("example.com.", static_cast<RRType>(65280), {1, 2, 3}));
  m.edns = Edns{.udp_size = 1232,
                .extended_rcode = 0,
                .version = 0,
                .dnssec_ok = true,
                .options = {{10, {1, 2, 3, 4, 5, 6, 7, 8}}, {12, {}}}};
  return m;
}

TEST(MessageBuild, BuildThenParseGivesEqualMessage) {
  const Message m = example_response();
  const auto wire = build(m);
  auto parsed = Message::parse(wire);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(*parsed, m);
}

TEST(MessageBuild, CompressionReducesSize) {
  const Message m = example_response();
  const auto wire = build(m);
  const size_t opt = 11 + 4 + 8 + 4;
  EXPECT_LT(wire.size() + 150, uncompressed_size(m) + opt) << "compression saved less than 150 octets";
  // The first answer owner is a pointer to the question name (RFC 1035 4.1.4).
  const size_t first_answer = kHeaderSize + wire_of("example.com.").size() + 4;
  EXPECT_EQ(get_u16(&wire[first_answer]), 0xC00C);
}

// RFC 3597 section 4: only the RFC 1035 types may have RDATA names compressed.
TEST(MessageBuild, CompressesRdataNamesOnlyForRfc1035Types) {
  Message m;
  m.questions.push_back({name("example.com."), RRType::ANY, RRClass::IN});
  m.answer.push_back(rr("example.com.", RRType::MX, cat({u16(10), wire_of("example.com.")})));
  m.answer.push_back(
      rr("_x._tcp.example.com.", RRType::SRV, cat({u16(1), u16(2), u16(3), wire_of("example.com.")})));
  const auto wire = build(m);
  // MX at 29: owner pointer, type, class, TTL, then RDLENGTH 4: preference and a pointer.
  EXPECT_EQ(get_u16(&wire[29 + 10]), 4);
  const auto target = wire_of("example.com.");
  EXPECT_TRUE(std::search(wire.begin() + 40, wire.end(), target.begin(), target.end()) != wire.end())
      << "SRV target was compressed";
  auto parsed = Message::parse(wire);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(*parsed, m);
}

TEST(MessageBuild, CompressionKeepsCase) {
  Message m;
  m.questions.push_back({name("example.com."), RRType::NS, RRClass::IN});
  m.answer.push_back(rr("EXAMPLE.com.", RRType::NS, wire_of("ns.Example.COM.")));
  const auto wire = build(m);
  auto parsed = Message::parse(wire);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  const auto owner = parsed->answer[0].owner.wire();
  EXPECT_TRUE(std::equal(owner.begin(), owner.end(), wire_of("EXAMPLE.com.").begin()));
  EXPECT_EQ(parsed->answer[0].rdata, wire_of("ns.Example.COM."));
}

TEST(MessageBuild, RecordThatDoesNotFitLeavesMessageUnchanged) {
  MessageBuilder b(response_header(), kMaxUdpMessage);
  ASSERT_EQ(b.add_question({name("example.com."), RRType::TXT, RRClass::IN}), AddResult::added);
  Rdata txt(101, 'x');
  txt[0] = 100;
  size_t added = 0;
  while (b.add_record(Section::answer, rr("example.com.", RRType::TXT, txt)) == AddResult::added) ++added;
  ASSERT_EQ(added, 4u);  // 29 + 4 * 113 = 481; a fifth would reach 594
  MessageBuilder copy = b;
  EXPECT_EQ(b.add_record(Section::additional, rr("a.example.com.", RRType::TXT, txt)), AddResult::no_room);
  EXPECT_EQ(b.size(), copy.size());
  EXPECT_EQ(std::move(b).finish(), std::move(copy).finish());
}

// RFC 2181 section 9: a UDP answer that cannot hold everything sets TC.
TEST(MessageBuild, UdpTruncationSetsTcWithinLimit) {
  Header h = response_header();
  MessageBuilder b(h, kMaxUdpMessage);
  ASSERT_EQ(b.add_question({name("example.com."), RRType::A, RRClass::IN}), AddResult::added);
  size_t added = 0;
  for (uint8_t i = 0; i < 100; ++i) {
    if (b.add_record(Section::answer, rr("example.com.", RRType::A, {192, 0, 2, i})) == AddResult::no_room) {
      h.tc = true;
      b.set_header(h);
      break;
    }
    ++added;
  }
  const auto wire = std::move(b).finish();
  EXPECT_LE(wire.size(), kMaxUdpMessage);
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_TRUE(m->header.tc);
  EXPECT_EQ(m->answer.size(), added);
  EXPECT_EQ(added, (512u - 29u) / 16u);
}

TEST(MessageBuild, EdnsIsWrittenLastAndItsRoomHeldBack) {
  MessageBuilder b(response_header(), kMaxUdpMessage);
  const Edns edns{.udp_size = 1232, .extended_rcode = 0, .version = 0, .dnssec_ok = true, .options = {}};
  ASSERT_EQ(b.set_edns(edns), AddResult::added);
  ASSERT_EQ(b.add_question({name("example.com."), RRType::A, RRClass::IN}), AddResult::added);
  while (b.add_record(Section::additional, rr("example.com.", RRType::A, {192, 0, 2, 1})) ==
         AddResult::added) {
  }
  const auto wire = std::move(b).finish();
  EXPECT_LE(wire.size(), kMaxUdpMessage);
  EXPECT_GT(wire.size() + 16, kMaxUdpMessage);
  // The OPT record is the last 11 octets.
  EXPECT_EQ(get_u16(&wire[wire.size() - 10]), code(RRType::OPT));
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  ASSERT_TRUE(m->edns);
  EXPECT_EQ(*m->edns, edns);
}

TEST(MessageBuild, ReserveLeavesRoomForTsigAndParseFindsItsOffset) {
  const Record tsig = tsig_record();
  const size_t tsig_size = tsig.owner.wire_size() + 10 + tsig.rdata.size();
  MessageBuilder b(response_header(), kMaxUdpMessage);
  ASSERT_EQ(b.reserve(tsig_size), AddResult::added);
  ASSERT_EQ(b.add_question({name("example.com."), RRType::A, RRClass::IN}), AddResult::added);
  while (b.add_record(Section::answer, rr("example.com.", RRType::A, {192, 0, 2, 1})) == AddResult::added) {
  }
  auto wire = std::move(b).finish();
  const size_t before_tsig = wire.size();
  EXPECT_LE(before_tsig + tsig_size, kMaxUdpMessage);
  ASSERT_TRUE(append_tsig(wire, tsig));
  EXPECT_EQ(wire.size(), before_tsig + tsig_size);
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  ASSERT_TRUE(m->tsig);
  EXPECT_EQ(*m->tsig, tsig);
  EXPECT_EQ(m->tsig_offset, before_tsig);
  // RFC 8945 4.3.3: the bytes before TSIG, ARCOUNT decremented, are the message it signed.
  std::vector<uint8_t> unsigned_part(wire.begin(),
                                     wire.begin() + static_cast<std::ptrdiff_t>(m->tsig_offset));
  unsigned_part[11] = static_cast<uint8_t>(unsigned_part[11] - 1);
  auto inner = Message::parse(unsigned_part);
  ASSERT_TRUE(inner) << inner.error().detail;
  EXPECT_FALSE(inner->tsig);
  EXPECT_EQ(inner->answer, m->answer);
}

// AXFR over TCP (RFC 5936 section 2.2): a record that does not fit starts
// the next message; every record arrives once and in order.
TEST(MessageBuild, AxfrStartsNextMessageWhenFull) {
  std::vector<Record> zone;
  for (int i = 0; i < 300; ++i) {
    zone.push_back(rr("host" + std::to_string(i) + ".example.com.", RRType::A,
                      {10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}));
  }
  std::vector<std::vector<uint8_t>> messages;
  size_t next = 0;
  while (next < zone.size()) {
    MessageBuilder b(response_header(), 2048);
    while (next < zone.size() && b.add_record(Section::answer, zone[next]) == AddResult::added) ++next;
    ASSERT_GT(b.record_count(), 0u) << "a record that never fits";
    messages.push_back(std::move(b).finish());
  }
  EXPECT_GT(messages.size(), 2u);
  std::vector<Record> received;
  for (const auto& w : messages) {
    EXPECT_LE(w.size(), 2048u);
    auto m = Message::parse(w, {.max_questions = 0});
    ASSERT_TRUE(m) << m.error().detail;
    received.insert(received.end(), m->answer.begin(), m->answer.end());
  }
  EXPECT_EQ(received, zone);
}

TEST(MessageBuild, RecordLargerThanAnyMessageIsNoRoom) {
  MessageBuilder b(response_header(), kMaxTcpMessage);
  EXPECT_EQ(b.add_record(Section::answer, rr("example.com.", static_cast<RRType>(65280), Rdata(65536, 0))),
            AddResult::no_room);
  EXPECT_EQ(b.record_count(), 0u);
  EXPECT_EQ(b.reserve(kMaxTcpMessage), AddResult::no_room);
}

TEST(MessageBuild, HeaderFlagsRoundTrip) {
  Header h{.id = 0xBEEF,
           .qr = true,
           .opcode = 4,
           .aa = true,
           .tc = false,
           .rd = true,
           .ra = false,
           .ad = true,
           .cd = true,
           .rcode = 5};
  MessageBuilder b(h);
  auto m = Message::parse(std::move(b).finish(), {.max_questions = 0});
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_EQ(m->header, h);
}

TEST(MessageBuild, AppendTsigRefusesWhatIsNotAMessage) {
  std::vector<uint8_t> not_a_message = {1, 2, 3};
  EXPECT_FALSE(append_tsig(not_a_message, tsig_record()));
  EXPECT_EQ(not_a_message.size(), 3u);
}

}  // namespace
}  // namespace signerd::dns
