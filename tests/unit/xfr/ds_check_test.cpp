// The DS check: the pure verdict (xfr/ds_check.hpp) from hand-built
// answers and garbage, the unanimity of a round; then query_ds and check_ds
// (xfr/ds_query.hpp) against a real BIND named serving the parent zone
// "test." with the delegation "child.test." and its DS (made by BIND's
// dnssec-dsfromkey, so a PUBLISHED round also proves our digest is BIND's).
// Ports 24100-24109: named on 24100; nothing listens on 24101.
#include "xfr/ds_check.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "dns/message_builder.hpp"
#include "ds_test_util.hpp"
#include "xfr/ds_query.hpp"

namespace signerd::xfr {
namespace {

using namespace std::chrono_literals;
using namespace ds_test;

DsVerdict judge(const dns::Message& m, const DsTsigCheck& tsig = kVerified) {
  return ds_verdict(key_12345(), m, tsig, false);
}

TEST(DsVerdict, MatchingDsIsHasWithTheAnswerTtl) {
  const auto v = judge(with_ds({ds(999, 8, 2, 0x11), ds(12345, 13, 2, 0xAB)}, 7200));
  EXPECT_EQ(v.presence, DsPresence::has) << v.reason;
  EXPECT_EQ(v.reason, "has it");
  EXPECT_EQ(v.ttl, 7200u);
}

TEST(DsVerdict, EitherComputedDigestTypeMatches) {
  EXPECT_EQ(judge(with_ds({ds(12345, 13, 4, 0xCD, 48)})).presence, DsPresence::has);
}

TEST(DsVerdict, OtherKeysDsIsLacks) {
  const auto v = judge(with_ds({ds(54321, 13, 2, 0xAB)}, 86400));
  EXPECT_EQ(v.presence, DsPresence::lacks) << v.reason;
  EXPECT_EQ(v.reason, "lacks it (1 other DS)");
  EXPECT_EQ(v.ttl, 86400u);  // the TTL of the DS RRset that lacks it
}

// Key tags collide (RFC 4034 appendix B is a checksum): the digest decides.
TEST(DsVerdict, RightTagAndAlgorithmWithWrongDigestIsLacks) {
  auto wrong = ds(12345, 13, 2, 0xAB);
  wrong.back() ^= 1;
  EXPECT_EQ(judge(with_ds({wrong})).presence, DsPresence::lacks);
  EXPECT_EQ(judge(with_ds({ds(12345, 8, 2, 0xAB)})).presence, DsPresence::lacks);  // another algorithm
}

// A SHA-1 DS with the key's tag may be this key's: its absence is not proven.
TEST(DsVerdict, SameTagWithADigestTypeNotComputedIsUnknown) {
  const auto v = judge(with_ds({ds(12345, 13, 1, 0xEE, 20)}));
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_NE(v.reason.find("digest type 1"), std::string::npos) << v.reason;
  // …but a match in the same RRset still decides.
  EXPECT_EQ(judge(with_ds({ds(12345, 13, 1, 0xEE, 20), ds(12345, 13, 2, 0xAB)})).presence, DsPresence::has);
}

TEST(DsVerdict, TtlIsTheRrsigOriginalTtlWhenSigned) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)}, 300);
  m.answer.push_back(ds_rrsig(300, 3600));
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::has);
  EXPECT_EQ(v.ttl, 3600u);
  // Unsigned, the answer's TTL is all there is.
  EXPECT_EQ(judge(with_ds({ds(12345, 13, 2, 0xAB)}, 300)).ttl, 300u);
}

TEST(DsVerdict, RrsigOverAnotherTypeDoesNotSetTheTtl) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)}, 300);
  auto sig = ds_rrsig(300, 9999);
  sig.rdata[1] = static_cast<uint8_t>(dns::RRType::NS);
  m.answer.push_back(sig);
  EXPECT_EQ(judge(m).ttl, 300u);
}

TEST(DsVerdict, NodataWithTheParentsSoaIsLacks) {
  auto m = answer();
  m.authority.push_back(soa(name("test.")));
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::lacks) << v.reason;
  EXPECT_EQ(v.reason, "lacks it (NODATA)");
  EXPECT_FALSE(v.ttl);
}

