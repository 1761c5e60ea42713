// Our chains, DS and signing input beside BIND's dnssec-signzone and
// ldns-signzone on the same zone, with a throw-away Ed25519 key in a
// temporary directory. Skipped when the tools are not installed.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "dns/rdata_text.hpp"
#include "dnssec/dnskey.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec/nsec3_chain.hpp"
#include "dnssec/nsec_chain.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signing_input.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

namespace fs = std::filesystem;
using dns::RRType;

using testing::have;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// (lowercased owner, type, RDATA) of the records of `types` in a signed zone file.
using RecordSet = std::set<std::tuple<std::string, uint16_t, dns::Rdata>>;

RecordSet denial_records(const std::string& text, std::set<RRType> types, uint32_t expected_ttl) {
  RecordSet out;
  for (const auto& r : testing::records(text, "example.")) {
    if (!types.contains(r.type)) continue;
    EXPECT_EQ(r.ttl, expected_ttl) << r.owner.to_text();
    out.insert({r.owner.lowercased().to_text(), dns::code(r.type), r.rdata});
  }
  return out;
}

RecordSet ours(const DenialChain& chain) {
  RecordSet out;
  for (const auto& r : chain.records)
    out.insert({r.owner.lowercased().to_text(), dns::code(chain.type), r.rdata});
  return out;
}

std::string show(const RecordSet& s) {
  std::string out;
  for (const auto& [owner, type, rd] : s) {
    out += owner + " " + dns::rdata_to_text(static_cast<RRType>(type), rd) + "\n";
  }
  return out;
}

class ToolCrossCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("dnssec-keygen")) GTEST_SKIP() << "dnssec-keygen not installed";
    char tmpl[] = "/tmp/dnssec-crosscheck-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(run("dnssec-keygen -q -a ED25519 -K . example. > keyname"), 0);
    key_base_ = slurp(dir_ / "keyname");
    key_base_.erase(key_base_.find_last_not_of("\n ") + 1);
    auto keys = testing::records(slurp(dir_ / (key_base_ + ".key")), "example.");
    ASSERT_EQ(keys.size(), 1u);
    key_ = keys[0].rdata;
    // The key in the zone itself: ldns-signzone reads no $INCLUDE.
    std::ofstream(dir_ / "zone.db") << testing::kCornerZone << "example. 3600 IN DNSKEY "
                                    << dns::rdata_to_text(RRType::DNSKEY, key_) << "\n";
    zone_ = testing::zone(testing::kCornerZone, "example.");
    ASSERT_TRUE(zone_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  int run(const std::string& command) {
    return std::system(("cd '" + dir_.string() + "' && (" + command + ") >/dev/null 2>&1").c_str());
  }

  fs::path dir_;
  std::string key_base_;
  dns::Rdata key_;
  std::shared_ptr<const dns::ZoneVersion> zone_;
};

constexpr RRType kNsecApex[] = {RRType::DNSKEY};
constexpr RRType kNsec3Apex[] = {RRType::DNSKEY, RRType::NSEC3PARAM};

TEST_F(ToolCrossCheck, NsecChainMatchesDnssecSignzoneAndLdnsSignzone) {
  auto chain = build_nsec_chain(*zone_, kNsecApex);
  ASSERT_TRUE(chain);
  if (have("dnssec-signzone")) {
    ASSERT_EQ(run("dnssec-signzone -z -o example. -f bind.signed zone.db"), 0);
    auto theirs = denial_records(slurp(dir_ / "bind.signed"), {RRType::NSEC}, chain->ttl);
    EXPECT_EQ(show(ours(*chain)), show(theirs));
  }
  if (have("ldns-signzone")) {
    ASSERT_EQ(run("ldns-signzone -o example. -f ldns.signed zone.db " + key_base_), 0);
    auto theirs = denial_records(slurp(dir_ / "ldns.signed"), {RRType::NSEC}, chain->ttl);
    EXPECT_EQ(show(ours(*chain)), show(theirs));
  }
}

TEST_F(ToolCrossCheck, Nsec3ChainMatchesDnssecSignzoneWithAndWithoutOptOut) {
  if (!have("dnssec-signzone")) GTEST_SKIP() << "dnssec-signzone not installed";
  for (bool opt_out : {false, true}) {
    Nsec3Params p;
    p.opt_out = opt_out;
    auto chain = build_nsec3_chain(*zone_, p, kNsec3Apex);
    ASSERT_TRUE(chain);
    ASSERT_EQ(run(std::string("dnssec-signzone -z -3 - -H 0 ") + (opt_out ? "-A " : "") +
                  "-o example. -f bind3.signed zone.db"),
              0);
    auto theirs = denial_records(slurp(dir_ / "bind3.signed"), {RRType::NSEC3}, chain->ttl);
    EXPECT_EQ(show(ours(*chain)), show(theirs)) << "opt-out " << opt_out;
  }
}

