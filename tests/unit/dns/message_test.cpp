// Message::parse on hand-assembled and malformed messages. The malformed
// corpus lives in tests/data/malformed/*.hex: hex text, '#' comments, and a
// first line "# expect: <words the error must contain>".
#include "dns/message.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dns/wire.hpp"

namespace signerd::dns {
namespace {

std::vector<uint8_t> from_hex(std::string_view text) {
  std::vector<uint8_t> out;
  int hi = -1;
  bool comment = false;
  for (char c : text) {
    if (c == '\n') comment = false;
    if (c == '#') comment = true;
    if (comment || std::isxdigit(static_cast<unsigned char>(c)) == 0) continue;
    const int v = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0' : (std::tolower(c) - 'a' + 10);
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  EXPECT_EQ(hi, -1) << "odd number of hex digits";
  return out;
}

struct CorpusCase {
  std::string expect;
  std::vector<uint8_t> wire;
};

const std::filesystem::path kCorpus = std::filesystem::path(SIGNERD_TEST_DATA) / "malformed";

CorpusCase load_case(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  const std::string tag = "# expect: ";
  EXPECT_EQ(s.rfind(tag, 0), 0u) << path << " must start with '" << tag << "'";
  const size_t eol = s.find('\n');
  return {s.substr(tag.size(), eol - tag.size()), from_hex(s)};
}

// Parses corpus file `name` and checks it fails with its expected words.
void expect_rejected(const std::string& name, base::Errc code = base::Errc::malformed) {
  SCOPED_TRACE(name);
  const CorpusCase c = load_case(kCorpus / (name + ".hex"));
  ASSERT_FALSE(c.wire.empty());
  auto m = Message::parse(c.wire);
  ASSERT_FALSE(m) << "parsed although malformed";
  EXPECT_EQ(m.error().code, code);
  EXPECT_NE(m.error().detail.find(c.expect), std::string::npos)
      << "error: " << m.error().detail << "\nexpected to contain: " << c.expect;
}

Name name(std::string_view text) { return *Name::from_text(text); }
Rdata wire_of(std::string_view text) {
  auto n = name(text);
  return {n.wire().begin(), n.wire().end()};
}

TEST(MessageParse, EveryCorpusFileIsRejectedWithItsError) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".hex") continue;
    ++files;
    const CorpusCase c = load_case(entry.path());
    auto m = Message::parse(c.wire);
    ASSERT_FALSE(m) << entry.path();
    EXPECT_NE(m.error().detail.find(c.expect), std::string::npos) << entry.path() << ": " << m.error().detail;
  }
  EXPECT_GE(files, 28u);
}

// The DNS seeds of tests/fuzz/run.sh are valid messages, so fuzzing starts
// from inputs that reach the rebuild path (control_*: control requests,
// lines of JSON, not DNS).
TEST(MessageParse, FuzzSeedsAreValidMessages) {
  size_t files = 0;
  const auto seeds = std::filesystem::path(SIGNERD_TEST_DATA) / ".." / "fuzz" / "seeds";
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    if (entry.path().filename().string().starts_with("control_")) continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto m = Message::parse(from_hex(text.str()));
    EXPECT_TRUE(m) << entry.path() << ": " << m.error().detail;
  }
  EXPECT_GE(files, 5u);
}