TEST(DsVerdict, NxdomainWithTheParentsSoaIsLacks) {
  auto m = answer(3);
  m.authority.push_back(soa(name("test.")));
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::lacks) << v.reason;
  EXPECT_EQ(v.reason, "lacks it (NXDOMAIN)");
}

// RFC 4035 section 3.1.4.1: a server of the child only answers from the
// child's apex; that is no evidence about the parent.
TEST(DsVerdict, NodataFromTheChildApexIsUnknown) {
  auto m = answer();
  m.authority.push_back(soa(zone()));
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_NE(v.reason.find("child zone's apex"), std::string::npos) << v.reason;
}

TEST(DsVerdict, DenialWithoutSoaIsUnknown) {
  auto m = answer();
  const dns::Name ns = name("ns.child.test.");  // one object: begin() and end() of the same wire
  m.authority.push_back(record(zone(), dns::RRType::NS, 300, dns::Rdata(ns.wire().begin(), ns.wire().end())));
  EXPECT_EQ(judge(m).presence, DsPresence::unknown);
  EXPECT_EQ(judge(answer()).presence, DsPresence::unknown);
}

TEST(DsVerdict, NotAuthoritativeIsUnknown) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)});
  m.header.aa = false;
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_EQ(v.reason, "answer not authoritative (AA clear)");
}

TEST(DsVerdict, ServfailAndRefusedAreUnknown) {
  EXPECT_EQ(judge(answer(2)).reason, "answered SERVFAIL");
  EXPECT_EQ(judge(answer(5)).presence, DsPresence::unknown);
  EXPECT_EQ(judge(answer(5)).reason, "answered REFUSED");
}

TEST(DsVerdict, WrongQuestionIsUnknown) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)});
  m.questions[0].qname = name("other.test.");
  EXPECT_EQ(judge(m).presence, DsPresence::unknown);
  EXPECT_NE(judge(m).reason.find("another question (other.test. DS)"), std::string::npos) << judge(m).reason;
  m.questions[0] = {zone(), dns::RRType::DNSKEY, dns::RRClass::IN};
  EXPECT_EQ(judge(m).presence, DsPresence::unknown);
  m.questions.clear();
  EXPECT_EQ(judge(m).presence, DsPresence::unknown);
}

TEST(DsVerdict, QuestionNameComparesCaseInsensitively) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)});
  m.questions[0].qname = name("CHILD.Test.");
  m.answer[0].owner = name("Child.TEST.");
  EXPECT_EQ(judge(m).presence, DsPresence::has);
}

TEST(DsVerdict, TruncatedOrQueryMessagesAreUnknown) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)});
  m.header.tc = true;
  EXPECT_EQ(judge(m).reason, "sent a truncated answer");
  m.header.tc = false;
  m.header.qr = false;
  EXPECT_EQ(judge(m).presence, DsPresence::unknown);
}

TEST(DsVerdict, DsOfAnotherOwnerIsNotTheZones) {
  auto m = answer();
  m.answer.push_back(record(name("other.test."), dns::RRType::DS, 3600, ds(12345, 13, 2, 0xAB)));
  const auto v = judge(m);
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_NE(v.reason.find("no DS RRset for the zone"), std::string::npos) << v.reason;
}

TEST(DsVerdict, FailedTsigIsUnknownWhateverTheAnswerSays) {
  const auto v =
      judge(with_ds({ds(12345, 13, 2, 0xAB)}), {DsTsigCheck::Outcome::failed, "server says BADSIG"});
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_EQ(v.reason, "failed TSIG: server says BADSIG");
}

TEST(DsVerdict, UnauthenticatedIsUnknownUnlessExplicitlyAccepted) {
  const auto m = with_ds({ds(12345, 13, 2, 0xAB)});
  const DsTsigCheck none{DsTsigCheck::Outcome::no_key, ""};
  const auto v = ds_verdict(key_12345(), m, none, false);
  EXPECT_EQ(v.presence, DsPresence::unknown);
  EXPECT_EQ(v.reason,
            "answer not authenticated (no TSIG key; DNSSEC validation of DS answers is not built yet)");
  EXPECT_EQ(ds_verdict(key_12345(), m, none, true).presence, DsPresence::has);
}

