// sign_diff against a full re-sign over twenty seeded random diffs: the same
// content, untouched RRSIGs kept byte for byte, few new signatures, and now
// and then BIND's and ldns's verifiers. ED25519 is deterministic, so a
// re-signed RRSIG equals sign_zone's at the same `now`.
#include "dnssec/sign_diff.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "dns/zone_file.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec_test_util.hpp"
#include "hsm/pem_key_store.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

namespace fs = std::filesystem;
using dns::RRType;

constexpr const char* kOrigin = "example.";

std::string lower(dns::NameView n) { return dns::Name(n).lowercased().to_text(); }

std::string initial_zone() {
  std::string z = std::string(testing::kCornerZone);
  for (int i = 0; i < 60; ++i) z += "h" + std::to_string(i) + " A 198.51.100." + std::to_string(i) + "\n";
  for (int i = 0; i < 4; ++i) {
    const std::string t = "t" + std::to_string(i);
    z += t + " TXT \"tree\"\na." + t + " A 192.0.2.9\nb." + t + " AAAA 2001:db8::9\n";
  }
  return z;
}

using testing::rrset_of;

// (owner, type) -> the RRSIG RDATA over it; and every other record.
using SigMap = std::map<std::pair<std::string, uint16_t>, std::set<dns::Rdata>>;
using RecordSet = std::set<std::tuple<std::string, uint16_t, uint32_t, dns::Rdata>>;

SigMap sigs_of(const dns::ZoneVersion& z) {
  SigMap out;
  z.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (rrset.type() != RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto parsed = parse_rrsig_rdata(rrset.rdata(i));
      ASSERT_TRUE(parsed);
      auto rd = rrset.rdata(i);
      out[{lower(node.owner()), dns::code(parsed->fields.type_covered)}].insert(
          dns::Rdata(rd.begin(), rd.end()));
    }
  });
  return out;
}

RecordSet records_of(const dns::ZoneVersion& z) {
  RecordSet out;
  z.for_each_rrset([&](dns::NodeView node, dns::RRsetView rrset) {
    if (rrset.type() == RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) {
      auto rd = rrset.rdata(i);
      out.insert(
          {lower(node.owner()), dns::code(rrset.type()), rrset.ttl(), dns::Rdata(rd.begin(), rd.end())});
    }
  });
  return out;
}

std::optional<dns::RRset> content(const dns::ZoneVersion& z, const std::string& owner, uint16_t type) {
  auto set = z.find(testing::name(owner), static_cast<RRType>(type));
  if (!set) return std::nullopt;
  return set->to_rrset(testing::name(owner), dns::RRClass::IN);
}

// Serial 1 to 2 with `removed` and `added` besides the SOA.
dns::ZoneDiff bump(std::vector<dns::RRset> removed = {}, std::vector<dns::RRset> added = {}) {
  removed.push_back(rrset_of("@ SOA ns1 hostmaster 1 3600 600 86400 300"));
  added.push_back(rrset_of("@ SOA ns1 hostmaster 2 3600 600 86400 300"));
  return dns::ZoneDiff{1, 2, std::move(removed), std::move(added)};
}

// Builds one random change (and the SOA bump) against the current zone.
class DiffMaker {
 public:
  DiffMaker(const dns::ZoneVersion& z, std::mt19937& rng, int step) : z_(z), rng_(rng), step_(step) {}

  dns::ZoneDiff make(int op) {
    diff_.from = z_.serial();
    diff_.to = z_.serial() + 1;
    if (!apply(op)) add("n" + tag() + " A 192.0.2.77");
    const std::string soa = "@ SOA ns1 hostmaster " + std::to_string(diff_.to) + " 3600 600 86400 300";
    diff_.removed.push_back(z_.apex().find(RRType::SOA)->to_rrset(z_.origin(), dns::RRClass::IN));
    add(soa);
    return diff_;
  }
  // Owners at or below a cut that appeared or went: their signedness flips.
  std::vector<std::string> cuts;

