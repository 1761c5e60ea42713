// A ZSK pre-publication roll signed gradually (sign_change with
// KeyChange::gradual, then refresh slices with StaleSigners::due): the
// DNSKEY changes and the swap of zone signers touch the apex only, the
// zone in between is a mix that BIND's and ldns's verifiers accept (both
// DNSKEYs are published), the walk leaves no RRSIG of the old key, and
// the end is sign_diff's zone byte for byte (ED25519 is deterministic). A
// change of the signers' algorithms still needs the whole zone.
#include <gtest/gtest.h>

#include "dns/wire.hpp"
#include "dnssec/refresh_slice.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::KeyRole;
using testing::rrset_of;

using testing::records_of;

// The RRSIGs by key `tag`, over every owner.
size_t rrsigs_by(const dns::ZoneVersion& z, uint16_t tag) {
  size_t n = 0;
  z.for_each_rrset([&](dns::NodeView, dns::RRsetView rrset) {
    if (rrset.type() != RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i)
      if (dns::get_u16(rrset.rdata(i).data() + 16) == tag) ++n;
  });
  return n;
}

class GradualKeyChangeTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    ksk_ = make_key(hsm::Algorithm::ed25519, 257, KeyRole::ksk, "example. ksk");
    old_zsk_ = make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk old");
    new_zsk_ = make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk new");
    std::string text = std::string(testing::kCornerZone);
    for (int i = 0; i < 40; ++i)
      text += "h" + std::to_string(i) + " A 198.51.100." + std::to_string(i) + "\n";
    unsigned_ = testing::zone(text, "example.");
    ASSERT_TRUE(unsigned_);
  }

  // A key that is published and does not sign.
  static SigningKey published_only(SigningKey k) {
    k.ksk = false;
    k.zsk = false;
    return k;
  }
  ZoneKeys keys(std::vector<SigningKey> ks) const { return ZoneKeys{store_.get(), std::move(ks)}; }
  // The SOA serial bump of `z`.
  static dns::ZoneDiff bump(const dns::ZoneVersion& z) {
    return dns::ZoneDiff{
        z.serial(),
        z.serial() + 1,
        {z.apex().find(RRType::SOA)->to_rrset(z.origin(), dns::RRClass::IN)},
        {rrset_of("@ SOA ns1 hostmaster " + std::to_string(z.serial() + 1) + " 3600 600 86400 300")}};
  }
  // One gradual change: asserts it does not fall back, returns the result.
  SignedUpdate gradual(const dns::ZoneVersion& u, const dns::ZoneVersion& s, const ZoneKeys& k,
                       std::span<const dns::Name> refresh = {}) {
    auto r = sign_change(u, s, bump(u), k, params_, now_, nullptr, refresh, KeyChange::gradual);
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r || !r->has_value()) {
      ADD_FAILURE() << "fell back to the whole zone";
      return {};
    }
    return std::move(**r);
  }
  // sign_diff's zone for the same bump and keys.
  std::shared_ptr<const dns::ZoneVersion> by_sign_diff(const dns::ZoneVersion& u, const dns::ZoneVersion& s,
                                                       const dns::ZoneDiff& change, const ZoneKeys& k) {
    auto r = sign_diff(u, s, change, k, params_, now_);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r->signed_next : nullptr;
  }
  void roll();

  SigningKey ksk_, old_zsk_, new_zsk_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  SigningParams params_;
  // The verifiers check validity against the real clock.
  base::TimePoint now_ = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

