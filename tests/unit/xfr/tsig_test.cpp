// TSIG (RFC 8945): known answers from dig, server-side verification and
// error answers, multi-message chains, malformed records, key files.
// Interop with a real named is in tsig_named_test.cpp.
#include "xfr/tsig.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "dns/message_builder.hpp"
#include "dns/wire.hpp"
#include "tsig_test_util.hpp"

namespace signerd::xfr {
namespace {

using namespace tsig_test;

// Queries for "example. SOA" signed by `dig -y ALG:tsig-test.example.:SECRET`
// (BIND 9.18), captured off the wire: an independent implementation's MACs.
struct DigVector {
  TsigAlgorithm algorithm;
  const char* hex;
};
constexpr DigVector kDigVectors[] = {
    {TsigAlgorithm::hmac_sha256,
     "20e101200001000000000001076578616d706c65000006000109747369672d74657374076578616d706c650000fa00ff0000000"
     "0003d0b"
     "686d61632d7368613235360000006b0480ee012c0020340b51a50291d44bd22b684c0539693c747fa7a050e7a71008a2f0b6f19"
     "2c9dc"
     "20e100000000"},
    {TsigAlgorithm::hmac_md5,
     "84a701200001000000000001076578616d706c65000006000109747369672d74657374076578616d706c650000fa00ff0000000"
     "0003a08"
     "686d61632d6d6435077369672d616c670372656703696e740000006b0480f7012c00109dacbf1e5d3bd9a84ede5d831004110b8"
     "4a70000"
     "0000"},
    {TsigAlgorithm::hmac_sha512,
     "6c5701200001000000000001076578616d706c65000006000109747369672d74657374076578616d706c650000fa00ff0000000"
     "0005d0b"
     "686d61632d7368613531320000006b0480fa012c004033f7ead2459bb501217762ca08c26cf3730444341ea5114419ff59c3533"
     "da1eecec"
     "d81fd2b7d8e8c99f40804e21ce07128297522a9d7d290ec076ed32e0a2b0d6c5700000000"},
};

TEST(TsigKnownAnswer, DigSignedQueriesVerify) {
  for (const auto& v : kDigVectors) {
    SCOPED_TRACE(v.hex);
    const TsigKeyring ring({test_key(v.algorithm)});
    const auto wire = from_hex(v.hex);
    const auto m = parse(wire);
    const base::TimePoint signed_at = at(fields_of(m).time_signed);
    auto check = verify_request(ring, m, wire, signed_at);
    EXPECT_EQ(check.outcome, Outcome::verified);
    EXPECT_EQ(check.key, ring.find(m.tsig->owner));
    // One bit off in the secret, and dig's MAC no longer matches ours.
    auto secret = std::vector<uint8_t>(kSecret.begin(), kSecret.end());
    secret[0] ^= 1;
    const TsigKeyring wrong({TsigKey(m.tsig->owner, v.algorithm, secret)});
    EXPECT_EQ(verify_request(wrong, m, wire, signed_at).error, TsigError::badsig);
  }
}

// Our signer reproduces dig's MAC byte for byte given the same message,
// ID and time: the MAC is a function of those alone.
TEST(TsigKnownAnswer, OurSignatureEqualsDigs) {
  for (const auto& v : kDigVectors) {
    SCOPED_TRACE(v.hex);
    const auto dig = from_hex(v.hex);
    const auto m = parse(dig);
    std::vector<uint8_t> ours(dig.begin(), dig.begin() + static_cast<std::ptrdiff_t>(m.tsig_offset));
    ours[11] = static_cast<uint8_t>(ours[11] - 1);  // ARCOUNT without the TSIG
    const TsigKey key = test_key(v.algorithm);
    TsigClient client(key);
    ASSERT_TRUE(client.sign_request(ours, at(fields_of(m).time_signed)));
    EXPECT_EQ(ours, dig);
  }
}

TEST(TsigServer, SignedRequestVerifies) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(0x1234);
  const size_t unsigned_size = wire.size();
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  EXPECT_EQ(wire.size(), unsigned_size + client.tsig_size());
  const auto m = parse(wire);
  auto check = verify_request(ring, m, wire, at(kNow));
  EXPECT_EQ(check.outcome, Outcome::verified);
  EXPECT_EQ(check.key, ring.find(key_name()));
  EXPECT_EQ(check.error, TsigError::none);
  EXPECT_EQ(check.original_id, 0x1234);
  EXPECT_EQ(check.request_time, kNow);
  EXPECT_EQ(check.request_mac.size(), 32u);
  EXPECT_EQ(check.key_name, key_name());
  EXPECT_EQ(check.algorithm_name, tsig_algorithm_name(TsigAlgorithm::hmac_sha256));
}

TEST(TsigServer, UnsignedRequest) {
  const TsigKeyring ring({test_key()});
  const auto wire = query(1);
  EXPECT_EQ(verify_request(ring, parse(wire), wire, at(kNow)).outcome, Outcome::unsigned_request);
}

TEST(TsigServer, EveryAlteredOctetIsBadsig) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(0x4242);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  const auto m0 = parse(wire);
  size_t tried = 0;
  // Every octet of the header (but ARCOUNT) and the question, and the
  // time, fudge and MAC of the TSIG record.
  for (size_t i = 0; i < wire.size(); ++i) {
    // The ID may change in transit (the MAC covers Original ID instead);
    // ARCOUNT must count the TSIG for the message to parse.
    if (i < 2 || i == 10 || i == 11) continue;
    auto bad = wire;
    bad[i] ^= 0x20;
    auto m = dns::Message::parse(bad);
    if (!m || !m->tsig) continue;
    auto check = verify_request(ring, *m, bad, at(kNow));
    if (check.outcome == Outcome::malformed) continue;
    ++tried;
    // The key name and algorithm compare case-insensitively and are
    // digested lowercased, so flipping their case keeps the MAC.
    const bool case_flip_in_name =
        i >= m0.tsig_offset && i < m0.tsig_offset + key_name().wire_size() + 10 +
                                       tsig_algorithm_name(TsigAlgorithm::hmac_sha256).wire_size();
    if (case_flip_in_name && check.outcome == Outcome::verified) continue;
    EXPECT_NE(check.outcome, Outcome::verified) << "octet " << i;
  }
  EXPECT_GT(tried, wire.size() / 2);
}

