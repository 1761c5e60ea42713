// rebase_slice: a refresh slice signed from a snapshot, carried onto a
// version that changes committed since then made. The result is the zone
// that re-signing the slice's names on the current version gives, byte for
// byte (ED25519 is deterministic), with NSEC and NSEC3; it verifies; a
// change at one of the slice's names or next to it keeps its own records.
// Negative control: without the touched owners the slice's stale records
// are caught (an error or another zone), never served as they were.
#include "dnssec/slice_rebase.hpp"

#include <gtest/gtest.h>

#include <set>

#include "dnssec/refresh_slice.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using dns::RRType;
using testing::KeyRole;
using testing::rrset_of;

using testing::records_of;

std::set<dns::Name> owners_of(const dns::ZoneDiff& d) {
  std::set<dns::Name> out;
  for (const auto& r : d.removed) out.insert(r.owner());
  for (const auto& r : d.added) out.insert(r.owner());
  return out;
}

class SliceRebaseTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    keys_ = ZoneKeys{store_.get(),
                     {make_key(hsm::Algorithm::ed25519, 257, KeyRole::ksk, "example. ksk"),
                      make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk")}};
    std::string text = std::string(testing::kCornerZone);
    for (int i = 0; i < 30; ++i)
      text += "h" + std::to_string(i) + " A 198.51.100." + std::to_string(i) + "\n";
    unsigned_ = testing::zone(text, "example.");
    ASSERT_TRUE(unsigned_);
    params_.refresh = std::chrono::days(5);
  }
  // The SOA bump of `z`, with `removed` and `added` besides.
  static dns::ZoneDiff bump(const dns::ZoneVersion& z, std::vector<dns::RRset> removed = {},
                            std::vector<dns::RRset> added = {}) {
    removed.push_back(z.apex().find(RRType::SOA)->to_rrset(z.origin(), dns::RRClass::IN));
    added.push_back(
        rrset_of("@ SOA ns1 hostmaster " + std::to_string(z.serial() + 1) + " 3600 600 86400 300"));
    return dns::ZoneDiff{z.serial(), z.serial() + 1, std::move(removed), std::move(added)};
  }
  SignedUpdate signed_change(const dns::ZoneVersion& u, const dns::ZoneVersion& s, const dns::ZoneDiff& d,
                             std::span<const dns::Name> refresh = {}) {
    auto r = sign_change(u, s, d, keys_, params_, later_, nullptr, refresh);
    EXPECT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r && r->has_value()) << "fell back";
    return r && *r ? std::move(**r) : SignedUpdate{};
  }
  void rebase_over_changes();

  ZoneKeys keys_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  SigningParams params_;
  base::TimePoint start_ =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  // Every signature is due (past validity - refresh).
  base::TimePoint later_ = start_ + std::chrono::days(10);
};

void SliceRebaseTest::rebase_over_changes() {
  auto s0 = sign_zone(*unsigned_, keys_, params_, start_);
  ASSERT_TRUE(s0) << s0.error().to_string();
  const auto due = static_cast<uint32_t>((later_ + params_.refresh).time_since_epoch().count());
  auto slice = next_refresh_slice(*unsigned_, **s0, params_.denial, due, std::nullopt, 20, 1000);
  ASSERT_TRUE(slice);
  ASSERT_GE(slice->names.size(), 12u);
  // The slice, signed from the snapshot (unsigned_, s0).
  SignedUpdate signed_slice = signed_change(*unsigned_, **s0, bump(*unsigned_), slice->names);
  ASSERT_TRUE(signed_slice.signed_next);

  // Meanwhile a change is committed: one of the slice's names changes its
  // data, one is deleted, and a new name comes in between two of them.
  // (Names with data of their own: the corner zone has empty non-terminals.)
  std::vector<dns::NodeView> with_data;
  for (const auto& n : slice->names)
    if (auto node = unsigned_->find(n);
        node && node->rrset_count() > 0 && !node->is_apex() && !node->is_delegation())
      with_data.push_back(*node);
  ASSERT_GE(with_data.size(), 8u);
  const dns::NodeView changed = with_data[3];
  const dns::NodeView deleted = with_data[6];
  std::vector<dns::RRset> removed{changed.rrset(0).to_rrset(changed.owner(), dns::RRClass::IN)};
  std::vector<dns::RRset> added;
  for (size_t i = 0; i < deleted.rrset_count(); ++i)
    removed.push_back(deleted.rrset(i).to_rrset(deleted.owner(), dns::RRClass::IN));
  dns::RRset changed_set = removed.front();
  changed_set.set_ttl(changed_set.ttl() + 60);
  added.push_back(changed_set);
  added.push_back(rrset_of("0new." + dns::Name(with_data[7].owner()).to_text() + " A 192.0.2.200"));
  SignedUpdate change = signed_change(*unsigned_, **s0, bump(*unsigned_, removed, added));
  ASSERT_TRUE(change.signed_next);

  // The slice carried onto the changed version.
  const dns::ZoneDiff next_bump = bump(*change.unsigned_next);
  auto rebased = rebase_slice(signed_slice.signed_diff, owners_of(change.signed_diff), *change.unsigned_next,
                              *change.signed_next, next_bump, keys_, params_, later_);
  ASSERT_TRUE(rebased) << rebased.error().to_string();
  auto applied = dns::apply_diff(*change.signed_next, rebased->signed_diff);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_TRUE(records_of(**applied) == records_of(*rebased->signed_next)) << "signed_diff is the net change";
  EXPECT_LE(rebased->signatures_made, 4u) << "the apex only";

  // The same as re-signing the slice's names (those still there) on the
  // changed version.
  std::vector<dns::Name> names;
  for (const auto& n : slice->names)
    if (change.unsigned_next->find(n)) names.push_back(n);
  SignedUpdate direct = signed_change(*change.unsigned_next, *change.signed_next, next_bump, names);
  ASSERT_TRUE(direct.signed_next);
  EXPECT_TRUE(records_of(*rebased->signed_next) == records_of(*direct.signed_next))
      << "rebased and re-signed zones differ";
  auto verified = verify_zone(*rebased->signed_next, later_);
  EXPECT_TRUE(verified) << verified.error().to_string();

  // Negative control: counting no owner as touched carries the slice's
  // records over the change's: refused by apply_diff, or another zone.
  auto blind = rebase_slice(signed_slice.signed_diff, {}, *change.unsigned_next, *change.signed_next,
                            next_bump, keys_, params_, later_);
  if (blind) {
    EXPECT_FALSE(records_of(*blind->signed_next) == records_of(*direct.signed_next));
  }
}

TEST_F(SliceRebaseTest, CarriesASliceOverChangesWithNsec) { rebase_over_changes(); }

TEST_F(SliceRebaseTest, CarriesASliceOverChangesWithNsec3) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  rebase_over_changes();
}

}  // namespace
}  // namespace signerd::dnssec