 private:
  std::string tag() const { return std::to_string(step_); }
  void add(std::string_view text) { diff_.added.push_back(rrset_of(text)); }
  void remove_node(dns::NodeView n) {
    for (size_t i = 0; i < n.rrset_count(); ++i)
      diff_.removed.push_back(n.rrset(i).to_rrset(n.owner(), z_.rclass()));
  }
  // A random node that `ok` accepts, in canonical order, or none.
  template <class F>
  std::optional<dns::NodeView> pick(F&& ok) {
    return testing::pick_node(z_, rng_, ok);
  }
  static bool plain(dns::NodeView n) { return testing::plain_node(n); }
  bool apply(int op) {
    switch (op) {
      case 0: add("n" + tag() + " A 192.0.2." + tag()); return true;
      case 1: return remove_plain();
      case 2: return change_address();
      case 3:
        add("d" + tag() + " NS ns.d" + tag());
        add("ns.d" + tag() + " A 192.0.2.53");
        return true;
      case 4: return remove_delegation();
      case 5: return delegate_over_data();
      case 6: return toggle_ds();
      case 7: return add_below();
      default: return change_ttl();
    }
  }
  bool remove_plain() {
    auto n = pick(plain);
    if (n) remove_node(*n);
    return n.has_value();
  }
  bool change_address() {
    auto n = pick([](dns::NodeView v) { return plain(v) && v.find(RRType::A); });
    if (!n) return false;
    dns::RRset old(dns::Name(n->owner()), RRType::A, z_.rclass(), n->find(RRType::A)->ttl());
    old.add(n->find(RRType::A)->rdata(0));
    diff_.removed.push_back(old);
    add(n->owner().to_text() + " " + std::to_string(old.ttl()) + " A 10.0.0." + tag());
    return true;
  }
  bool remove_delegation() {
    auto n = pick([](dns::NodeView v) { return v.is_delegation() && !v.is_occluded(); });
    if (!n) return false;
    cuts.push_back(lower(n->owner()));
    for (size_t i = z_.lower_bound(n->owner()); i < z_.node_count(); ++i) {
      if (!z_.node(i).owner().is_subdomain_of(n->owner())) break;
      remove_node(z_.node(i));
    }
    return true;
  }
  bool delegate_over_data() {
    auto n = pick(plain);
    if (!n) return false;
    cuts.push_back(lower(n->owner()));
    add(n->owner().to_text() + " NS ns.example.net.");
    return true;
  }
  bool toggle_ds() {
    auto n = pick([](dns::NodeView v) { return v.is_delegation() && !v.is_occluded(); });
    if (!n) return false;
    if (auto ds = n->find(RRType::DS)) {
      diff_.removed.push_back(ds->to_rrset(n->owner(), z_.rclass()));
    } else {
      add(n->owner().to_text() + " DS " + tag() + " 15 2 " + std::string(64, 'a'));
    }
    return true;
  }
  bool add_below() {
    auto n = pick(plain);
    if (n) add("x.y" + tag() + "." + n->owner().to_text() + " A 192.0.2.8");
    return n.has_value();
  }
  bool change_ttl() {
    auto n = pick(plain);
    if (!n) return false;
    auto set = n->rrset(0).to_rrset(n->owner(), z_.rclass());
    diff_.removed.push_back(set);
    set.set_ttl(set.ttl() + 100);
    diff_.added.push_back(set);
    return true;
  }

  const dns::ZoneVersion& z_;
  std::mt19937& rng_;
  int step_;
  dns::ZoneDiff diff_;
};

class SignDiffTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    keys_ = ZoneKeys{store_.get(), {make_key(hsm::Algorithm::ed25519, 257, KeyRole::csk, "example. csk")}};
    unsigned_ = testing::zone(initial_zone(), kOrigin);
    ASSERT_TRUE(unsigned_);
  }

  std::shared_ptr<const dns::ZoneVersion> full_sign(const dns::ZoneVersion& z, base::TimePoint now) {
    auto s = sign_zone(z, keys_, params_, now);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? *s : nullptr;
  }
  void expect_valid(const dns::ZoneVersion& z, int step) {
    write(z, "step.signed");
    expect_verifiers_accept("step.signed", true, "step " + std::to_string(step) + ": ");
  }
  void random_diffs(unsigned seed);

  ZoneKeys keys_;
  SigningParams params_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  base::TimePoint start_ =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

// True when (owner, type) was changed by `diff`, is a denial record whose
// content changed, or sits at or below a cut that appeared or went.
bool touched(const std::pair<std::string, uint16_t>& key, const dns::ZoneDiff& diff,
             const std::vector<std::string>& cuts, const dns::ZoneVersion& before,
             const dns::ZoneVersion& after) {
  for (const auto* section : {&diff.removed, &diff.added}) {
    for (const auto& set : *section) {
      if (lower(set.owner()) == key.first && dns::code(set.type()) == key.second) return true;
    }
  }
  for (const auto& cut : cuts) {
    if (testing::name(key.first).is_subdomain_of(testing::name(cut))) return true;
  }
  const bool denial = key.second == dns::code(RRType::NSEC) || key.second == dns::code(RRType::NSEC3);
  return denial && content(before, key.first, key.second) != content(after, key.first, key.second);
}