TEST(DsExpectation, RefusesEmptyShortOrMixedKeys) {
  EXPECT_FALSE(DsExpectation::create(zone(), {}));
  EXPECT_FALSE(DsExpectation::create(zone(), {dns::Rdata{0x30, 0x39, 13, 2}}));
  auto mixed = DsExpectation::create(zone(), {ds(12345, 13, 2, 1), ds(12346, 13, 2, 1)});
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().detail.find("zone child.test.: "), std::string::npos) << mixed.error().detail;
  const auto e = key_12345();
  EXPECT_EQ(e.key_tag(), 12345);
  EXPECT_EQ(e.algorithm(), 13);
}

std::vector<uint8_t> wire_of(const dns::Message& m) {
  dns::MessageBuilder b(m.header, dns::kMaxTcpMessage);
  for (const auto& q : m.questions) EXPECT_EQ(b.add_question(q), dns::AddResult::added);
  for (auto s : {dns::Section::answer, dns::Section::authority}) {
    for (const auto& r : m.section(s)) EXPECT_EQ(b.add_record(s, r), dns::AddResult::added);
  }
  return std::move(b).finish();
}

TEST(DsMalformed, WireRoundTripGivesTheSameVerdict) {
  auto m = with_ds({ds(12345, 13, 2, 0xAB)}, 600);
  m.answer.push_back(ds_rrsig(600, 3600));
  const auto v = ds_verdict_from_wire(key_12345(), wire_of(m), kVerified, false);
  EXPECT_EQ(v.presence, DsPresence::has) << v.reason;
  EXPECT_EQ(v.ttl, 3600u);
}

TEST(DsMalformed, GarbageNeverCrashesAndIsUnknown) {
  const auto e = key_12345();
  const auto good = wire_of(with_ds({ds(12345, 13, 2, 0xAB)}));
  EXPECT_EQ(ds_verdict_from_wire(e, {}, kVerified, false).presence, DsPresence::unknown);
  std::mt19937 rng(20261203);
  size_t has = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 600);
      for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    } else {
      // The good answer with a few octets flipped or cut short.
      bytes = good;
      for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    }
    const auto v = ds_verdict_from_wire(e, bytes, kVerified, false);
    EXPECT_FALSE(v.reason.empty());
    if (i % 2 == 0) {
      EXPECT_EQ(v.presence, DsPresence::unknown) << v.reason;
    }
    has += v.presence == DsPresence::has ? 1 : 0;
  }
  // Random bytes are never an answer; flipped ones only when the flips
  // missed every field that matters (a HAS still holds the DS itself).
  EXPECT_LT(has, 10000u);
  EXPECT_EQ(ds_verdict_from_wire(e, std::vector<uint8_t>(12, 0xFF), kVerified, false).presence,
            DsPresence::unknown);
}

DsAddressVerdict at(const char* agent, DsVerdict v) { return {agent, std::move(v)}; }
DsVerdict has(uint32_t ttl = 3600) { return {DsPresence::has, "has it", ttl}; }
DsVerdict lacks() { return {DsPresence::lacks, "lacks it", std::nullopt}; }

TEST(DsRound, EveryAddressHasItIsPublishedWithTheLargestTtl) {
  const auto r = aggregate_ds_round(
      12345, DsWant::published,
      {at("192.0.2.1@53", has(3600)), at("192.0.2.2@53", has(86400)), at("[2001:db8::1]@53", has(300))});
  EXPECT_EQ(r.outcome, DsRoundOutcome::published);
  EXPECT_EQ(r.ds_ttl, 86400u);
  EXPECT_EQ(r.reason, "DS of key 12345 published at all 3 parental-agent addresses");
  EXPECT_EQ(r.verdicts.size(), 3u);
}

