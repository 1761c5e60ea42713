// Roles of names and what gets signed (RFC 4035 2.2, RFC 4034 4.1.2).
#include "dnssec/signing_rules.hpp"

#include <gtest/gtest.h>

#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::name;

class SigningRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zone_ = testing::zone(testing::kCornerZone, "example.");
    ASSERT_TRUE(zone_);
  }
  dns::NodeView node(std::string_view owner) {
    auto n = zone_->find(name(owner));
    EXPECT_TRUE(n) << owner;
    return *n;
  }
  NodeRole role(std::string_view owner) { return role_of(node(owner)); }
  std::shared_ptr<const dns::ZoneVersion> zone_;
};

TEST_F(SigningRulesTest, RolesOfEveryKindOfName) {
  EXPECT_EQ(role("example."), NodeRole::apex);
  EXPECT_EQ(role("ns1.example."), NodeRole::authoritative);
  EXPECT_EQ(role("*.example."), NodeRole::authoritative);
  EXPECT_EQ(role("dn.example."), NodeRole::authoritative);
  EXPECT_EQ(role("sub.example."), NodeRole::delegation);
  EXPECT_EQ(role("sec.example."), NodeRole::delegation);
  EXPECT_EQ(role("ns.sub.example."), NodeRole::occluded);     // glue
  EXPECT_EQ(role("below.sub.example."), NodeRole::occluded);  // an ENT below a cut
  EXPECT_EQ(role("deep.below.sub.example."), NodeRole::occluded);
  EXPECT_EQ(role("x.dn.example."), NodeRole::occluded);  // below a DNAME
  EXPECT_EQ(role("c.example."), NodeRole::empty_non_terminal);
  EXPECT_EQ(role("insec.example."), NodeRole::empty_non_terminal);
}

TEST_F(SigningRulesTest, ApexAndOrdinaryNamesSignEveryRRset) {
  EXPECT_TRUE(is_signed(node("example."), RRType::SOA));
  EXPECT_TRUE(is_signed(node("example."), RRType::NS));
  EXPECT_TRUE(is_signed(node("example."), RRType::DNSKEY));
  EXPECT_TRUE(is_signed(node("ns1.example."), RRType::A));
  EXPECT_TRUE(is_signed(node("*.example."), RRType::MX));
  EXPECT_TRUE(is_signed(node("dn.example."), RRType::DNAME));
}

TEST_F(SigningRulesTest, DelegationSignsOnlyDsAndNsec) {
  EXPECT_FALSE(is_signed(node("sec.example."), RRType::NS));
  EXPECT_TRUE(is_signed(node("sec.example."), RRType::DS));
  EXPECT_TRUE(is_signed(node("sub.example."), RRType::NSEC));
  EXPECT_FALSE(is_signed(node("sub.example."), RRType::A));  // glue at the cut's own name
}

TEST_F(SigningRulesTest, NothingOnOccludedNamesAndRrsigNever) {
  EXPECT_FALSE(is_signed(node("ns.sub.example."), RRType::A));
  EXPECT_FALSE(is_signed(node("x.dn.example."), RRType::A));
  EXPECT_FALSE(is_signed(node("example."), RRType::RRSIG));
}

TEST(SigningRules, AuthoritativeTypesAtACutAreNsDsNsec) {
  EXPECT_TRUE(is_authoritative(NodeRole::delegation, RRType::NS));
  EXPECT_TRUE(is_authoritative(NodeRole::delegation, RRType::DS));
  EXPECT_TRUE(is_authoritative(NodeRole::delegation, RRType::NSEC));
  EXPECT_FALSE(is_authoritative(NodeRole::delegation, RRType::A));
  EXPECT_FALSE(is_authoritative(NodeRole::occluded, RRType::A));
  EXPECT_TRUE(is_authoritative(NodeRole::authoritative, RRType::TXT));
}

}  // namespace
}  // namespace signerd::dnssec