TEST(TsigServer, AlteredQuestionIsBadsig) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(7);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  wire[13] = 'f';  // "example." -> "fxample."
  auto check = verify_request(ring, parse(wire), wire, at(kNow));
  EXPECT_EQ(check.outcome, Outcome::refused);
  EXPECT_EQ(check.error, TsigError::badsig);
  EXPECT_EQ(check.key, nullptr);
}

TEST(TsigServer, UnknownKeyOrAlgorithmIsBadkey) {
  const TsigKey signer = test_key();
  TsigClient client(signer);
  auto wire = query(7);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  const auto m = parse(wire);
  const TsigKeyring other_name(
      {TsigKey(*dns::Name::from_text("other."), TsigAlgorithm::hmac_sha256, secret())});
  const TsigKeyring other_alg({test_key(TsigAlgorithm::hmac_sha512)});
  const TsigKeyring empty;
  for (const auto* ring : {&other_name, &other_alg, &empty}) {
    auto check = verify_request(*ring, m, wire, at(kNow));
    EXPECT_EQ(check.outcome, Outcome::refused);
    EXPECT_EQ(check.error, TsigError::badkey);
  }
}

TEST(TsigServer, KeyNameMatchesCaseInsensitively) {
  const TsigKeyring ring(
      {TsigKey(*dns::Name::from_text("TSIG-Test.EXAMPLE."), TsigAlgorithm::hmac_sha256, secret())});
  const TsigKey key = test_key();
  TsigClient client(key);
  auto wire = query(9);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  EXPECT_EQ(verify_request(ring, parse(wire), wire, at(kNow)).outcome, Outcome::verified);
}