TEST(DsRound, OneUnknownBlocksAndTheReasonNamesTheOthers) {
  const auto r = aggregate_ds_round(12345, DsWant::published,
                                    {at("192.0.2.1@53", lacks()), at("192.0.2.3@53", has()),
                                     at("192.0.2.2@53", ds_unknown("timed out after 2 attempts"))});
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  EXPECT_EQ(r.reason,
            "waiting for DS of key 12345 at 2 of 3 parental-agent addresses: 192.0.2.1@53 lacks it, "
            "192.0.2.2@53 timed out after 2 attempts");
  EXPECT_EQ(aggregate_ds_round(1, DsWant::published, {at("a", has()), at("b", ds_unknown("x"))}).outcome,
            DsRoundOutcome::undecided);
}

TEST(DsRound, EveryAddressLacksItIsWithdrawn) {
  const auto r =
      aggregate_ds_round(7, DsWant::withdrawn, {at("192.0.2.1@53", lacks()), at("192.0.2.2@53", lacks())});
  EXPECT_EQ(r.outcome, DsRoundOutcome::withdrawn);
  EXPECT_EQ(r.reason, "DS of key 7 withdrawn at all 2 parental-agent addresses");
  EXPECT_FALSE(r.ds_ttl);
}

TEST(DsRound, WaitingForWithdrawalNamesWhoStillHasIt) {
  const auto r =
      aggregate_ds_round(7, DsWant::withdrawn, {at("192.0.2.1@53", lacks()), at("192.0.2.2@53", has())});
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  EXPECT_EQ(r.reason,
            "waiting for the withdrawal of the DS of key 7 at 1 of 2 parental-agent addresses: 192.0.2.2@53 "
            "has it");
}

// The outcome is a fact about the parent, whatever the caller waits for.
TEST(DsRound, OutcomeDoesNotDependOnWant) {
  const auto r = aggregate_ds_round(7, DsWant::published, {at("192.0.2.1@53", lacks())});
  EXPECT_EQ(r.outcome, DsRoundOutcome::withdrawn);
  EXPECT_EQ(r.reason, "waiting for DS of key 7 at 1 of 1 parental-agent address: 192.0.2.1@53 lacks it");
}

TEST(DsRound, NoAddressesIsUndecided) {
  const auto r = aggregate_ds_round(7, DsWant::published, {});
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  EXPECT_NE(r.reason.find("no parental-agent addresses"), std::string::npos);
}

// query_ds and check_ds against named.

constexpr uint16_t kNamedPort = 24100;
constexpr uint16_t kDownPort = 24101;
constexpr const char* kSecretB64 = "ZHMtY2hlY2sta2V5LWZvci1zaWduZXJkLXRlc3RzLTMy";

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

bool have(const char* tool) { return !run(std::string("command -v ") + tool).empty(); }

TsigKey key(uint8_t flip = 0) {
  const std::string text = "ds-check-key-for-signerd-tests-32";
  std::vector<uint8_t> s(text.begin(), text.end());
  s.back() ^= flip;
  return TsigKey(name("ds-key."), TsigAlgorithm::hmac_sha256, std::move(s));
}

// A KSK-looking DNSKEY (flags 257, protocol 3, ECDSAP256SHA256) whose
// public key is `seed` repeated: named never checks it.
dns::Rdata dnskey(uint8_t seed) {
  dns::Rdata rd{0x01, 0x01, 3, 13};
  rd.insert(rd.end(), 64, seed);
  return rd;
}

std::string base64(const dns::Rdata& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

template <class T>
asio::awaitable<void> store(asio::awaitable<T> task, std::optional<T>* out) {
  out->emplace(co_await std::move(task));
}

// Runs one coroutine to completion on a fresh io_context (Result has no
// default constructor, which asio::use_future needs).
template <class T>
T run_io(asio::awaitable<T> task) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, store(std::move(task), &out), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return std::move(*out);
}

