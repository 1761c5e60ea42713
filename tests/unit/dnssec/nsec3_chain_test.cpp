// The NSEC3 chain (RFC 5155 7.1), with and without opt-out.
#include "dnssec/nsec3_chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dns/rdata_text.hpp"
#include "dnssec/type_bitmap.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::name;

constexpr RRType kApexAdds[] = {RRType::DNSKEY, RRType::NSEC3PARAM};

// The corner zone's chain with salt "-" and 0 iterations, as
// dnssec-signzone -3 - -H 0 and ldns-signzone -n -t 0 write it (hash order).
constexpr std::string_view kCornerNsec3 = R"(
1ocurhhekmgijb12o4fl1rfb1he35098 NSEC3 1 0 0 - 3msev9usmd4br9s97v51r2tdvmr9iqo1 NS
3msev9usmd4br9s97v51r2tdvmr9iqo1 NSEC3 1 0 0 - 3o81270iajs6535bb6spqkvp0cet3j8b NS SOA RRSIG DNSKEY NSEC3PARAM
3o81270iajs6535bb6spqkvp0cet3j8b NSEC3 1 0 0 - 99jahpqee6f2bu0n7i5cpsm6pbs6tp05 NS
99jahpqee6f2bu0n7i5cpsm6pbs6tp05 NSEC3 1 0 0 - atutakms2nniod8sie19kmfb3uqd60kq MX RRSIG
atutakms2nniod8sie19kmfb3uqd60kq NSEC3 1 0 0 - d1mq62m4mjgk65mgmkd443ev3mkv9vnb
d1mq62m4mjgk65mgmkd443ev3mkv9vnb NSEC3 1 0 0 - hq1dnu5n7954j682p4pqd0ololq2ulha NS DS RRSIG
hq1dnu5n7954j682p4pqd0ololq2ulha NSEC3 1 0 0 - kgqb5f8cke123q17papomfbrl1tc0551 DNAME RRSIG
kgqb5f8cke123q17papomfbrl1tc0551 NSEC3 1 0 0 - m1o89lfdo9rrf2f8r8ss42d81d09v48m
m1o89lfdo9rrf2f8r8ss42d81d09v48m NSEC3 1 0 0 - nduqqo4ne4pjh2dsb3b775d1rokvpi74 A RRSIG
nduqqo4ne4pjh2dsb3b775d1rokvpi74 NSEC3 1 0 0 - t4g8ueml51fvj551vod3jpgi7s2k79c5 A RRSIG
t4g8ueml51fvj551vod3jpgi7s2k79c5 NSEC3 1 0 0 - 1ocurhhekmgijb12o4fl1rfb1he35098
)";

std::string hash_label(std::string_view owner) {
  auto h = nsec3_hash(name(owner), Nsec3Params{});
  EXPECT_TRUE(h);
  return h ? base32hex_encode(*h) : "";
}

const DenialRecord* find_hashed(const DenialChain& chain, std::string_view owner) {
  auto target = name(hash_label(owner) + ".example.");
  auto it = std::find_if(chain.records.begin(), chain.records.end(),
                         [&](const DenialRecord& r) { return r.owner == target; });
  return it == chain.records.end() ? nullptr : &*it;
}

std::vector<RRType> bitmap_of(const DenialRecord& r) {
  // algorithm, flags, iterations(2), salt length + salt, hash length + hash
  size_t pos = 5 + r.rdata[4];
  pos += 1 + r.rdata[pos];
  auto types = parse_type_bitmap(std::span<const uint8_t>(r.rdata).subspan(pos));
  EXPECT_TRUE(types);
  return types ? *types : std::vector<RRType>{};
}

class Nsec3ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zone_ = testing::zone(testing::kCornerZone, "example.");
    ASSERT_TRUE(zone_);
  }
  DenialChain build(bool opt_out) {
    Nsec3Params p;
    p.opt_out = opt_out;
    auto chain = build_nsec3_chain(*zone_, p, kApexAdds);
    EXPECT_TRUE(chain) << chain.error().to_string();
    return chain ? *chain : DenialChain{};
  }
  std::shared_ptr<const dns::ZoneVersion> zone_;
};

TEST_F(Nsec3ChainTest, WithoutOptOutEveryAuthoritativeNameAndEntInHashOrder) {
  DenialChain chain = build(false);
  EXPECT_EQ(chain.type, RRType::NSEC3);
  EXPECT_EQ(chain.ttl, 300u);
  auto expected = testing::records(kCornerNsec3, "example.");
  ASSERT_EQ(chain.records.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(chain.records[i].owner, expected[i].owner) << i;
    EXPECT_EQ(chain.records[i].rdata, expected[i].rdata)
        << expected[i].owner.to_text() << ": " << dns::rdata_to_text(RRType::NSEC3, chain.records[i].rdata);
  }
}

TEST_F(Nsec3ChainTest, EmptyNonTerminalsHaveEmptyBitmaps) {
  DenialChain chain = build(false);
  for (const char* ent : {"c.example.", "b.c.example.", "insec.example."}) {
    const DenialRecord* r = find_hashed(chain, ent);
    ASSERT_NE(r, nullptr) << ent;
    EXPECT_TRUE(bitmap_of(*r).empty()) << ent;
  }
}

TEST_F(Nsec3ChainTest, NoNsec3ForGlueOrOccludedNames) {
  DenialChain chain = build(false);
  for (const char* absent :
       {"ns.sub.example.", "below.sub.example.", "deep.below.sub.example.", "x.dn.example."}) {
    EXPECT_EQ(find_hashed(chain, absent), nullptr) << absent;
  }
}