TEST(TsigServer, TimeOutsideFudgeIsBadtimeAfterTheMac) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(7);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  const auto m = parse(wire);
  EXPECT_EQ(verify_request(ring, m, wire, at(kNow + kTsigFudge)).outcome, Outcome::verified);
  EXPECT_EQ(verify_request(ring, m, wire, at(kNow - kTsigFudge)).outcome, Outcome::verified);
  for (uint64_t when : {kNow + kTsigFudge + 1, kNow - kTsigFudge - 1, uint64_t{0}}) {
    auto check = verify_request(ring, m, wire, at(when));
    EXPECT_EQ(check.outcome, Outcome::refused);
    EXPECT_EQ(check.error, TsigError::badtime);
    EXPECT_EQ(check.key, ring.find(key_name()));  // the MAC was good
  }
  // A bad MAC outside the window is BADSIG: the time is checked second.
  wire[13] = 'f';
  EXPECT_EQ(verify_request(ring, parse(wire), wire, at(kNow + 10'000)).error, TsigError::badsig);
}

// A server's NOTAUTH answer to `wire`, with its error TSIG.
std::vector<uint8_t> error_answer(const std::vector<uint8_t>& request, const TsigRequestCheck& check,
                                  base::TimePoint now) {
  auto req = parse(request);
  dns::Header h = req.header;
  h.qr = true;
  h.rcode = 9;  // NOTAUTH
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  EXPECT_EQ(b.add_question(req.questions.at(0)), dns::AddResult::added);
  auto out = std::move(b).finish();
  EXPECT_TRUE(append_error_tsig(out, check, now));
  return out;
}

TEST(TsigServer, BadsigAndBadkeyAnswersAreUnsigned) {
  const TsigKeyring ring({test_key()});
  for (bool known_key : {true, false}) {
    const TsigKey signer =
        known_key ? test_key()
                  : TsigKey(*dns::Name::from_text("stranger."), TsigAlgorithm::hmac_sha256, secret());
    TsigClient client(signer);
    auto wire = query(77);
    ASSERT_TRUE(client.sign_request(wire, at(kNow)));
    if (known_key) wire[13] = 'f';
    auto check = verify_request(ring, parse(wire), wire, at(kNow));
    ASSERT_EQ(check.outcome, Outcome::refused);
    auto answer = error_answer(wire, check, at(kNow));
    auto m = parse(answer);
    ASSERT_TRUE(m.tsig);
    EXPECT_EQ(m.tsig->owner, signer.name());
    const auto f = fields_of(m);
    EXPECT_TRUE(f.mac.empty());
    EXPECT_EQ(f.error, known_key ? 16 : 17);
    EXPECT_EQ(f.original_id, 77);
    auto verified = client.verify_response(m, answer, at(kNow));
    ASSERT_FALSE(verified);
    EXPECT_NE(verified.error().detail.find(known_key ? "server says BADSIG" : "server says BADKEY"),
              std::string::npos)
        << verified.error().detail;
  }
}

TEST(TsigServer, BadtimeAnswerIsSignedAndCarriesServerTime) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(5);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  const uint64_t server_now = kNow + 3600;
  auto check = verify_request(ring, parse(wire), wire, at(server_now));
  ASSERT_EQ(check.error, TsigError::badtime);
  auto answer = error_answer(wire, check, at(server_now));
  auto m = parse(answer);
  const auto f = fields_of(m);
  EXPECT_EQ(f.error, 18);
  EXPECT_EQ(f.mac.size(), 32u);
  EXPECT_EQ(f.time_signed, kNow);  // the request's, so the client's clock check passes
  ASSERT_EQ(f.other.size(), 6u);
  EXPECT_EQ((static_cast<uint64_t>(dns::get_u16(f.other.data())) << 32) | dns::get_u32(f.other.data() + 2),
            server_now);
  // The client verifies the MAC, then reports the error (not BADSIG).
  auto verified = client.verify_response(m, answer, at(kNow));
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().detail.find("server says BADTIME"), std::string::npos)
      << verified.error().detail;
  // A tampered BADTIME answer fails the MAC instead.
  auto bad = answer;
  bad[13] = 'f';
  TsigClient client2(*ring.find(key_name()));
  auto wire2 = wire;
  wire2.resize(parse(wire).tsig_offset);
  wire2[11] = static_cast<uint8_t>(wire2[11] - 1);
  ASSERT_TRUE(client2.sign_request(wire2, at(kNow)));
  ASSERT_EQ(wire2, wire);
  auto tampered = client2.verify_response(parse(bad), bad, at(kNow));
  ASSERT_FALSE(tampered);
  EXPECT_NE(tampered.error().detail.find("BADSIG"), std::string::npos);
}

