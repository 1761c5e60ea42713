// RRSIG RDATA and the signing input (RFC 4034 3.1, 3.1.8.1, 6.2, 6.3).
#include "dnssec/rrsig.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>

#include "dns/rrset.hpp"
#include "dnssec/signing_input.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using testing::from_hex;
using testing::name;
using testing::rdata;

RrsigFields sample_fields(dns::RRType type, const char* signer) {
  RrsigFields f;
  f.type_covered = type;
  f.algorithm = 8;
  f.labels = 2;
  f.original_ttl = 3600;
  f.expiration = 0x01020304;
  f.inception = 0x00abcdef;
  f.key_tag = 0x1234;
  f.signer = name(signer);
  return f;
}

TEST(RrsigLabels, Rfc4034Section3_1_3DoesNotCountRootOrWildcard) {
  EXPECT_EQ(rrsig_labels(name("www.example.com.")), 3);
  EXPECT_EQ(rrsig_labels(name("*.example.com.")), 2);
  EXPECT_EQ(rrsig_labels(name("example.")), 1);
  EXPECT_EQ(rrsig_labels(name(".")), 0);
  EXPECT_EQ(rrsig_labels(name("a.*.example.")), 3);  // "*" not leftmost: an ordinary label
}

TEST(Rrsig, BuildAndParseRoundTripWithLowercasedSigner) {
  RrsigFields f = sample_fields(dns::RRType::A, "Example.COM.");
  dns::Rdata rd = make_rrsig_rdata(f, from_hex("deadbeef"));
  EXPECT_EQ(rd, from_hex("0001 08 02 00000e10 01020304 00abcdef 1234 076578616d706c6503636f6d00 deadbeef"));
  auto parsed = parse_rrsig_rdata(rd);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  f.signer = name("example.com.");
  EXPECT_EQ(parsed->fields, f);
  EXPECT_EQ(parsed->signature, from_hex("deadbeef"));
}

TEST(Rrsig, ParseMatchesPresentationForm) {
  auto parsed =
      parse_rrsig_rdata(rdata("host.example.com. IN RRSIG A 5 3 86400 20030322173103 20030220173103 2642 "
                              "example.com. oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3"
                              "DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsL"
                              "NrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o="));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->fields.type_covered, dns::RRType::A);
  EXPECT_EQ(parsed->fields.algorithm, 5);
  EXPECT_EQ(parsed->fields.labels, 3);
  EXPECT_EQ(parsed->fields.original_ttl, 86400u);
  EXPECT_EQ(parsed->fields.expiration, 1048354263u);  // 2003-03-22 17:31:03 UTC
  EXPECT_EQ(parsed->fields.key_tag, 2642);
  EXPECT_EQ(parsed->fields.signer, name("example.com."));
  EXPECT_EQ(parsed->signature.size(), 128u);
}

TEST(Rrsig, ParseRejectsTruncatedOrUnsignedRdata) {
  EXPECT_FALSE(parse_rrsig_rdata(from_hex("0001 08 02 00000e10")));
  EXPECT_FALSE(parse_rrsig_rdata(from_hex("0001 08 02 00000e10 01020304 00abcdef 1234 076578616d706c65")));
  EXPECT_FALSE(parse_rrsig_rdata(from_hex("0001 08 02 00000e10 01020304 00abcdef 1234 076578616d706c6500")));
}

TEST(SigningInput, CanonicalFormLowercasedSortedDeduplicated) {
  RrsigFields f = sample_fields(dns::RRType::A, "Example.COM.");
  f.labels = 3;
  dns::Rdata a2 = from_hex("c0000202");
  dns::Rdata a1 = from_hex("c0000201");
  std::vector<std::span<const uint8_t>> rdatas{a2, a1, a2};
  auto input = signing_input(f, name("WWW.Example.COM."), dns::RRClass::IN, rdatas);
  ASSERT_TRUE(input) << input.error().to_string();
  const std::string header = "0001 08 03 00000e10 01020304 00abcdef 1234 076578616d706c6503636f6d00";
  const std::string owner = "03777777076578616d706c6503636f6d00";
  const std::string rr_head = owner + " 0001 0001 00000e10 0004";
  EXPECT_EQ(testing::to_hex(*input),
            testing::to_hex(from_hex(header + rr_head + "c0000201" + rr_head + "c0000202")));
}