void SignDiffTest::random_diffs(unsigned seed) {
  std::mt19937 rng(seed);
  auto signed_zone = full_sign(*unsigned_, start_);
  ASSERT_TRUE(signed_zone);
  std::vector<int> ops;
  for (int op = 0; op < 9; ++op) ops.insert(ops.end(), {op, op});
  ops.push_back(3);
  ops.push_back(5);
  std::shuffle(ops.begin(), ops.end(), rng);
  for (int step = 0; step < static_cast<int>(ops.size()); ++step) {
    const base::TimePoint now = start_ + std::chrono::minutes(step + 1);
    DiffMaker maker(*unsigned_, rng, step);
    const dns::ZoneDiff change = maker.make(ops[static_cast<size_t>(step)]);
    auto update = sign_diff(*unsigned_, *signed_zone, change, keys_, params_, now);
    ASSERT_TRUE(update) << "step " << step << ": " << update.error().to_string();
    const dns::ZoneVersion& next = *update->signed_next;
    auto full = full_sign(*update->unsigned_next, now);
    ASSERT_TRUE(full);
    // (a) the same zone as a full re-sign, RRSIGs aside; RRSIGs over the same RRsets.
    EXPECT_EQ(records_of(next), records_of(*full)) << "step " << step;
    const SigMap before = sigs_of(*signed_zone), after = sigs_of(next), expected = sigs_of(*full);
    ASSERT_EQ(after.size(), expected.size()) << "step " << step;
    size_t made = 0, total = 0;
    for (const auto& [key, rrsigs] : after) {
      ASSERT_TRUE(expected.contains(key)) << key.first << " " << key.second;
      const bool kept = before.contains(key) && before.at(key) == rrsigs;
      // (b) untouched RRsets keep their RRSIGs byte for byte; the rest are
      // sign_zone's at `now` (ED25519 is deterministic).
      if (!touched(key, change, maker.cuts, *signed_zone, next)) {
        EXPECT_TRUE(kept) << "step " << step << ": re-signed " << key.first << " " << key.second;
      }
      if (kept) {
        EXPECT_EQ(content(*signed_zone, key.first, key.second), content(next, key.first, key.second));
      } else {
        EXPECT_EQ(rrsigs, expected.at(key)) << key.first << " " << key.second;
      }
      made += kept ? 0 : rrsigs.size();
      total += rrsigs.size();
    }
    // (c) a few signatures per diff, not the zone's worth.
    EXPECT_EQ(made, update->signatures_made) << "step " << step;
    EXPECT_LE(made, 12u) << "step " << step;
    std::cout << "step " << step << " op " << ops[static_cast<size_t>(step)] << ": " << made << " of "
              << total << " RRSIGs new\n";
    // The signed diff turns the signed base into the signed next.
    auto replayed = dns::apply_diff(*signed_zone, update->signed_diff);
    ASSERT_TRUE(replayed) << replayed.error().to_string();
    EXPECT_TRUE(dns::diff_versions(**replayed, next).empty());
    // (d) the external verifiers, every few steps.
    if (step % 5 == 4) expect_valid(next, step);
    unsigned_ = update->unsigned_next;
    signed_zone = update->signed_next;
  }
}

TEST_F(SignDiffTest, RandomNsecDiffsMatchAFullResignAndKeepUntouchedSignatures) { random_diffs(4034); }

TEST_F(SignDiffTest, RandomNsec3DiffsMatchAFullResignAndKeepUntouchedSignatures) {
  params_.denial = Nsec3Params{};
  random_diffs(5155);
}

TEST_F(SignDiffTest, RandomNsec3OptOutDiffsMatchAFullResignAndKeepUntouchedSignatures) {
  params_.denial = Nsec3Params{dnssec::kNsec3HashSha1, 0, {}, true};
  random_diffs(9276);
}