TEST(TsigServer, NoErrorTsigForVerifiedOrUnsigned) {
  const TsigKeyring ring({test_key()});
  std::vector<uint8_t> out = query(1);
  EXPECT_FALSE(append_error_tsig(out, TsigRequestCheck{}, at(kNow)));
  EXPECT_EQ(out, query(1));
}

// A response to `request` with `n` TXT records, unsigned, with room held
// back for the TSIG.
std::vector<uint8_t> response(const std::vector<uint8_t>& request, int n, size_t reserve) {
  auto req = parse(request);
  dns::Header h = req.header;
  h.qr = true;
  h.aa = true;
  dns::MessageBuilder b(h, dns::kMaxTcpMessage);
  EXPECT_EQ(b.reserve(reserve), dns::AddResult::added);
  EXPECT_EQ(b.add_question(req.questions.at(0)), dns::AddResult::added);
  for (int i = 0; i < n; ++i) {
    const std::string text = "record " + std::to_string(i);
    dns::Rdata rd{static_cast<uint8_t>(text.size())};
    rd.insert(rd.end(), text.begin(), text.end());
    dns::Record rec{*dns::Name::from_text("t.example."), dns::RRType::TXT, dns::RRClass::IN, 60, rd};
    EXPECT_EQ(b.add_record(dns::Section::answer, rec), dns::AddResult::added);
  }
  return std::move(b).finish();
}

TEST(TsigTransaction, ResponderAndClientOverThreeMessages) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto request = query(0xABCD, dns::RRType::AXFR);
  ASSERT_TRUE(client.sign_request(request, at(kNow)));
  auto check = verify_request(ring, parse(request), request, at(kNow + 2));
  ASSERT_EQ(check.outcome, Outcome::verified);
  TsigResponder responder(*check.key, check);
  std::vector<std::vector<uint8_t>> messages;
  for (int i = 0; i < 3; ++i) {
    auto msg = response(request, 10 + i, responder.tsig_size());
    const size_t before = msg.size();
    ASSERT_TRUE(responder.sign(msg, at(kNow + 2 + static_cast<uint64_t>(i))));
    EXPECT_EQ(msg.size(), before + responder.tsig_size());
    messages.push_back(std::move(msg));
  }
  for (const auto& msg : messages) {
    auto ok = client.verify_response(parse(msg), msg, at(kNow + 5));
    EXPECT_TRUE(ok) << (ok ? "" : ok.error().detail);
    EXPECT_TRUE(client.last_was_signed());
  }
  // Out of order, the chain breaks: message 3 after message 1.
  TsigClient again(*ring.find(key_name()));
  auto request2 = query(0xABCD, dns::RRType::AXFR);
  ASSERT_TRUE(again.sign_request(request2, at(kNow)));
  ASSERT_EQ(request2, request);
  ASSERT_TRUE(again.verify_response(parse(messages[0]), messages[0], at(kNow + 5)));
  auto skipped = again.verify_response(parse(messages[2]), messages[2], at(kNow + 5));
  ASSERT_FALSE(skipped);
  EXPECT_NE(skipped.error().detail.find("BADSIG"), std::string::npos);
  // Later messages digest timers only: message 2 verified as a first
  // response fails.
  TsigClient third(*ring.find(key_name()));
  auto request3 = query(0xABCD, dns::RRType::AXFR);
  ASSERT_TRUE(third.sign_request(request3, at(kNow)));
  EXPECT_FALSE(third.verify_response(parse(messages[1]), messages[1], at(kNow + 5)));
}

