// Key tags, DNSKEY, DS, CDS and CDNSKEY against published examples.
#include "dnssec/dnskey.hpp"

#include <gtest/gtest.h>

#include "dns/wire.hpp"
#include "dnssec/digest.hpp"
#include "dnssec/key_tag.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using testing::from_hex;
using testing::name;
using testing::rdata;

constexpr uint8_t kEd25519 = 15;  // RFC 8080

// RFC 4034 section 5.4 (and RFC 4509 section 2.3, the same key).
constexpr std::string_view kRfc4034Key =
    "dskey.example.com. 86400 IN DNSKEY 256 3 5 "
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxe"
    "YCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/"
    "rljwvFw==";

TEST(KeyTag, Rfc4034Section5_4Example) { EXPECT_EQ(key_tag(rdata(kRfc4034Key)), 60485); }

TEST(KeyTag, Rfc6605AndRfc8080Examples) {
  EXPECT_EQ(key_tag(rdata(
                "example.net. IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbc"
                "B7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")),
            55648);
  EXPECT_EQ(key_tag(rdata(
                "example.net. IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJ"
                "hyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40")),
            10771);
  EXPECT_EQ(key_tag(rdata("example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")),
            3613);
  // RFC 8080's first printing says 9712; errata 4935's corrected example
  // and BIND's dnssec-dsfromkey agree on 9713.
  EXPECT_EQ(key_tag(rdata(
                "example.com. IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPod"
                "x1FYYUcJKm1MDpJtIA")),
            9713);
}

TEST(KeyTag, Rsamd5UsesTheLowOctetsOfTheModulus) {
  // RFC 4034 B.1: bits 16..23 and 8..15 from the end of the key.
  dns::Rdata key = make_dnskey_rdata(256, 1, from_hex("0102030405ab cd ef"));
  EXPECT_EQ(key_tag(key), 0xabcd);
}

TEST(KeyTag, ShortRdataIsZeroNotACrash) { EXPECT_EQ(key_tag(from_hex("0100")), 0); }

TEST(Dnskey, RdataLayoutIsFlagsProtocolAlgorithmKey) {
  dns::Rdata key = make_dnskey_rdata(kDnskeyZoneKey | kDnskeySep, kEd25519, from_hex("aabb"));
  EXPECT_EQ(key, from_hex("0101 03 0f aabb"));
  auto parsed = parse_dnskey_rdata(key);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->flags, 257);
  EXPECT_EQ(parsed->protocol, 3);
  EXPECT_EQ(parsed->algorithm, kEd25519);
  EXPECT_EQ(std::vector<uint8_t>(parsed->public_key.begin(), parsed->public_key.end()), from_hex("aabb"));
  EXPECT_FALSE(parse_dnskey_rdata(from_hex("01010305")));
}

TEST(Ds, Rfc4509Sha256ExampleWithMixedCaseOwner) {
  auto ds = make_ds_rdata(name("DSKEY.Example.COM."), rdata(kRfc4034Key), DsDigest::sha256);
  ASSERT_TRUE(ds) << ds.error().to_string();
  EXPECT_EQ(
      *ds,
      rdata("dskey.example.com. IN DS 60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E446"
            "9DA50A"));
}

TEST(Ds, Rfc4034Section5_4Sha1DigestIsOwnerAndRdata) {
  // SHA-1 DS is not produced (RFC 8624); the RFC's SHA-1 example still
  // checks that the digest input is canonical owner | DNSKEY RDATA.
  dns::Name owner = name("dskey.example.com.");
  dns::Rdata key = rdata(kRfc4034Key);
  auto d = digest(DigestAlgorithm::sha1, {owner.wire(), key});
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, from_hex("2BB183AF5F22588179A53B0A98631FAD1A292118"));
}

TEST(Ds, Rfc6605Sha256AndSha384Examples) {
  auto p256 = make_ds_rdata(
      name("example.net."),
      rdata("example.net. IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF"
            "64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="),
      DsDigest::sha256);
  ASSERT_TRUE(p256);
  EXPECT_EQ(
      *p256,
      rdata("example.net. IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61"
            "d17"));
  auto p384 = make_ds_rdata(
      name("example.net."),
      rdata("example.net. IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvS"
            "ADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40"),
      DsDigest::sha384);
  ASSERT_TRUE(p384);
  EXPECT_EQ(
      *p384,
      rdata("example.net. IN DS 10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a"
            "9b0563a9b5f4d288405c3008a946df983d6"));
}

TEST(Ds, Rfc8080Ed25519AndEd448Examples) {
  auto ed25519 =
      make_ds_rdata(name("example.com."),
                    rdata("example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="),
                    DsDigest::sha256);
  ASSERT_TRUE(ed25519);
  EXPECT_EQ(*ed25519,
            rdata("example.com. IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e7"
                  "9a304b"));
  auto ed448 =
      make_ds_rdata(name("example.com."),
                    rdata("example.com. IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiB"
                          "VHHSfPodx1FYYUcJKm1MDpJtIA"),
                    DsDigest::sha256);
  ASSERT_TRUE(ed448);
  EXPECT_EQ(*ed448,
            rdata("example.com. IN DS 9713 16 2 6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2b"
                  "19c7"));
}

TEST(Ds, RefusesAKeyWithoutTheZoneKeyFlag) {
  // RFC 4034 5.2: a DS must point at a zone key (flags bit 7).
  auto ds = make_ds_rdata(name("example."), make_dnskey_rdata(kDnskeySep, kEd25519, from_hex("0102")),
                          DsDigest::sha256);
  ASSERT_FALSE(ds);
  EXPECT_EQ(ds.error().code, base::Errc::invalid_argument);
  EXPECT_FALSE(make_ds_rdata(name("example."), from_hex("0101"), DsDigest::sha256));
}

TEST(Cds, IsDsRdataAndCdnskeyIsDnskeyRdata) {
  dns::Rdata key = rdata("example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto cds = make_cds_rdata(name("example.com."), key, DsDigest::sha256);
  auto ds = make_ds_rdata(name("example.com."), key, DsDigest::sha256);
  ASSERT_TRUE(cds && ds);
  EXPECT_EQ(*cds, *ds);
  EXPECT_EQ(make_cdnskey_rdata(key), key);
}

TEST(Cds, Rfc8078DeleteForms) {
  EXPECT_EQ(cds_delete_rdata(), rdata("example. IN CDS 0 0 0 00"));
  EXPECT_EQ(cdnskey_delete_rdata(), rdata("example. IN CDNSKEY 0 3 0 AA=="));
}

}  // namespace
}  // namespace signerd::dnssec
