// verify_zone judged on zones from sign_zone and from BIND's
// dnssec-signzone, and on one-line mutations of them, each of which must be
// rejected with the owner that is wrong. BIND checks are skipped when the
// tools are not installed.
#include "dnssec/verify_zone.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "dns/zone_file.hpp"
#include "dnssec/nsec3_hash.hpp"
#include "dnssec/zone_signer.hpp"
#include "dnssec_test_util.hpp"
#include "hsm/pem_key_store.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

namespace fs = std::filesystem;
using dns::RRType;
using testing::have;

const std::string kZone = std::string(testing::kCornerZone) + R"(
mail A 192.0.2.25
www CNAME mail.example.
)";

base::TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces the first line of `text` whose owner is `owner` and which holds
// `part` (" IN RRSIG A ", whatever the TTL) by edit(line); an empty result
// removes the line.
std::string edit_line(const std::string& text, const std::string& owner, const std::string& part,
                      const std::function<std::string(const std::string&)>& edit) {
  std::string out;
  bool found = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!found && line.starts_with(owner + " ") && line.find(part) != std::string::npos) {
      found = true;
      line = edit(line);
      if (line.empty()) continue;
    }
    out += line + "\n";
  }
  EXPECT_TRUE(found) << "no " << owner << " line with " << part;
  return out;
}

std::string line_of(const std::string& text, const std::string& owner, const std::string& part) {
  std::string found;
  edit_line(text, owner, part, [&](const std::string& line) {
    found = line;
    return line;
  });
  return found;
}

class VerifyZoneTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    zone_ = testing::zone(kZone, "example.");
    ASSERT_TRUE(zone_);
  }

  SigningKey make_key(uint16_t flags, KeyRole role, const std::string& label,
                      hsm::Algorithm alg = hsm::Algorithm::ecdsap256sha256) {
    return ToolDirTest::make_key(alg, flags, role, label);
  }
  std::shared_ptr<const dns::ZoneVersion> sign(std::vector<SigningKey> keys,
                                               const SigningParams& params = {}) {
    auto signed_zone = sign_zone(*zone_, ZoneKeys{store_.get(), std::move(keys)}, params, now_);
    EXPECT_TRUE(signed_zone) << signed_zone.error().to_string();
    return signed_zone ? *signed_zone : nullptr;
  }
  std::string signed_text(std::vector<SigningKey> keys, const SigningParams& params = {}) {
    auto z = sign(std::move(keys), params);
    std::string text;
    if (z) dns::write_zone(*z, text);
    return text;
  }
  std::string csk_text() { return signed_text({make_key(257, KeyRole::csk, "csk")}); }
  static std::shared_ptr<const dns::ZoneVersion> parse(const std::string& text) {
    return testing::zone(text, "example.");
  }
  void expect_valid(const std::shared_ptr<const dns::ZoneVersion>& z, RRType denial,
                    const VerifyOptions& options = {}, base::TimePoint now = {}) {
    ASSERT_TRUE(z);
    auto report = verify_zone(*z, now == base::TimePoint{} ? now_ : now, options);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->denial, denial);
    EXPECT_GT(report->rrsets, 5u);
    EXPECT_GE(report->signatures, report->rrsets);
    EXPECT_GT(report->denial_records, 5u);
  }
  // The verifier rejects `text` with a detail holding every one of `words`.
  void expect_rejected(const std::string& text, std::initializer_list<std::string> words,
                       base::TimePoint now = {}) {
    auto z = parse(text);
    ASSERT_TRUE(z);
    auto report = verify_zone(*z, now == base::TimePoint{} ? now_ : now);
    ASSERT_FALSE(report) << "accepted:\n" << text;
    RecordProperty("detail", report.error().detail);
    for (const auto& w : words)
      EXPECT_NE(report.error().detail.find(w), std::string::npos) << report.error().detail;
  }

  std::shared_ptr<const dns::ZoneVersion> zone_;
  base::TimePoint now_ = system_now();
};

TEST_F(VerifyZoneTest, NsecCskZoneVerifies) {
  expect_valid(sign({make_key(257, KeyRole::csk, "csk")}), RRType::NSEC);
}

TEST_F(VerifyZoneTest, NsecZoneVerifiesAfterATextRoundTrip) { expect_valid(parse(csk_text()), RRType::NSEC); }

TEST_F(VerifyZoneTest, Nsec3ZoneVerifies) {
  SigningParams params;
  params.denial = Nsec3Params{kNsec3HashSha1, 5, {0xab, 0xcd}, false};
  expect_valid(sign({make_key(257, KeyRole::csk, "csk")}, params), RRType::NSEC3);
}