TEST(TsigTransaction, ClientRejectsUnsignedFirstAndWrongKeyAndLateResponse) {
  const TsigKey key = test_key();
  {
    auto request = query(3);
    TsigClient client(key);
    ASSERT_TRUE(client.sign_request(request, at(kNow)));
    auto plain = response(query(3), 1, 0);
    auto r = client.verify_response(parse(plain), plain, at(kNow));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, base::Errc::malformed);
  }
  const TsigKey other(*dns::Name::from_text("other.example."), TsigAlgorithm::hmac_sha256, secret());
  TsigRequestCheck check;
  check.request_mac.assign(32, 0);
  check.original_id = 3;
  {
    auto request = query(3);
    TsigClient client(key);
    ASSERT_TRUE(client.sign_request(request, at(kNow)));
    auto req = parse(request);
    check.request_mac = fields_of(req).mac;
    TsigResponder wrong(other, check);
    auto msg = response(query(3), 1, wrong.tsig_size());
    ASSERT_TRUE(wrong.sign(msg, at(kNow)));
    auto r = client.verify_response(parse(msg), msg, at(kNow));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("other.example."), std::string::npos);
    EXPECT_EQ(r.error().detail.find(std::string(kSecret)), std::string::npos);
  }
  {
    auto request = query(3);
    TsigClient client(key);
    ASSERT_TRUE(client.sign_request(request, at(kNow)));
    check.request_mac = fields_of(parse(request)).mac;
    TsigResponder responder(key, check);
    auto msg = response(query(3), 1, responder.tsig_size());
    ASSERT_TRUE(responder.sign(msg, at(kNow)));
    auto late = client.verify_response(parse(msg), msg, at(kNow + kTsigFudge + 1));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, base::Errc::out_of_range);
    EXPECT_NE(late.error().detail.find("BADTIME"), std::string::npos);
    EXPECT_TRUE(client.verify_response(parse(msg), msg, at(kNow + kTsigFudge)));
  }
}

// Section 5.3.1: unsigned messages between signed ones are digested whole
// into the next MAC. The MAC of message 3 is computed here from the RFC's
// list of components, with OpenSSL's one-shot HMAC.
TEST(TsigTransaction, UnsignedMessagesJoinTheNextMac) {
  const TsigKeyring ring({test_key()});
  const TsigKey& key = *ring.find(key_name());
  TsigClient client(key);
  auto request = query(0x0102, dns::RRType::AXFR);
  ASSERT_TRUE(client.sign_request(request, at(kNow)));
  auto check = verify_request(ring, parse(request), request, at(kNow));
  ASSERT_EQ(check.outcome, Outcome::verified);
  TsigResponder responder(key, check);
  auto msg1 = response(request, 3, responder.tsig_size());
  ASSERT_TRUE(responder.sign(msg1, at(kNow)));
  const auto mac1 = fields_of(parse(msg1)).mac;
  const auto msg2 = response(request, 4, 0);
  auto msg3 = response(request, 5, 0);
  std::vector<uint8_t> digest{0, static_cast<uint8_t>(mac1.size())};
  dns::put_bytes(digest, mac1);
  dns::put_bytes(digest, msg2);
  dns::put_bytes(digest, msg3);
  dns::put_u16(digest, 0);
  dns::put_u32(digest, static_cast<uint32_t>(kNow + 1));
  dns::put_u16(digest, kTsigFudge);
  std::array<uint8_t, 32> mac3{};
  unsigned mac3_len = 0;
  ASSERT_NE(HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()), digest.data(), digest.size(),
                 mac3.data(), &mac3_len),
            nullptr);
  Fields f;
  f.algorithm = tsig_algorithm_name(TsigAlgorithm::hmac_sha256);
  f.time_signed = kNow + 1;
  f.fudge = kTsigFudge;
  f.mac.assign(mac3.begin(), mac3.end());
  f.original_id = 0x0102;
  ASSERT_TRUE(
      dns::append_tsig(msg3, dns::Record{key_name(), dns::RRType::TSIG, dns::RRClass::ANY, 0, encode(f)}));

  ASSERT_TRUE(client.verify_response(parse(msg1), msg1, at(kNow)));
  ASSERT_TRUE(client.verify_response(parse(msg2), msg2, at(kNow)));
  EXPECT_FALSE(client.last_was_signed());
  auto ok = client.verify_response(parse(msg3), msg3, at(kNow));
  EXPECT_TRUE(ok) << ok.error().detail;
  EXPECT_TRUE(client.last_was_signed());

  // Without message 2 the digest differs.
  TsigClient skipping(key);
  auto request2 = query(0x0102, dns::RRType::AXFR);
  ASSERT_TRUE(skipping.sign_request(request2, at(kNow)));
  ASSERT_TRUE(skipping.verify_response(parse(msg1), msg1, at(kNow)));
  EXPECT_FALSE(skipping.verify_response(parse(msg3), msg3, at(kNow)));

  // At most 99 unsigned messages in a row.
  TsigClient patient(key);
  auto request3 = query(0x0102, dns::RRType::AXFR);
  ASSERT_TRUE(patient.sign_request(request3, at(kNow)));
  ASSERT_TRUE(patient.verify_response(parse(msg1), msg1, at(kNow)));
  const auto parsed2 = parse(msg2);
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(patient.verify_response(parsed2, msg2, at(kNow))) << i;
  EXPECT_FALSE(patient.verify_response(parsed2, msg2, at(kNow)));
}