void GradualKeyChangeTest::roll() {
  auto s0 = sign_zone(*unsigned_, keys({ksk_, old_zsk_}), params_, now_);
  ASSERT_TRUE(s0) << s0.error().to_string();
  EXPECT_FALSE(first_stale_signature(**s0));

  // 1. The new ZSK is published: only the DNSKEY RRset changes, as
  //    sign_diff has it.
  const ZoneKeys prepublished = keys({ksk_, old_zsk_, published_only(new_zsk_)});
  SignedUpdate published = gradual(*unsigned_, **s0, prepublished);
  ASSERT_TRUE(published.signed_next);
  EXPECT_EQ(records_of(*published.signed_next),
            records_of(*by_sign_diff(*unsigned_, **s0, bump(*unsigned_), prepublished)));
  EXPECT_LE(published.signatures_made, 4u);  // SOA, DNSKEY, the apex NSEC: not the zone

  // 2. The new ZSK signs, the old one stops: the apex changes signers, the
  //    rest keeps the old RRSIGs for now.
  const ZoneKeys swapped = keys({ksk_, published_only(old_zsk_), new_zsk_});
  SignedUpdate swap = gradual(*published.unsigned_next, *published.signed_next, swapped);
  ASSERT_TRUE(swap.signed_next);
  EXPECT_LE(swap.signatures_made, 8u);
  auto stale = first_stale_signature(*swap.signed_next);
  ASSERT_TRUE(stale) << "the swap signed the whole zone";
  const uint16_t old_tag = dns::get_u16((*s0)->apex().find_rrsig(RRType::SOA)->rdata(0).data() + 16);
  EXPECT_GT(rrsigs_by(*swap.signed_next, old_tag), 20u);
  // The mix validates: every RRset by a key whose DNSKEY is published.
  EXPECT_TRUE(verify_zone(*swap.signed_next, now_));
  write(*swap.signed_next, "mixed.zone");
  expect_verifiers_accept("mixed.zone", false, "mixed signers: ");

  // 3. Slices of a few names each bring the rest over.
  const auto due = static_cast<uint32_t>((now_ + params_.refresh).time_since_epoch().count());
  auto u = swap.unsigned_next;
  auto s = swap.signed_next;
  std::optional<dns::Name> from;
  int slices = 0;
  do {
    auto slice = next_refresh_slice(*u, *s, params_.denial, due, from, 5, 1000, StaleSigners::due);
    ASSERT_TRUE(slice) << slice.error().to_string();
    from = slice->next;
    if (slice->names.empty()) continue;
    SignedUpdate next = gradual(*u, *s, swapped, slice->names);
    ASSERT_TRUE(next.signed_next);
    u = next.unsigned_next;
    s = next.signed_next;
    ++slices;
  } while (from);
  EXPECT_GT(slices, 5);
  EXPECT_FALSE(first_stale_signature(*s)) << first_stale_signature(*s)->to_text();
  EXPECT_EQ(rrsigs_by(*s, old_tag), 0u);
  auto again = next_refresh_slice(*u, *s, params_.denial, due, std::nullopt, 1000, 100000, StaleSigners::due);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->names.empty());
  // The walk's zone is sign_diff's for the same serial and keys.
  const dns::ZoneDiff all{published.unsigned_next->serial(),
                          u->serial(),
                          {published.unsigned_next->apex()
                               .find(RRType::SOA)
                               ->to_rrset(published.unsigned_next->origin(), dns::RRClass::IN)},
                          {u->apex().find(RRType::SOA)->to_rrset(u->origin(), dns::RRClass::IN)}};
  EXPECT_EQ(records_of(*s),
            records_of(*by_sign_diff(*published.unsigned_next, *published.signed_next, all, swapped)));

  // 4. The old ZSK leaves the DNSKEY RRset: the apex only again.
  const ZoneKeys after = keys({ksk_, new_zsk_});
  SignedUpdate removed = gradual(*u, *s, after);
  ASSERT_TRUE(removed.signed_next);
  EXPECT_EQ(records_of(*removed.signed_next), records_of(*by_sign_diff(*u, *s, bump(*u), after)));
  write(*removed.signed_next, "after.zone");
  expect_verifiers_accept("after.zone", false, "after the roll: ");
}

TEST_F(GradualKeyChangeTest, ZskRollWithNsec) { roll(); }

TEST_F(GradualKeyChangeTest, ZskRollWithNsec3) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  roll();
}

// The stale-signer walk and check see a name signed by the old key only
// while it is: a mixed zone is found, a whole one is not.
TEST_F(GradualKeyChangeTest, StaleSignaturesAreFoundUntilReSigned) {
  auto s0 = sign_zone(*unsigned_, keys({ksk_, old_zsk_}), params_, now_);
  ASSERT_TRUE(s0);
  const ZoneKeys swapped = keys({ksk_, published_only(old_zsk_), new_zsk_});
  SignedUpdate swap = gradual(*unsigned_, **s0, swapped);
  ASSERT_TRUE(swap.signed_next);
  const auto due = static_cast<uint32_t>((now_ + params_.refresh).time_since_epoch().count());
  auto ignoring = next_refresh_slice(*swap.unsigned_next, *swap.signed_next, params_.denial, due,
                                     std::nullopt, 1000, 100000, StaleSigners::ignore);
  ASSERT_TRUE(ignoring);
  EXPECT_TRUE(ignoring->names.empty()) << "nothing expires";
  auto seeing = next_refresh_slice(*swap.unsigned_next, *swap.signed_next, params_.denial, due, std::nullopt,
                                   1000, 100000, StaleSigners::due);
  ASSERT_TRUE(seeing);
  // Every signed name but the apex (which the swap re-signed) still has
  // the old key's; re-signing those leaves none.
  EXPECT_GT(seeing->names.size(), 40u);
  for (const auto& name : seeing->names) EXPECT_NE(name, dns::Name(swap.unsigned_next->origin()));
  SignedUpdate done = gradual(*swap.unsigned_next, *swap.signed_next, swapped, seeing->names);
  ASSERT_TRUE(done.signed_next);
  EXPECT_FALSE(first_stale_signature(*done.signed_next));
}

// An algorithm change of the zone signers needs every RRset signed by both
// algorithms at once (RFC 6781 4.1.4): gradual falls back to the whole zone.
TEST_F(GradualKeyChangeTest, AlgorithmChangeNeedsTheWholeZone) {
  auto s0 = sign_zone(*unsigned_, keys({ksk_, old_zsk_}), params_, now_);
  ASSERT_TRUE(s0);
  const SigningKey p256 = make_key(hsm::Algorithm::ecdsap256sha256, 256, KeyRole::zsk, "example. zsk 13");
  const SigningKey p256_ksk = make_key(hsm::Algorithm::ecdsap256sha256, 257, KeyRole::ksk, "example. ksk 13");
  // A second algorithm comes in; the first one is replaced.
  for (const ZoneKeys& k : {keys({ksk_, p256_ksk, old_zsk_, p256}), keys({p256_ksk, p256})}) {
    auto r =
        sign_change(*unsigned_, **s0, bump(*unsigned_), k, params_, now_, nullptr, {}, KeyChange::gradual);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->has_value());
  }
}

}  // namespace
}  // namespace signerd::dnssec