TEST(MessageParse, RejectsTruncatedHeader) { expect_rejected("truncated_header"); }
TEST(MessageParse, RejectsTruncatedQuestionName) { expect_rejected("truncated_question_name"); }
TEST(MessageParse, RejectsTruncatedQuestionType) { expect_rejected("truncated_question_type"); }
TEST(MessageParse, RejectsTruncatedRecord) { expect_rejected("truncated_record"); }
TEST(MessageParse, RejectsCompressionLoop) {
  expect_rejected("compression_loop_self");
  expect_rejected("compression_loop_mutual");
}
TEST(MessageParse, RejectsForwardPointer) {
  expect_rejected("forward_pointer_owner");
  expect_rejected("forward_pointer_in_rdata");
}
TEST(MessageParse, RejectsLabelOver63) {
  expect_rejected("label_over_63");
  expect_rejected("label_over_63_in_rdata");
}
TEST(MessageParse, RejectsNameOver255) { expect_rejected("name_over_255"); }
TEST(MessageParse, RejectsRdlengthPastTheEnd) { expect_rejected("rdlength_past_end"); }
TEST(MessageParse, RejectsCountsThatClaimMoreThanPresent) {
  expect_rejected("qdcount_lies");
  expect_rejected("ancount_lies");
  expect_rejected("arcount_lies");
}
TEST(MessageParse, RejectsTrailingGarbage) { expect_rejected("trailing_garbage"); }
TEST(MessageParse, RejectsRecordCountOverLimit) {
  expect_rejected("record_count_limit", base::Errc::out_of_range);
}
TEST(MessageParse, RejectsMoreThanOneQuestionRfc9619) {
  expect_rejected("too_many_questions", base::Errc::out_of_range);
}
TEST(MessageParse, RejectsRdataInvalidForItsType) {
  expect_rejected("mx_rdata_truncated");
  expect_rejected("a_rdata_too_long");
  expect_rejected("soa_rdata_short");
  expect_rejected("nsec_bitmap_out_of_order");
}
TEST(MessageParse, RejectsSecondOptRfc6891) { expect_rejected("opt_twice"); }
TEST(MessageParse, RejectsOptNotAtRoot) { expect_rejected("opt_not_root"); }
TEST(MessageParse, RejectsOptOutsideAdditional) { expect_rejected("opt_in_answer"); }
TEST(MessageParse, RejectsTruncatedEdnsOption) { expect_rejected("opt_option_truncated"); }
TEST(MessageParse, RejectsTsigNotLastRfc8945Section5_1) {
  expect_rejected("tsig_not_last");
  expect_rejected("tsig_in_answer");
}

TEST(MessageParse, RecordLimitIsTheCallers) {
  const CorpusCase c = load_case(kCorpus / "ancount_lies.hex");
  auto m = Message::parse(c.wire, {.max_questions = 1, .max_records = 1});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, base::Errc::out_of_range);
  EXPECT_NE(m.error().detail.find("record count limit of 1"), std::string::npos) << m.error().detail;
}

// A SIG whose signer name is a pointer to a 255-octet name grows from 65535
// to 65788 octets of RDATA: no message could carry it again.
TEST(MessageParse, RejectsRdataOver65535OnceDecompressed) {
  std::vector<uint8_t> w = from_hex("1234 0100 0001 0001 0000 0000");
  for (int i = 0; i < 3; ++i) {
    w.push_back(63);
    w.insert(w.end(), 63, 'a');
  }
  w.push_back(61);
  w.insert(w.end(), 61, 'b');
  w.push_back(0);
  ASSERT_EQ(w.size(), 12u + 255u);
  for (uint8_t b : from_hex("0001 0001  c00c 0018 0001 00000000 ffff")) w.push_back(b);
  const auto fixed = from_hex("0001 08 02 00000e10 70000000 60000000 1234");
  w.insert(w.end(), fixed.begin(), fixed.end());
  w.push_back(0xC0);
  w.push_back(0x0C);
  w.insert(w.end(), 65535 - fixed.size() - 2, 0x5A);
  auto m = Message::parse(w);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().detail.find("longer than 65535 octets once decompressed"), std::string::npos)
      << m.error().detail;
}

// dig example.com A +dnssec, with a client cookie (RFC 7873).
TEST(MessageParse, RealWorldQueryWithEdnsCookie) {
  const auto wire = from_hex(R"(
    a1b2 0120 0001 0000 0000 0001            # RD AD, one question, one additional
    076578616d706c6503636f6d00 0001 0001     # example.com. A IN
    00 0029 04d0 00 00 8000 000c             # OPT: 1232 octets, version 0, DO
    000a 0008 0123456789abcdef               # COOKIE
  )");
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_EQ(m->header.id, 0xa1b2);
  EXPECT_FALSE(m->header.qr);
  EXPECT_TRUE(m->header.rd);
  EXPECT_TRUE(m->header.ad);
  EXPECT_FALSE(m->header.cd);
  EXPECT_EQ(m->header.opcode, 0);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0], (Question{name("example.com."), RRType::A, RRClass::IN}));
  EXPECT_TRUE(m->additional.empty());
  ASSERT_TRUE(m->edns);
  EXPECT_EQ(m->edns->udp_size, 1232);
  EXPECT_EQ(m->edns->version, 0);
  EXPECT_TRUE(m->edns->dnssec_ok);
  ASSERT_EQ(m->edns->options.size(), 1u);
  EXPECT_EQ(m->edns->options[0].code, 10);
  EXPECT_EQ(m->edns->options[0].data, from_hex("0123456789abcdef"));
  EXPECT_FALSE(m->tsig);
}