// A forwarder may change the ID; the MAC covers Original ID (4.3.3).
TEST(TsigServer, ChangedIdStillVerifiesWithOriginalId) {
  const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(0x1111);
  ASSERT_TRUE(client.sign_request(wire, at(kNow)));
  wire[0] = 0x22;
  auto check = verify_request(ring, parse(wire), wire, at(kNow));
  EXPECT_EQ(check.outcome, Outcome::verified);
  EXPECT_EQ(check.original_id, 0x1111);
}

TEST(TsigTransaction, SignFailsWhenTheMessageIsFull) {
  const TsigKey key = test_key();
  TsigClient client(key);
  std::vector<uint8_t> big = query(1);
  big.resize(dns::kMaxTcpMessage - 10, 0);  // trailing octets: only the size matters here
  auto r = client.sign_request(big, at(kNow));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::out_of_range);
  EXPECT_EQ(big.size(), dns::kMaxTcpMessage - 10);
}

// A signed request whose TSIG RDATA is replaced by `rdata`.
TsigRequestCheck check_with_rdata(std::vector<uint8_t> rdata, dns::RRClass rclass = dns::RRClass::ANY,
                                  uint32_t ttl = 0) {
  static const TsigKeyring ring({test_key()});
  TsigClient client(*ring.find(key_name()));
  auto wire = query(11);
  EXPECT_TRUE(client.sign_request(wire, at(kNow)));
  auto changed = with_tsig_rdata(wire, std::move(rdata), rclass, ttl);
  auto m = dns::Message::parse(changed);
  EXPECT_TRUE(m);
  if (!m) return {};
  return verify_request(ring, *m, changed, at(kNow));
}

Fields good_fields() {
  const TsigKey key = test_key();
  TsigClient client(key);
  auto wire = query(11);
  EXPECT_TRUE(client.sign_request(wire, at(kNow)));
  return fields_of(parse(wire));
}

TEST(TsigServer, MalformedTsigRecords) {
  const Fields good = good_fields();
  EXPECT_EQ(check_with_rdata(encode(good)).outcome, Outcome::verified);  // the baseline
  const auto rd = encode(good);
  // Cut anywhere short of the end: every field is required.
  for (size_t n = 0; n < rd.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_EQ(check_with_rdata(std::vector<uint8_t>(rd.begin(), rd.begin() + static_cast<std::ptrdiff_t>(n)))
                  .outcome,
              Outcome::malformed);
  }
  auto trailing = rd;
  trailing.push_back(0);
  EXPECT_EQ(check_with_rdata(trailing).outcome, Outcome::malformed);
  // A compression pointer for the algorithm name (section 4.2 forbids it).
  std::vector<uint8_t> compressed{0xC0, 0x0C};
  compressed.insert(compressed.end(), rd.begin() + static_cast<std::ptrdiff_t>(good.algorithm.wire_size()),
                    rd.end());
  EXPECT_EQ(check_with_rdata(compressed).outcome, Outcome::malformed);
  // MAC size claims more than is there.
  auto long_mac = rd;
  const size_t mac_size_at = good.algorithm.wire_size() + 8;
  long_mac[mac_size_at + 1] = 0xFF;
  EXPECT_EQ(check_with_rdata(long_mac).outcome, Outcome::malformed);
  // Class must be ANY and TTL zero.
  EXPECT_EQ(check_with_rdata(rd, dns::RRClass::IN).outcome, Outcome::malformed);
  EXPECT_EQ(check_with_rdata(rd, dns::RRClass::ANY, 1).outcome, Outcome::malformed);
}