TEST_F(VerifyZoneTest, Nsec3OptOutZoneVerifies) {
  SigningParams params;
  params.denial = Nsec3Params{kNsec3HashSha1, 0, {}, true};
  expect_valid(sign({make_key(257, KeyRole::csk, "csk")}, params), RRType::NSEC3);
}

TEST_F(VerifyZoneTest, KskZskZoneVerifiesAlsoWhenTheDnskeyRrsetMustBeSignedBySep) {
  auto z = sign({make_key(257, KeyRole::ksk, "ksk"), make_key(256, KeyRole::zsk, "zsk")});
  expect_valid(z, RRType::NSEC);
  expect_valid(z, RRType::NSEC, VerifyOptions{true, true});
}

TEST_F(VerifyZoneTest, TwoAlgorithmZoneVerifies) {
  expect_valid(
      sign({make_key(257, KeyRole::csk, "p256"), make_key(257, KeyRole::csk, "ed", hsm::Algorithm::ed25519)}),
      RRType::NSEC);
}

TEST_F(VerifyZoneTest, DnskeySignedOnlyByAZskFailsTheSepRule) {
  auto z = sign({make_key(256, KeyRole::csk, "zsk-flag csk")});
  ASSERT_TRUE(z);
  EXPECT_TRUE(verify_zone(*z, now_));
  auto report = verify_zone(*z, now_, VerifyOptions{true, true});
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().detail.find("example. DNSKEY: no valid RRSIG by a SEP key"), std::string::npos)
      << report.error().detail;
}

TEST_F(VerifyZoneTest, AlteredRecordIsRejected) {
  expect_rejected(edit_line(csk_text(), "mail.example.", " IN A ",
                            [](auto&) { return "mail.example. 3600 IN A 192.0.2.26"; }),
                  {"mail.example. A:", "signature does not verify"});
}

TEST_F(VerifyZoneTest, RemovedRrsigIsRejected) {
  expect_rejected(edit_line(csk_text(), "mail.example.", " IN RRSIG A ", [](auto&) { return ""; }),
                  {"mail.example. A:", "no valid RRSIG"});
}

// "mail.example. 3600 IN ..." with the TTL replaced by `ttl`.
std::string with_ttl(const std::string& line, const std::string& ttl) {
  const size_t from = line.find(' ') + 1;
  return line.substr(0, from) + ttl + line.substr(line.find(' ', from));
}

// RFC 4034 section 3: an RRSIG's TTL is its covered RRset's.
TEST_F(VerifyZoneTest, RrsigTtlOtherThanTheCoveredRRsetsIsRejected) {
  expect_rejected(
      edit_line(csk_text(), "mail.example.", " IN RRSIG A ",
                [](const std::string& l) { return with_ttl(l, "60"); }),
      {"mail.example. RRSIG:", "RRSIG covering A: TTL 60 differs from the covered RRset's TTL 3600"});
}

// RFC 4034 section 3.1.4: the original TTL field is the covered RRset's
// TTL, even when the RRSIG's own TTL was changed along with the RRset's.
TEST_F(VerifyZoneTest, OriginalTtlOtherThanTheCoveredRRsetsIsRejected) {
  std::string text = edit_line(csk_text(), "mail.example.", " IN RRSIG A ",
                               [](const std::string& l) { return with_ttl(l, "60"); });
  text = edit_line(text, "mail.example.", " IN A ", [](const std::string& l) { return with_ttl(l, "60"); });
  expect_rejected(text, {"mail.example. A:", "original TTL 3600 differs from the RRset TTL 60"});
}

TEST_F(VerifyZoneTest, RemovedNsecIsRejected) {
  expect_rejected(edit_line(csk_text(), "mail.example.", " IN NSEC ", [](auto&) { return ""; }),
                  {"mail.example. NSEC:", "no NSEC"});
}

TEST_F(VerifyZoneTest, ChangedBitmapIsRejected) {
  expect_rejected(
      edit_line(csk_text(), "mail.example.", " IN NSEC ", [](const std::string& l) { return l + " TXT"; }),
      {"mail.example. NSEC:", "bitmap lists A TXT RRSIG NSEC"});
}

TEST_F(VerifyZoneTest, ExpiredSignatureIsRejected) {
  expect_rejected(csk_text(), {"example. ", "signature expired"}, now_ + std::chrono::days(30));
}

TEST_F(VerifyZoneTest, NotYetValidSignatureIsRejected) {
  expect_rejected(csk_text(), {"example. ", "not yet valid"}, now_ - std::chrono::days(1));
}