// A response using pointers to the question, into RDATA, and to a pointer.
TEST(MessageParse, RealWorldResponseDecompressesOwnersAndRdata) {
  const auto wire = from_hex(R"(
    a1b2 8180 0001 0002 0001 0002            # QR RD RA
    076578616d706c6503636f6d00 0001 0001     # 12: example.com. A IN
    c00c 0005 0001 0000012c 0006 03777777c00c  # 29: CNAME www.example.com. (www at 41)
    c029 0001 0001 0000012c 0004 5db8d822      # 47: www.example.com. A 93.184.216.34
    c00c 0002 0001 00015180 0006 036e7331c00c  # 63: NS ns1.example.com. (ns1 at 75)
    c04b 0001 0001 00015180 0004 c0000235      # 81: ns1.example.com. A 192.0.2.53
    00 0029 1000 00000000 0000                 # 97: OPT 4096
  )");
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_TRUE(m->header.qr && m->header.rd && m->header.ra && !m->header.aa);
  ASSERT_EQ(m->answer.size(), 2u);
  EXPECT_EQ(m->answer[0],
            (Record{name("example.com."), RRType::CNAME, RRClass::IN, 300, wire_of("www.example.com.")}));
  EXPECT_EQ(m->answer[1],
            (Record{name("www.example.com."), RRType::A, RRClass::IN, 300, from_hex("5db8d822")}));
  ASSERT_EQ(m->authority.size(), 1u);
  EXPECT_EQ(m->authority[0].rdata, wire_of("ns1.example.com."));
  ASSERT_EQ(m->additional.size(), 1u);
  EXPECT_EQ(m->additional[0].owner, name("ns1.example.com."));
  ASSERT_TRUE(m->edns);
  EXPECT_EQ(m->edns->udp_size, 4096);
  EXPECT_FALSE(m->edns->dnssec_ok);
  EXPECT_EQ(m->rcode(), 0);
}

TEST(MessageParse, ExtendedRcodeJoinsEdnsAndHeaderBits) {
  // BADVERS (16): extended RCODE 1, header RCODE 0 (RFC 6891 section 7).
  const auto wire = from_hex("0001 8000 0000 0000 0000 0001  00 0029 04d0 01 00 0000 0000");
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_EQ(m->header.rcode, 0);
  EXPECT_EQ(m->rcode(), 16);
}

TEST(MessageParse, TsigIsTakenOutWithItsOffset) {
  const auto wire = from_hex(R"(
    1234 0000 0001 0000 0000 0002
    076578616d706c6503636f6d00 00fc 0001            # example.com. AXFR
    00 0029 04d0 00000000 0000                       # 29: OPT
    036b657900 00fa 00ff 00000000 002d               # 40: TSIG key.
    0b686d61632d73686132353600 000065000000 012c 0010
    00112233445566778899aabbccddeeff 1234 0000 0000
  )");
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  ASSERT_TRUE(m->tsig);
  EXPECT_EQ(m->tsig_offset, 40u);
  EXPECT_EQ(m->tsig->owner, name("key."));
  EXPECT_EQ(m->tsig->type, RRType::TSIG);
  EXPECT_EQ(m->tsig->rclass, RRClass::ANY);
  EXPECT_EQ(m->tsig->rdata.size(), 45u);
  EXPECT_TRUE(m->additional.empty());
  EXPECT_TRUE(m->edns);
}

TEST(MessageParse, HeaderFlagsAndOpcode) {
  // QR, opcode 5 (UPDATE), AA TC RD RA, Z set (ignored), AD CD, RCODE 15.
  const auto wire = from_hex("ffff afff 0000 0000 0000 0000");
  auto m = Message::parse(wire);
  ASSERT_TRUE(m) << m.error().detail;
  const Header& h = m->header;
  EXPECT_EQ(h.id, 0xffff);
  EXPECT_TRUE(h.qr && h.aa && h.tc && h.rd && h.ra && h.ad && h.cd);
  EXPECT_EQ(h.opcode, 5);
  EXPECT_EQ(h.rcode, 15);
}

}  // namespace
}  // namespace signerd::dns