TEST(TsigServer, TruncatedMacs) {
  const Fields good = good_fields();
  auto with_mac_size = [&](size_t n) {
    Fields f = good;
    f.mac.resize(n, 0);
    return check_with_rdata(encode(f));
  };
  // Section 5.2.2.1: down to max(10, 32 / 2) = 16 octets for HMAC-SHA256.
  EXPECT_EQ(with_mac_size(32).outcome, Outcome::verified);
  EXPECT_EQ(with_mac_size(16).outcome, Outcome::verified);
  EXPECT_EQ(with_mac_size(20).outcome, Outcome::verified);
  EXPECT_EQ(with_mac_size(15).outcome, Outcome::malformed);
  EXPECT_EQ(with_mac_size(10).outcome, Outcome::malformed);
  EXPECT_EQ(with_mac_size(33).outcome, Outcome::malformed);
  auto empty = with_mac_size(0);
  EXPECT_EQ(empty.outcome, Outcome::refused);
  EXPECT_EQ(empty.error, TsigError::badsig);
  // A truncated MAC that is wrong is still BADSIG.
  Fields f = good;
  f.mac.resize(16);
  f.mac[15] ^= 1;
  EXPECT_EQ(check_with_rdata(encode(f)).error, TsigError::badsig);
  // The response to a truncated request chains on the truncated MAC.
  f = good;
  f.mac.resize(16);
  auto check = check_with_rdata(encode(f));
  ASSERT_EQ(check.outcome, Outcome::verified);
  EXPECT_EQ(check.request_mac, f.mac);
}

TEST(TsigAlgorithms, NamesRoundTrip) {
  for (auto a : {TsigAlgorithm::hmac_md5, TsigAlgorithm::hmac_sha1, TsigAlgorithm::hmac_sha224,
                 TsigAlgorithm::hmac_sha256, TsigAlgorithm::hmac_sha384, TsigAlgorithm::hmac_sha512}) {
    EXPECT_EQ(tsig_algorithm_from_name(tsig_algorithm_name(a)), a);
  }
  EXPECT_EQ(tsig_algorithm_name(TsigAlgorithm::hmac_md5).to_text(), "hmac-md5.sig-alg.reg.int.");
  EXPECT_EQ(tsig_algorithm_name(TsigAlgorithm::hmac_sha256).to_text(), "hmac-sha256.");
  EXPECT_EQ(parse_tsig_algorithm("HMAC-SHA384"), TsigAlgorithm::hmac_sha384);
  EXPECT_EQ(parse_tsig_algorithm("hmac-sha3"), std::nullopt);
  EXPECT_EQ(tsig_algorithm_from_name(*dns::Name::from_text("HMAC-SHA1.")), TsigAlgorithm::hmac_sha1);
  EXPECT_EQ(tsig_algorithm_from_name(*dns::Name::from_text("hmac-sha256.example.")), std::nullopt);
  EXPECT_STREQ(tsig_error_name(TsigError::badtime), "BADTIME");
}

// Every algorithm signs and verifies a round trip.
TEST(TsigAlgorithms, EachAlgorithmRoundTrips) {
  for (auto a : {TsigAlgorithm::hmac_md5, TsigAlgorithm::hmac_sha1, TsigAlgorithm::hmac_sha224,
                 TsigAlgorithm::hmac_sha256, TsigAlgorithm::hmac_sha384, TsigAlgorithm::hmac_sha512}) {
    const TsigKeyring ring({test_key(a)});
    TsigClient client(*ring.find(key_name(), a));
    auto wire = query(21);
    ASSERT_TRUE(client.sign_request(wire, at(kNow)));
    auto check = verify_request(ring, parse(wire), wire, at(kNow));
    ASSERT_EQ(check.outcome, Outcome::verified);
    TsigResponder responder(*check.key, check);
    auto msg = response(wire, 2, responder.tsig_size());
    ASSERT_TRUE(responder.sign(msg, at(kNow)));
    EXPECT_TRUE(client.verify_response(parse(msg), msg, at(kNow)));
  }
}