TEST_F(VerifyZoneTest, SignatureFromAKeyOutsideTheDnskeySetIsRejected) {
  std::string text = csk_text();
  std::string foreign =
      line_of(signed_text({make_key(257, KeyRole::csk, "other")}), "mail.example.", " IN RRSIG A ");
  expect_rejected(edit_line(text, "mail.example.", " IN RRSIG A ", [&](auto&) { return foreign; }),
                  {"mail.example. A:", "no such zone key in the DNSKEY RRset"});
}

TEST_F(VerifyZoneTest, RrsigOnGlueIsRejected) {
  std::string text = csk_text();
  std::string sig = line_of(text, "ns1.example.", " IN RRSIG A ");
  text += "ns.sub.example." + sig.substr(std::string("ns1.example.").size()) + "\n";
  expect_rejected(text, {"ns.sub.example. RRSIG:", "occluded"});
}

TEST_F(VerifyZoneTest, RrsigOnDelegationNsIsRejected) {
  std::string text = csk_text();
  std::string sig = line_of(text, "example.", " IN RRSIG NS ");
  text += "sub." + sig + "\n";
  expect_rejected(text, {"sub.example. RRSIG:", "delegation"});
}

TEST_F(VerifyZoneTest, RemovedNsec3IsRejected) {
  SigningParams params;
  params.denial = Nsec3Params{};
  std::string text = signed_text({make_key(257, KeyRole::csk, "csk")}, params);
  size_t at = text.find(" IN NSEC3 ");
  ASSERT_NE(at, std::string::npos);
  size_t start = text.rfind('\n', at) + 1;
  std::string owner = text.substr(start, text.find(' ', start) - start);
  expect_rejected(edit_line(text, owner, " IN NSEC3 ", [](auto&) { return ""; }),
                  {"NSEC3", owner.substr(0, 32)});
}

TEST_F(VerifyZoneTest, ChangedNsec3BitmapIsRejected) {
  SigningParams params;
  params.denial = Nsec3Params{};
  std::string text = signed_text({make_key(257, KeyRole::csk, "csk")}, params);
  auto hash = nsec3_hash(testing::name("mail.example."), Nsec3Params{});
  ASSERT_TRUE(hash);
  std::string label = base32hex_encode(*hash);
  expect_rejected(
      edit_line(text, label + ".example.", " IN NSEC3 ", [](const std::string& l) { return l + " TXT"; }),
      {"mail.example. NSEC3:", label, "bitmap lists A TXT RRSIG but the name has A RRSIG"});
}

TEST_F(VerifyZoneTest, ZoneWithoutAChainIsRejected) {
  std::string text;
  std::istringstream in(csk_text());
  for (std::string line; std::getline(in, line);) {
    if (line.find(" IN NSEC ") == std::string::npos && line.find(" RRSIG NSEC ") == std::string::npos)
      text += line + "\n";
  }
  expect_rejected(text, {"neither an NSEC nor an NSEC3 chain"});
}

// A zone signed by BIND with a throw-away KSK and ZSK (so that the SEP rule
// applies), with NSEC, NSEC3 and NSEC3 opt-out.
TEST_F(VerifyZoneTest, BindSignedZonesVerify) {
  if (!have("dnssec-signzone") || !have("dnssec-keygen")) GTEST_SKIP() << "BIND tools not installed";
  ASSERT_EQ(run("dnssec-keygen -q -a ED25519 -K . example. > zsk && dnssec-keygen -q -f KSK -a ED25519 -K . "
                "example. > ksk"),
            0)
      << tool_output();
  std::string zone_text = std::string(testing::kCornerZone);
  for (const char* which : {"zsk", "ksk"}) {
    std::string base = slurp(dir_ / which);
    base.erase(base.find_last_not_of("\n ") + 1);
    zone_text += slurp(dir_ / (base + ".key"));
  }
  std::ofstream(dir_ / "zone.db") << zone_text;
  for (const char* denial : {"", "-3 - -H 0 ", "-3 abcd -H 0 -A "}) {
    SCOPED_TRACE(denial);
    ASSERT_EQ(run(std::string("dnssec-signzone ") + denial + "-o example. -f bind.signed zone.db"), 0)
        << tool_output();
    auto z = parse(slurp(dir_ / "bind.signed"));
    ASSERT_TRUE(z);
    auto report = verify_zone(*z, system_now(), VerifyOptions{true, true});
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->denial, denial[0] != '\0' ? RRType::NSEC3 : RRType::NSEC);
    EXPECT_EQ(report->algorithms, 1u);
    EXPECT_GT(report->denial_records, 5u);
  }
}

}  // namespace
}  // namespace signerd::dnssec