TEST_F(SignDiffTest, ChangingOneAddressResignsItAndTheSoaOnly) {
  auto signed_zone = full_sign(*unsigned_, start_);
  ASSERT_TRUE(signed_zone);
  auto update = sign_diff(*unsigned_, *signed_zone,
                          bump({rrset_of("h7 A 198.51.100.7")}, {rrset_of("h7 A 203.0.113.7")}), keys_,
                          params_, start_ + std::chrono::hours(1));
  ASSERT_TRUE(update) << update.error().to_string();
  EXPECT_EQ(update->rrsets_signed, 2u);
  EXPECT_EQ(update->signatures_made, 2u);
  // The signed diff: SOA, the A RRset and the RRSIGs at both owners.
  EXPECT_EQ(update->signed_diff.added.size(), 4u);
  EXPECT_EQ(update->signed_diff.removed.size(), 4u);
  EXPECT_EQ(update->signed_diff.from, 1u);
  EXPECT_EQ(update->signed_diff.to, 2u);
}

// RFC 4035 section 2.2: every RRset is signed with every key's algorithm;
// a key added between versions finds no kept RRSIG complete.
TEST_F(SignDiffTest, SignaturesCloseToExpiryAreRefreshed) {
  auto signed_zone = full_sign(*unsigned_, start_);
  ASSERT_TRUE(signed_zone);
  size_t total = 0;
  signed_zone->for_each_rrset([&](const dns::NodeView&, const dns::RRsetView& set) {
    if (set.type() == dns::RRType::RRSIG) total += set.size();
  });
  params_.refresh = std::chrono::days(5);
  // A day later every signature still has over 5 days left: only the
  // changed A RRset and the SOA are signed.
  auto early = sign_diff(*unsigned_, *signed_zone,
                         bump({rrset_of("h7 A 198.51.100.7")}, {rrset_of("h7 A 203.0.113.7")}), keys_,
                         params_, start_ + std::chrono::days(1));
  ASSERT_TRUE(early) << early.error().to_string();
  EXPECT_EQ(early->signatures_made, 2u);
  // Ten days later (validity 14 days, jitter at most 12 hours) every
  // signature expires within 5 days: all are made anew.
  auto late = sign_diff(*unsigned_, *signed_zone,
                        bump({rrset_of("h7 A 198.51.100.7")}, {rrset_of("h7 A 203.0.113.7")}), keys_, params_,
                        start_ + std::chrono::days(10));
  ASSERT_TRUE(late) << late.error().to_string();
  EXPECT_EQ(late->signatures_made, total);
}

TEST_F(SignDiffTest, AddedKeyResignsEveryRRset) {
  auto signed_zone = full_sign(*unsigned_, start_);
  ASSERT_TRUE(signed_zone);
  auto info = store_->generate(hsm::KeySpec{hsm::Algorithm::ed25519, 0, {}, "example. csk 2"});
  ASSERT_TRUE(info) << info.error().to_string();
  keys_.keys.push_back(testing::signing_key(info->uri, 257, KeyRole::csk));
  auto update = sign_diff(*unsigned_, *signed_zone, bump(), keys_, params_, start_);
  ASSERT_TRUE(update) << update.error().to_string();
  auto full = full_sign(*update->unsigned_next, start_);
  ASSERT_TRUE(full);
  EXPECT_TRUE(dns::diff_versions(*update->signed_next, *full).empty());
  EXPECT_EQ(update->signatures_made, 2 * update->rrsets_signed);
  size_t rrsigs = 0;
  for (const auto& [key, set] : sigs_of(*full)) rrsigs += set.size();
  EXPECT_EQ(update->signatures_made, rrsigs);
}

TEST_F(SignDiffTest, DiffThatDoesNotApplyIsAnErrorAndChangesNothing) {
  auto signed_zone = full_sign(*unsigned_, start_);
  ASSERT_TRUE(signed_zone);
  const RecordSet records = records_of(*signed_zone);
  const SigMap sigs = sigs_of(*signed_zone);
  auto next = dns::apply_diff(*unsigned_, bump());
  ASSERT_TRUE(next);
  for (auto r :
       {sign_diff(*unsigned_, *signed_zone, bump({rrset_of("nothere A 192.0.2.1")}), keys_, params_, start_),
        sign_diff(*unsigned_, *signed_zone, dns::ZoneDiff{7, 8, {}, {}}, keys_, params_, start_),
        // a signed base of another serial than the unsigned one
        sign_diff(**next, *signed_zone, bump(), keys_, params_, start_)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, base::Errc::conflict) << r.error().to_string();
  }
  EXPECT_EQ(records_of(*signed_zone), records);
  EXPECT_EQ(sigs_of(*signed_zone), sigs);
}

}  // namespace
}  // namespace signerd::dnssec