// Key files.
class TsigKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("signerd-tsig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(std::string_view content, mode_t mode = 0600) {
    auto path = dir_ / "secret";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(TsigKeyFile, LoadsBase64WithSurroundingWhitespace) {
  auto key =
      load_tsig_key(key_name(), "hmac-sha256", write(std::string("  ") + std::string(kSecretBase64) + "\n"));
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->algorithm(), TsigAlgorithm::hmac_sha256);
  EXPECT_EQ(key->name(), key_name());
  EXPECT_EQ(std::vector<uint8_t>(key->secret().begin(), key->secret().end()), secret());
  // Group may read (root:signerd 0640); the mode check is about "other".
  EXPECT_TRUE(load_tsig_key(key_name(), "HMAC-SHA512", write(kSecretBase64, 0640)));
  auto one = load_tsig_key(key_name(), "hmac-sha1", write("YQ=="));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->secret().size(), 1u);
}

TEST_F(TsigKeyFile, RejectsJunkWithoutShowingIt) {
  const char* junk[] = {"not base64!",  "c2VjcmV0",  "c2VjcmV0X", "c2Vj=mV0",
                        "c2VjcmV0====", "c2Vj cmV0", "=c2VjcmV0", "c2VjcmV0\x01"};
  // "c2VjcmV0" itself is good: skip it when checking rejection.
  for (const char* text : junk) {
    if (std::string_view(text) == "c2VjcmV0") continue;
    SCOPED_TRACE(text);
    auto key = load_tsig_key(key_name(), "hmac-sha256", write(text));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, base::Errc::malformed);
    EXPECT_EQ(key.error().detail.find(text), std::string::npos) << key.error().detail;
    EXPECT_NE(key.error().detail.find("secret"), std::string::npos);
  }
  EXPECT_TRUE(load_tsig_key(key_name(), "hmac-sha256", write("c2VjcmV0")));
}

TEST_F(TsigKeyFile, RefusesEmptyOtherReadableUnknownAlgorithmMissing) {
  auto empty = load_tsig_key(key_name(), "hmac-sha256", write(" \n"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, base::Errc::malformed);
  EXPECT_NE(empty.error().detail.find("empty"), std::string::npos);

  auto world = load_tsig_key(key_name(), "hmac-sha256", write(kSecretBase64, 0604));
  ASSERT_FALSE(world);
  EXPECT_EQ(world.error().code, base::Errc::invalid_argument);
  EXPECT_NE(world.error().detail.find("0604"), std::string::npos) << world.error().detail;
  EXPECT_EQ(world.error().detail.find(std::string(kSecretBase64)), std::string::npos);

  auto alg = load_tsig_key(key_name(), "hmac-sha3-256", write(kSecretBase64));
  ASSERT_FALSE(alg);
  EXPECT_EQ(alg.error().code, base::Errc::invalid_argument);
  EXPECT_EQ(alg.error().detail.find(std::string(kSecretBase64)), std::string::npos);

  auto missing = load_tsig_key(key_name(), "hmac-sha256", dir_ / "absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, base::Errc::io);
  EXPECT_NE(missing.error().detail.find("absent"), std::string::npos);
}

TEST(TsigKeyValue, CopiesAndMovesKeepTheSecret) {
  TsigKey a = test_key();
  TsigKey b = a;
  EXPECT_EQ(std::vector<uint8_t>(b.secret().begin(), b.secret().end()), secret());
  TsigKey c(std::move(a));
  EXPECT_EQ(std::vector<uint8_t>(c.secret().begin(), c.secret().end()), secret());
  EXPECT_TRUE(a.secret().empty());  // NOLINT(bugprone-use-after-move): moved-from keys are empty
  TsigKey d(*dns::Name::from_text("d."), TsigAlgorithm::hmac_sha1, {1, 2, 3});
  d = b;
  EXPECT_EQ(d.name(), key_name());
  EXPECT_EQ(d.secret().size(), kSecret.size());
  d = std::move(c);
  EXPECT_EQ(d.secret().size(), kSecret.size());
}

}  // namespace
}  // namespace signerd::xfr