TEST_F(Nsec3ChainTest, DelegationBitmaps) {
  DenialChain chain = build(false);
  EXPECT_EQ(bitmap_of(*find_hashed(chain, "sub.example.")), std::vector<RRType>{RRType::NS});
  EXPECT_EQ(bitmap_of(*find_hashed(chain, "sec.example.")),
            (std::vector<RRType>{RRType::NS, RRType::DS, RRType::RRSIG}));
}

TEST_F(Nsec3ChainTest, OptOutLeavesOutInsecureDelegationsAndTheirOnlyEnts) {
  DenialChain chain = build(true);
  // dnssec-signzone -A writes 8 on this zone: sub, del.insec and the ENT
  // insec (there only because of del.insec) are gone (RFC 5155 7.1).
  EXPECT_EQ(chain.records.size(), 8u);
  EXPECT_EQ(find_hashed(chain, "sub.example."), nullptr);
  EXPECT_EQ(find_hashed(chain, "del.insec.example."), nullptr);
  EXPECT_EQ(find_hashed(chain, "insec.example."), nullptr);
  EXPECT_NE(find_hashed(chain, "sec.example."), nullptr);  // secure: kept
  EXPECT_NE(find_hashed(chain, "c.example."), nullptr);    // ENT above data: kept
  EXPECT_NE(find_hashed(chain, "b.c.example."), nullptr);
  for (const auto& r : chain.records) EXPECT_EQ(r.rdata[1], kNsec3FlagOptOut) << r.owner.to_text();
}

TEST_F(Nsec3ChainTest, OptOutChainStaysCircular) {
  DenialChain chain = build(true);
  for (size_t i = 0; i < chain.records.size(); ++i) {
    const auto& next_owner = chain.records[(i + 1) % chain.records.size()].owner;
    const auto& rd = chain.records[i].rdata;
    std::span<const uint8_t> next_hash(rd.data() + 6, kNsec3HashSize);  // empty salt
    EXPECT_EQ(rd[5], kNsec3HashSize);
    EXPECT_EQ(base32hex_encode(next_hash) + ".example.", next_owner.to_text());
  }
}

TEST_F(Nsec3ChainTest, EntAboveASecureDelegationIsKeptWithOptOut) {
  auto zone = testing::zone(R"(
@ SOA ns. h. 1 2 3 4 5
@ NS ns.
s.e NS ns.example.net.
s.e DS 1 8 2 0000000000000000000000000000000000000000000000000000000000000000
i.f NS ns.example.net.
)",
                            "example.");
  ASSERT_TRUE(zone);
  std::vector<std::string> kept;
  for (size_t i : nsec3_node_indices(*zone, true)) kept.push_back(zone->node(i).owner().to_text());
  EXPECT_EQ(kept, (std::vector<std::string>{"example.", "e.example.", "s.e.example."}));
  EXPECT_EQ(nsec3_node_indices(*zone, false).size(), 5u);
}

TEST_F(Nsec3ChainTest, SaltAndIterationsAppearInEveryRecord) {
  Nsec3Params p;
  p.iterations = 12;
  p.salt = testing::from_hex("aabbccdd");
  auto chain = build_nsec3_chain(*zone_, p, kApexAdds);
  ASSERT_TRUE(chain);
  for (const auto& r : chain->records) {
    EXPECT_EQ(std::vector<uint8_t>(r.rdata.begin(), r.rdata.begin() + 9),
              testing::from_hex("01 00 000c 04 aabbccdd"));
  }
}

TEST_F(Nsec3ChainTest, ApexOnlyZonePointsToItself) {
  auto zone = testing::zone("@ SOA ns. h. 1 2 3 4 5\n@ NS ns.\n", "example.");
  ASSERT_TRUE(zone);
  auto chain = build_nsec3_chain(*zone, Nsec3Params{}, kApexAdds);
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->records.size(), 1u);
  EXPECT_EQ(
      chain->records[0].rdata,
      testing::rdata("x. IN NSEC3 1 0 0 - 3msev9usmd4br9s97v51r2tdvmr9iqo1 NS SOA RRSIG DNSKEY NSEC3PARAM"));
}

TEST_F(Nsec3ChainTest, HashCollisionIsAnErrorNamingBothNames) {
  std::vector<HashedNode> hashed{{Nsec3Hash{1}, 1}, {Nsec3Hash{}, 0}, {Nsec3Hash{1}, 2}};
  auto r = sort_hashed_nodes(*zone_, hashed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::conflict);
  EXPECT_NE(r.error().detail.find(zone_->node(1).owner().to_text()), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find(zone_->node(2).owner().to_text()), std::string::npos) << r.error().detail;
  std::vector<HashedNode> distinct{{Nsec3Hash{2}, 1}, {Nsec3Hash{1}, 0}};
  ASSERT_TRUE(sort_hashed_nodes(*zone_, distinct));
  EXPECT_EQ(distinct[0].node, 0u);
}

TEST_F(Nsec3ChainTest, UnsupportedHashAlgorithmIsRefused) {
  Nsec3Params p;
  p.algorithm = 2;
  auto chain = build_nsec3_chain(*zone_, p, kApexAdds);
  ASSERT_FALSE(chain);
  EXPECT_EQ(chain.error().code, base::Errc::unsupported);
}

}  // namespace
}  // namespace signerd::dnssec
