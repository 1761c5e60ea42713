// The NSEC chain (RFC 4034 4, RFC 4035 2.3) and the denial TTL (RFC 9077).
#include "dnssec/nsec_chain.hpp"

#include <gtest/gtest.h>

#include "dns/rdata_text.hpp"
#include "dnssec/denial.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;

void expect_chain(const DenialChain& chain, std::string_view expected_text) {
  auto expected = testing::records(expected_text, "example.");
  ASSERT_EQ(chain.records.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(chain.records[i].owner, expected[i].owner) << i;
    EXPECT_EQ(chain.records[i].rdata, expected[i].rdata)
        << expected[i].owner.to_text() << ": " << dns::rdata_to_text(chain.type, chain.records[i].rdata);
  }
}

constexpr RRType kApexDnskey[] = {RRType::DNSKEY};

// Matches dnssec-signzone and ldns-signzone on the same zone (see
// tool_crosscheck_test.cpp): insecure cuts list NS RRSIG NSEC, since the
// NSEC at a cut is signed (RFC 4035 2.3 and its appendix A's b.example).
TEST(NsecChain, CornerZoneInCanonicalOrderBackToTheApex) {
  auto zone = testing::zone(testing::kCornerZone, "example.");
  ASSERT_TRUE(zone);
  auto chain = build_nsec_chain(*zone, kApexDnskey);
  ASSERT_TRUE(chain) << chain.error().to_string();
  EXPECT_EQ(chain->type, RRType::NSEC);
  EXPECT_EQ(chain->ttl, 300u);
  expect_chain(*chain, R"(
example.           NSEC *.example. NS SOA RRSIG NSEC DNSKEY
*.example.         NSEC a.b.c.example. MX RRSIG NSEC
a.b.c.example.     NSEC dn.example. A RRSIG NSEC
dn.example.        NSEC del.insec.example. DNAME RRSIG NSEC
del.insec.example. NSEC ns1.example. NS RRSIG NSEC
ns1.example.       NSEC sec.example. A RRSIG NSEC
sec.example.       NSEC sub.example. NS DS RRSIG NSEC
sub.example.       NSEC example. NS RRSIG NSEC
)");
}

TEST(NsecChain, NoNsecForGlueOccludedOrEmptyNonTerminals) {
  auto zone = testing::zone(testing::kCornerZone, "example.");
  ASSERT_TRUE(zone);
  auto chain = build_nsec_chain(*zone, {});
  ASSERT_TRUE(chain);
  for (const char* absent : {"ns.sub.example.", "deep.below.sub.example.", "below.sub.example.",
                             "x.dn.example.", "c.example.", "b.c.example.", "insec.example."}) {
    for (const auto& r : chain->records) EXPECT_NE(r.owner, testing::name(absent)) << absent;
  }
}

TEST(NsecChain, ApexBitmapListsWhatTheSignerAdds) {
  auto zone = testing::zone("@ SOA ns. h. 1 2 3 4 5\n@ NS ns.\n", "example.");
  ASSERT_TRUE(zone);
  constexpr RRType kAdds[] = {RRType::DNSKEY, RRType::CDS, RRType::CDNSKEY};
  auto chain = build_nsec_chain(*zone, kAdds);
  ASSERT_TRUE(chain);
  expect_chain(*chain, "example. NSEC example. NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY\n");
  auto bare = build_nsec_chain(*zone, {});
  ASSERT_TRUE(bare);
  expect_chain(*bare, "example. NSEC example. NS SOA RRSIG NSEC\n");
}

TEST(NsecChain, MixedCaseNamesKeepTheirSpelling) {
  auto zone = testing::zone("@ SOA ns. h. 1 2 3 4 5\n@ NS ns.\nWWW A 192.0.2.1\n", "Example.");
  ASSERT_TRUE(zone);
  auto chain = build_nsec_chain(*zone, {});
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->records.size(), 2u);
  EXPECT_EQ(chain->records[0].owner.to_text(), "Example.");
  EXPECT_EQ(dns::rdata_to_text(RRType::NSEC, chain->records[0].rdata), "WWW.Example. NS SOA RRSIG NSEC");
}

TEST(DenialTtl, Rfc9077MinimumOfSoaTtlAndSoaMinimum) {
  auto low_minimum = testing::zone("@ 3600 SOA ns. h. 1 2 3 4 300\n@ NS ns.\n", "example.");
  auto low_ttl = testing::zone("@ 60 SOA ns. h. 1 2 3 4 300\n@ NS ns.\n", "example.");
  ASSERT_TRUE(low_minimum && low_ttl);
  EXPECT_EQ(*denial_ttl(*low_minimum), 300u);
  EXPECT_EQ(*denial_ttl(*low_ttl), 60u);
}

TEST(DenialTypes, RrsigNsecNsec3InTheZoneAreTheSignersToDecide) {
  auto zone = testing::zone("@ SOA ns. h. 1 2 3 4 5\n@ NS ns.\nw A 192.0.2.1\nw NSEC3 1 0 0 - 00000000 A\n",
                            "example.");
  ASSERT_TRUE(zone);
  auto w = zone->find(testing::name("w.example."));
  ASSERT_TRUE(w);
  EXPECT_EQ(denial_types(*w, {}, RRType::NSEC3), (std::vector<RRType>{RRType::A, RRType::RRSIG}));
}

}  // namespace
}  // namespace signerd::dnssec