TEST(SigningInput, WildcardExpansionSignsTheWildcardOwner) {
  // RFC 4035 5.3.2: an RRSIG with labels 2 over a.b.example.com covers
  // *.example.com; names in MX RDATA are lowercased (RFC 4034 6.2).
  RrsigFields f = sample_fields(dns::RRType::MX, "example.com.");
  dns::RRset mx(name("a.B.Example.com."), dns::RRType::MX, dns::RRClass::IN, 300);
  mx.add(rdata("x. IN MX 10 MAIL.Example.COM."));
  auto input = signing_input(f, mx);
  ASSERT_TRUE(input) << input.error().to_string();
  const std::string expected =
      "000f 08 02 00000e10 01020304 00abcdef 1234 076578616d706c6503636f6d00"  // RRSIG RDATA, TTL from the
                                                                               // RRSIG
      "012a076578616d706c6503636f6d00 000f 0001 00000e10 0014"  // *.example.com MX IN, RDLENGTH 20
      "000a 046d61696c076578616d706c6503636f6d00";              // 10 mail.example.com.
  EXPECT_EQ(testing::to_hex(*input), testing::to_hex(from_hex(expected)));
}

TEST(SigningInput, WildcardOwnerItselfIsKept) {
  RrsigFields f = sample_fields(dns::RRType::A, "example.com.");
  dns::Rdata a = from_hex("c0000201");
  std::vector<std::span<const uint8_t>> rdatas{a};
  auto input = signing_input(f, name("*.example.com."), dns::RRClass::IN, rdatas);
  ASSERT_TRUE(input);
  std::vector<uint8_t> owner = from_hex("012a076578616d706c6503636f6d00");
  EXPECT_TRUE(std::search(input->begin(), input->end(), owner.begin(), owner.end()) != input->end());
}

TEST(SigningInput, RejectsLabelsAboveTheOwnerCountAndWrongType) {
  RrsigFields f = sample_fields(dns::RRType::A, "example.com.");
  f.labels = 4;
  dns::Rdata a = from_hex("c0000201");
  std::vector<std::span<const uint8_t>> rdatas{a};
  EXPECT_FALSE(signing_input(f, name("www.example.com."), dns::RRClass::IN, rdatas));
  f.labels = 3;
  EXPECT_FALSE(signing_input(f, name("www.example.com."), dns::RRClass::IN, {}));
  dns::RRset txt(name("www.example.com."), dns::RRType::TXT, dns::RRClass::IN, 300);
  txt.add(from_hex("0161"));
  EXPECT_FALSE(signing_input(f, txt));
  dns::Rdata bad = from_hex("c00002");
  std::vector<std::span<const uint8_t>> bad_rdatas{bad};
  auto r = signing_input(f, name("www.example.com."), dns::RRClass::IN, bad_rdatas);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::malformed);
}

// RFC 8080 section 6.1 (errata 4935): verifying the published Ed25519
// signature over our signing input checks it octet for octet.
TEST(SigningInput, VerifiesRfc8080Ed25519Example) {
  dns::Rdata key = rdata("example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto sig = parse_rrsig_rdata(
      rdata("example.com. IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. "
            "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMng"
            "wcrqNAg=="));
  ASSERT_TRUE(sig);
  dns::RRset mx(name("example.com."), dns::RRType::MX, dns::RRClass::IN, 3600);
  mx.add(rdata("example.com. IN MX 10 mail.example.com."));
  auto input = signing_input(sig->fields, mx);
  ASSERT_TRUE(input);

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data() + 4, key.size() - 4), EVP_PKEY_free);
  ASSERT_TRUE(pkey);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(ctx.get(), sig->signature.data(), sig->signature.size(), input->data(), input->size()),
      1);
  (*input)[input->size() - 1] ^= 1;
  EXPECT_NE(
      EVP_DigestVerify(ctx.get(), sig->signature.data(), sig->signature.size(), input->data(), input->size()),
      1);
}

}  // namespace
}  // namespace signerd::dnssec