class DsNamed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have("/usr/sbin/named") || !have("dig") || !have("dnssec-dsfromkey")) return;
    dir_ = std::filesystem::temp_directory_path() / ("signerd-ds-named-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write_zone();
    write_config();
    // A server left on our port would answer for the one we start.
    if (const auto soa = soa_serial(); !soa.empty() && soa.find(";;") == std::string::npos) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string conf = (dir_ / "named.conf").string();
      const std::string log = (dir_ / "named.log").string();
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execl("/usr/sbin/named", "named", "-g", "-n", "1", "-4", "-c", conf.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !ready_; ++i) {
      ready_ = soa_serial().find("2026120301") != std::string::npos;
      if (!ready_) std::this_thread::sleep_for(100ms);
    }
  }

  // dig +short: the SOA, or ";;" lines when nothing answers.
  static std::string soa_serial() {
    return run("dig @127.0.0.1 -p " + std::to_string(kNamedPort) + " +short +tries=1 +time=1 test. SOA");
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void SetUp() override {
    if (dir_.empty()) GTEST_SKIP() << "BIND (named, dig, dnssec-dsfromkey) is not installed";
    ASSERT_GT(pid_, 0) << "port " << kNamedPort << " is taken by another server";
    ASSERT_TRUE(ready_) << "named did not start; its log:\n" << run("cat " + (dir_ / "named.log").string());
  }

  // child.test.'s DS by dnssec-dsfromkey, SHA-256, TTL 7200.
  static void write_zone() {
    const dns::Rdata key7 = dnskey(7);
    std::ofstream(dir_ / "child.dnskey")
        << "child.test. 3600 IN DNSKEY 257 3 13 " << base64(dns::Rdata(key7.begin() + 4, key7.end())) << "\n";
    const std::string ds_line =
        run("dnssec-dsfromkey -2 -f " + (dir_ / "child.dnskey").string() + " child.test.");
    std::ofstream z(dir_ / "test.zone");
    z << "$TTL 300\n@ SOA ns.test. admin.test. 2026120301 3600 900 604800 300\n@ NS ns.test.\n"
      << "ns A 127.0.0.1\nchild NS ns.child\nns.child A 127.0.0.1\n"
      << ds_line.substr(0, ds_line.find(" IN ")) << " 7200 " << ds_line.substr(ds_line.find(" IN ") + 1)
      << "nods NS ns.child\nbig NS ns.child\n";
    // More DS than fit in 1232 octets: named sets TC over UDP.
    for (int i = 0; i < 40; ++i) z << "big DS " << 1000 + i << " 13 4 " << std::string(96, 'A') << "\n";
  }

  static void write_config() {
    std::ofstream(dir_ / "named.conf")
        << "options {\n  directory \"" << dir_.string() << "\";\n  pid-file none;\n  session-keyfile none;\n"
        << "  listen-on port " << kNamedPort << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n"
        << "  recursion no;\n  notify no;\n  dnssec-validation no;\n};\n"
        << "key \"ds-key.\" { algorithm hmac-sha256; secret \"" << kSecretB64 << "\"; };\n"
        << "controls { };\nzone \"test.\" { type primary; file \"test.zone\"; };\n";
  }

  static asio::ip::udp::endpoint at(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

  static std::vector<dns::Rdata> expected_for(uint8_t seed) {
    return {ds_from_dnskey(zone(), dnskey(seed), 2), ds_from_dnskey(zone(), dnskey(seed), 4)};
  }

  DsRound round(std::vector<DsAgent> agents, std::vector<dns::Rdata> expected, DsCheckOptions options = {}) {
    options.timeout = 500ms;
    return run_io(check_ds(std::move(agents), zone(), std::move(expected), options, clock_));
  }

  DsAnswer query(const char* qname, const TsigKey* k) {
    return run_io(query_ds(at(kNamedPort), name(qname), k, 2000ms, clock_));
  }

  static inline std::filesystem::path dir_;
  static inline pid_t pid_ = -1;
  static inline bool ready_ = false;
  base::SystemClock clock_;
};

TEST_F(DsNamed, PublishedDsIsPublishedForTheMatchingKey) {
  const TsigKey k = key();
  const auto r = round({{at(kNamedPort), &k}}, expected_for(7));
  EXPECT_EQ(r.outcome, DsRoundOutcome::published) << r.reason;
  EXPECT_EQ(r.reason,
            "DS of key " + std::to_string(key_tag(dnskey(7))) + " published at all 1 parental-agent address");
  EXPECT_EQ(r.ds_ttl, 7200u);
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].agent, "127.0.0.1@24100");
}

