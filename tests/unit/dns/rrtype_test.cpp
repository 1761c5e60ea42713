#include "dns/rrtype.hpp"

#include <gtest/gtest.h>

namespace signerd::dns {
namespace {

TEST(RRType, MnemonicsBothWays) {
  for (RRType t : {RRType::A, RRType::NSEC3PARAM, RRType::SVCB, RRType::HTTPS, RRType::DSYNC, RRType::CAA,
                   RRType::NSAP_PTR, RRType::ZONEMD, RRType::EUI64, RRType::URI}) {
    EXPECT_EQ(rrtype_from_text(to_text(t)), t) << to_text(t);
  }
  EXPECT_EQ(to_text(RRType::NSAP_PTR), "NSAP-PTR");
  EXPECT_EQ(rrtype_from_text("nsec3param"), RRType::NSEC3PARAM);
}

TEST(RRType, Rfc3597GenericNames) {
  EXPECT_EQ(to_text(static_cast<RRType>(65000)), "TYPE65000");
  EXPECT_EQ(rrtype_from_text("TYPE65000"), static_cast<RRType>(65000));
  EXPECT_EQ(rrtype_from_text("type1"), RRType::A);
  EXPECT_FALSE(rrtype_from_text("TYPE65536"));
  EXPECT_FALSE(rrtype_from_text("TYPE"));
  EXPECT_FALSE(rrtype_from_text("TYPE1x"));
  EXPECT_FALSE(rrtype_from_text("NOSUCH"));
  EXPECT_EQ(to_text(static_cast<RRClass>(42)), "CLASS42");
  EXPECT_EQ(rrclass_from_text("CLASS42"), static_cast<RRClass>(42));
  EXPECT_EQ(rrclass_from_text("ch"), RRClass::CH);
}

TEST(RRType, SignerOwnedTypesAreDnssecButNotDs) {
  EXPECT_TRUE(is_signer_owned_type(RRType::RRSIG));
  EXPECT_TRUE(is_signer_owned_type(RRType::CDNSKEY));
  EXPECT_FALSE(is_signer_owned_type(RRType::DS));
  EXPECT_TRUE(is_meta_type(RRType::OPT));
  EXPECT_FALSE(is_meta_type(RRType::SOA));
}

}  // namespace
}  // namespace signerd::dns
