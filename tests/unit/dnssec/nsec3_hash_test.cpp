// NSEC3 hashing (RFC 5155 section 5 and appendix A) and NSEC3PARAM.
#include "dnssec/nsec3_hash.hpp"

#include <gtest/gtest.h>

#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using testing::from_hex;
using testing::name;

Nsec3Params appendix_a_params() {
  Nsec3Params p;
  p.iterations = 12;
  p.salt = from_hex("aabbccdd");
  return p;
}

std::string hashed(std::string_view owner, const Nsec3Params& p) {
  auto h = nsec3_hash(name(owner), p);
  EXPECT_TRUE(h);
  return h ? base32hex_encode(*h) : "";
}

// RFC 5155 appendix A, salt AABBCCDD, 12 iterations (also `nsec3hash`).
TEST(Nsec3Hash, Rfc5155AppendixAHashes) {
  const Nsec3Params p = appendix_a_params();
  EXPECT_EQ(hashed("example.", p), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
  EXPECT_EQ(hashed("a.example.", p), "35mthgpgcu1qg68fab165klnsnk3dpvl");
  EXPECT_EQ(hashed("ai.example.", p), "gjeqe526plbf1g8mklp59enfd789njgi");
  EXPECT_EQ(hashed("ns1.example.", p), "2t7b4g4vsa5smi47k61mv5bv1a22bojr");
  EXPECT_EQ(hashed("x.w.example.", p), "b4um86eghhds6nea196smvmlo4ors995");
  EXPECT_EQ(hashed("*.w.example.", p), "r53bq7cc2uvmubfu5ocmm6pers9tk9en");
}

TEST(Nsec3Hash, OwnerIsHashedInCanonicalLowercaseForm) {
  EXPECT_EQ(hashed("EXAMPLE.", appendix_a_params()), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
}

TEST(Nsec3Hash, Rfc9276DefaultsNoSaltNoIterations) {
  // `nsec3hash - 1 0 example` prints 3MSEV9USMD4BR9S97V51R2TDVMR9IQO1.
  EXPECT_EQ(hashed("example.", Nsec3Params{}), "3msev9usmd4br9s97v51r2tdvmr9iqo1");
}

TEST(Nsec3Hash, RejectsOtherAlgorithmsAndLongSalts) {
  Nsec3Params p;
  p.algorithm = 2;
  EXPECT_EQ(nsec3_hash(name("example."), p).error().code, base::Errc::unsupported);
  p.algorithm = 1;
  p.salt.assign(256, 0);
  EXPECT_EQ(nsec3_hash(name("example."), p).error().code, base::Errc::invalid_argument);
}

TEST(Base32Hex, Rfc4648Section10Vectors) {
  auto enc = [](std::string_view s) {
    return base32hex_encode({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  };
  // RFC 4648 section 10, lower case and without padding.
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "co");
  EXPECT_EQ(enc("fo"), "cpng");
  EXPECT_EQ(enc("foo"), "cpnmu");
  EXPECT_EQ(enc("foob"), "cpnmuog");
  EXPECT_EQ(enc("fooba"), "cpnmuoj1");
  EXPECT_EQ(enc("foobar"), "cpnmuoj1e8");
}

TEST(Nsec3Owner, IsTheHashLabelUnderTheZone) {
  auto h = nsec3_hash(name("example."), appendix_a_params());
  ASSERT_TRUE(h);
  auto owner = nsec3_owner(*h, name("example."));
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->to_text(), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.");
}

TEST(Nsec3Param, RdataHasFlagsZeroEvenWithOptOut) {
  Nsec3Params p = appendix_a_params();
  p.opt_out = true;
  EXPECT_EQ(make_nsec3param_rdata(p), testing::rdata("example. IN NSEC3PARAM 1 0 12 aabbccdd"));
  EXPECT_EQ(make_nsec3param_rdata(Nsec3Params{}), testing::rdata("example. IN NSEC3PARAM 1 0 0 -"));
}

}  // namespace
}  // namespace signerd::dnssec