TEST_F(ToolCrossCheck, Nsec3ChainMatchesLdnsSignzone) {
  // Only without opt-out: ldns-signzone -p sets the flag but keeps insecure
  // delegations, which RFC 5155 7.1 allows ("MAY be excluded").
  if (!have("ldns-signzone")) GTEST_SKIP() << "ldns-signzone not installed";
  auto chain = build_nsec3_chain(*zone_, Nsec3Params{}, kNsec3Apex);
  ASSERT_TRUE(chain);
  ASSERT_EQ(run("ldns-signzone -n -t 0 -o example. -f ldns3.signed zone.db " + key_base_), 0);
  auto theirs = denial_records(slurp(dir_ / "ldns3.signed"), {RRType::NSEC3}, chain->ttl);
  EXPECT_EQ(show(ours(*chain)), show(theirs));
}

TEST_F(ToolCrossCheck, DsAndKeyTagMatchDnssecDsfromkey) {
  if (!have("dnssec-dsfromkey")) GTEST_SKIP() << "dnssec-dsfromkey not installed";
  ASSERT_EQ(run("dnssec-dsfromkey -2 " + key_base_ + ".key > ds2 && dnssec-dsfromkey -a SHA-384 " +
                key_base_ + ".key > ds4"),
            0);
  for (auto [file, digest] : {std::pair{"ds2", DsDigest::sha256}, std::pair{"ds4", DsDigest::sha384}}) {
    auto theirs = testing::records(slurp(dir_ / file), "example.");
    ASSERT_EQ(theirs.size(), 1u);
    auto mine = make_ds_rdata(testing::name("example."), key_, digest);
    ASSERT_TRUE(mine);
    EXPECT_EQ(*mine, theirs[0].rdata) << file;
  }
  // The file name carries the tag, zero-padded to five digits: Kexample.+015+06300.
  EXPECT_EQ(key_tag(key_), std::stoul(key_base_.substr(key_base_.rfind('+') + 1)));
}

// Every RRSIG dnssec-signzone wrote verifies over our signing input for the
// RRset it covers: canonical owner, wildcard, RDATA order, TTL, signer.
TEST_F(ToolCrossCheck, DnssecSignzoneSignaturesVerifyOverOurSigningInput) {
  if (!have("dnssec-signzone")) GTEST_SKIP() << "dnssec-signzone not installed";
  ASSERT_EQ(run("dnssec-signzone -z -o example. -f bind.signed zone.db"), 0);
  std::map<std::pair<std::string, uint16_t>, std::vector<dns::Rdata>> rrsets;
  std::vector<testing::TextRecord> sigs;
  for (auto& r : testing::records(slurp(dir_ / "bind.signed"), "example.")) {
    if (r.type == RRType::RRSIG) {
      sigs.push_back(std::move(r));
    } else {
      rrsets[{r.owner.lowercased().to_text(), dns::code(r.type)}].push_back(r.rdata);
    }
  }
  ASSERT_GT(sigs.size(), 8u);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key_.data() + 4, key_.size() - 4),
      EVP_PKEY_free);
  ASSERT_TRUE(pkey);
  for (const auto& s : sigs) {
    auto sig = parse_rrsig_rdata(s.rdata);
    ASSERT_TRUE(sig);
    const auto& rds = rrsets[{s.owner.lowercased().to_text(), dns::code(sig->fields.type_covered)}];
    std::vector<std::span<const uint8_t>> spans(rds.begin(), rds.end());
    auto input = signing_input(sig->fields, s.owner, dns::RRClass::IN, spans);
    ASSERT_TRUE(input) << s.owner.to_text();
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), 1);
    EXPECT_EQ(EVP_DigestVerify(ctx.get(), sig->signature.data(), sig->signature.size(), input->data(),
                               input->size()),
              1)
        << s.owner.to_text() << " RRSIG " << dns::to_text(sig->fields.type_covered);
    EXPECT_EQ(sig->fields.labels, rrsig_labels(s.owner)) << s.owner.to_text();
  }
}

}  // namespace
}  // namespace signerd::dnssec