TEST_F(DsNamed, AnotherKeyLacksIt) {
  const TsigKey k = key();
  const auto r = round({{at(kNamedPort), &k}}, expected_for(8), {.want = DsWant::withdrawn});
  EXPECT_EQ(r.outcome, DsRoundOutcome::withdrawn) << r.reason;
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].verdict.reason, "lacks it (1 other DS)");
}

TEST_F(DsNamed, WrongTsigKeyIsUnknown) {
  const TsigKey wrong = key(1);
  const auto r = round({{at(kNamedPort), &wrong}}, expected_for(7));
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].verdict.presence, DsPresence::unknown);
  EXPECT_NE(r.verdicts[0].verdict.reason.find("failed TSIG"), std::string::npos) << r.reason;
  EXPECT_NE(r.verdicts[0].verdict.reason.find("BADSIG"), std::string::npos) << r.reason;
}

TEST_F(DsNamed, NoKeyIsUnknownUnlessAcceptedForLabs) {
  auto r = round({{at(kNamedPort), nullptr}}, expected_for(7));
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].verdict.reason, kDsNotAuthenticated);
  r = round({{at(kNamedPort), nullptr}}, expected_for(7), {.accept_unauthenticated = true});
  EXPECT_EQ(r.outcome, DsRoundOutcome::published) << r.reason;
}

TEST_F(DsNamed, SecondAddressDownIsUndecided) {
  const TsigKey k = key();
  const auto r = round({{at(kNamedPort), &k}, {at(kDownPort), &k}}, expected_for(7));
  EXPECT_EQ(r.outcome, DsRoundOutcome::undecided);
  ASSERT_EQ(r.verdicts.size(), 2u);
  EXPECT_EQ(r.verdicts[0].verdict.presence, DsPresence::has);
  EXPECT_EQ(r.verdicts[1].verdict.presence, DsPresence::unknown);
  EXPECT_NE(r.reason.find(
                "at 1 of 2 parental-agent addresses: 127.0.0.1@24101 UDP timed out after 500 ms, then TCP"),
            std::string::npos)
      << r.reason;
  EXPECT_EQ(r.ds_ttl, 7200u);
}

TEST_F(DsNamed, QueryAsksWithDoAndTsigAndGetsAnAuthoritativeAnswer) {
  const TsigKey k = key();
  auto a = query("child.test.", &k);
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_FALSE(a->over_tcp);
  EXPECT_EQ(a->tsig.outcome, DsTsigCheck::Outcome::verified) << a->tsig.detail;
  EXPECT_TRUE(a->message.header.aa);
  EXPECT_FALSE(a->message.header.rd);  // echoed from our query
  ASSERT_TRUE(a->message.edns);
  EXPECT_TRUE(a->message.edns->dnssec_ok);
}

TEST_F(DsNamed, DelegationWithoutDsAndAbsentNameAreLacks) {
  const TsigKey k = key();
  for (const char* qname : {"nods.test.", "absent.test."}) {
    SCOPED_TRACE(qname);
    auto a = query(qname, &k);
    ASSERT_TRUE(a) << a.error().detail;
    auto e = DsExpectation::create(name(qname), expected_for(7));
    ASSERT_TRUE(e);
    const auto v = ds_verdict(*e, a->message, a->tsig, false);
    EXPECT_EQ(v.presence, DsPresence::lacks) << v.reason;
  }
}

TEST_F(DsNamed, TruncatedAnswerIsRetriedOverTcp) {
  const TsigKey k = key();
  auto a = query("big.test.", &k);
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_TRUE(a->over_tcp);
  EXPECT_EQ(a->tsig.outcome, DsTsigCheck::Outcome::verified) << a->tsig.detail;
  EXPECT_EQ(a->message.answer.size(), 40u);
}

TEST_F(DsNamed, ErrorsNameTheZoneAndTheAgent) {
  auto a = run_io(query_ds(at(kDownPort), zone(), nullptr, 200ms, clock_));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, base::Errc::io);
  EXPECT_NE(a.error().detail.find("zone child.test.: DS query to 127.0.0.1@24101: UDP timed out"),
            std::string::npos)
      << a.error().detail;
}

}  // namespace
}  // namespace signerd::xfr
