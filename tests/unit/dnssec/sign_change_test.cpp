// sign_change against sign_diff over hundreds of chained, seeded random
// changes on a zone of corner cases: the same next signed zone byte for
// byte (ED25519 is deterministic and refresh is 0), the same signed diff
// as a set of records and the same signature count; every result passes
// verify_zone, a few pass BIND's and ldns's verifiers. Then the changes
// that need the whole zone (nullopt) and a mismatched base (an error).
#include "dnssec/sign_change.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>
#include <set>
#include <tuple>

#include "dnssec/refresh_slice.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/verify_zone.hpp"
#include "dnssec_test_util.hpp"

namespace signerd::dnssec {
namespace {

using testing::KeyRole;

using dns::RRType;

constexpr const char* kOrigin = "example.";
constexpr int kOps = 19;  // ChangeMaker::apply

std::string lower(dns::NameView n) { return dns::Name(n).lowercased().to_text(); }

using testing::records_of;
using testing::RecordSet;

RecordSet records_of(const std::vector<dns::RRset>& section) {
  RecordSet out;
  for (const auto& set : section) {
    for (const auto& rd : set.rdatas())
      out.insert({lower(set.owner()), dns::code(set.type()), set.ttl(), rd});
  }
  return out;
}

using testing::rrset_of;

std::string initial_zone() {
  std::string z = std::string(testing::kCornerZone);
  for (int i = 0; i < 30; ++i) z += "h" + std::to_string(i) + " A 198.51.100." + std::to_string(i) + "\n";
  for (int i = 0; i < 3; ++i) {
    const std::string t = "t" + std::to_string(i);
    z += t + " TXT \"tree\"\na." + t + " A 192.0.2.9\nb." + t + " AAAA 2001:db8::9\n";
  }
  z += "alias CNAME h1.example.\n*.wild TXT \"w\"\n";
  return z;
}

// One random change (and the SOA bump) against the current zone.
class ChangeMaker {
 public:
  ChangeMaker(const dns::ZoneVersion& z, std::mt19937& rng, int step)
      : z_(z), rng_(rng), tag_(std::to_string(step)) {}

  // Whether the op found what it needed; else the change adds a name.
  bool applied = false;

  dns::ZoneDiff make(int op) {
    diff_.from = z_.serial();
    diff_.to = z_.serial() + 1;
    applied = apply(op);
    if (!applied) add("n" + tag_ + " A 192.0.2.77");
    diff_.removed.push_back(z_.apex().find(RRType::SOA)->to_rrset(z_.origin(), dns::RRClass::IN));
    add("@ SOA ns1 hostmaster " + std::to_string(diff_.to) + " 3600 600 86400 300");
    return diff_;
  }

 private:
  void add(std::string_view text) { diff_.added.push_back(rrset_of(text)); }
  void remove(dns::NodeView n, RRType type) {
    diff_.removed.push_back(n.find(type)->to_rrset(n.owner(), z_.rclass()));
  }
  void remove_node(dns::NodeView n) {
    for (size_t i = 0; i < n.rrset_count(); ++i)
      diff_.removed.push_back(n.rrset(i).to_rrset(n.owner(), z_.rclass()));
  }
  void remove_subtree(dns::NodeView top) {
    for (size_t i = z_.lower_bound(top.owner()); i < z_.node_count(); ++i) {
      if (!z_.node(i).owner().is_subdomain_of(top.owner())) break;
      remove_node(z_.node(i));
    }
  }
  template <class F>
  std::optional<dns::NodeView> pick(F&& ok) {
    return testing::pick_node(z_, rng_, ok);
  }
  static bool plain(dns::NodeView n) { return testing::plain_node(n); }
  static bool cut(dns::NodeView n) { return n.is_delegation() && !n.is_occluded(); }
  bool apply(int op) {
    switch (op) {
      case 0: add("n" + tag_ + " A 192.0.2.1"); return true;
      case 1: return with(plain, [&](dns::NodeView n) { remove_node(n); });
      case 2:
        return with([](dns::NodeView n) { return plain(n) && n.find(RRType::A); },
                    [&](dns::NodeView n) {
                      remove(n, RRType::A);
                      add(n.owner().to_text() + " A 10.0." + std::to_string(std::stoi(tag_) / 256) + "." +
                          std::to_string(std::stoi(tag_) % 256));
                    });
      case 3:
        add("d" + tag_ + " NS ns.d" + tag_);
        add("ns.d" + tag_ + " A 192.0.2.53");
        return true;
      case 4: return with(cut, [&](dns::NodeView n) { remove_subtree(n); });
      case 5: return with(plain, [&](dns::NodeView n) { add(n.owner().to_text() + " NS ns.example.net."); });
      case 6:
        return with(cut, [&](dns::NodeView n) {
          if (n.find(RRType::DS)) return remove(n, RRType::DS);
          add(n.owner().to_text() + " DS " + tag_ + " 15 2 " + std::string(64, 'a'));
        });
      case 7:
        return with(plain,
                    [&](dns::NodeView n) { add("x.y" + tag_ + "." + n.owner().to_text() + " A 192.0.2.8"); });
      case 8:
        return with(plain, [&](dns::NodeView n) {
          auto set = n.rrset(0).to_rrset(n.owner(), z_.rclass());
          diff_.removed.push_back(set);
          set.set_ttl(set.ttl() + 100);
          diff_.added.push_back(set);
        });
      case 9:
        return with(plain, [&](dns::NodeView n) { add(n.owner().to_text() + " DNAME elsewhere.test."); });
      case 10:
        return with([](dns::NodeView n) { return !n.is_apex() && !n.is_occluded() && n.find(RRType::DNAME); },
                    [&](dns::NodeView n) { remove(n, RRType::DNAME); });
      case 11:
        if (rng_() % 2)
          return with([](dns::NodeView n) { return n.is_wildcard() && !n.is_occluded(); },
                      [&](dns::NodeView n) { remove_node(n); });
        add("*.w" + tag_ + " TXT \"w\"");
        return true;
      case 12: add("c" + tag_ + " CNAME h2.example."); return true;
      case 13: return apex_change();
      case 14: add("zz" + tag_ + ".zzz A 192.0.2.99"); return true;
      case 15: return remove_edge();
      case 16: add("0" + tag_ + ".a A 192.0.2.98"); return true;
      case 17: return signer_owned();
      default:
        return with(cut,
                    [&](dns::NodeView n) { add("g" + tag_ + "." + n.owner().to_text() + " A 192.0.2.7"); });
    }
  }
  template <class Ok, class Do>
  bool with(Ok&& ok, Do&& act) {
    auto n = pick(ok);
    if (n) act(*n);
    return n.has_value();
  }
  bool apex_change() {
    const dns::NodeView apex = z_.apex();
    switch (rng_() % 3) {
      case 0:
        if (apex.find(RRType::MX)) return remove(apex, RRType::MX), true;
        add("@ MX 10 mail" + tag_ + ".example.");
        return true;
      case 1:
        if (apex.find(RRType::TXT)) return remove(apex, RRType::TXT), true;
        add("@ TXT \"apex " + tag_ + "\"");
        return true;
      default:
        if (apex.find(RRType::NS)->size() > 1) {
          dns::RRset ns(dns::Name(apex.owner()), RRType::NS, z_.rclass(), apex.find(RRType::NS)->ttl());
          ns.add(apex.find(RRType::NS)->rdata(1));
          diff_.removed.push_back(ns);
        } else {
          add("@ NS ns2.example.net.");
        }
        return true;
    }
  }
  // Records the signer owns (base_zone drops them): a name with only a
  // CDS, sometimes with data below it (an empty non-terminal once signed),
  // or upstream DNSKEY/CDS at the apex.
  bool signer_owned() {
    const std::string cds = " CDS 1 15 2 " + std::string(64, 'b');
    switch (rng_() % 3) {
      case 0: add("q" + tag_ + cds); return true;
      case 1:
        add("q" + tag_ + cds);
        add("w.q" + tag_ + " A 192.0.2.6");
        return true;
      default:
        if (z_.apex().find(RRType::CDS)) return remove(z_.apex(), RRType::CDS), true;
        add("@" + cds);
        return true;
    }
  }
  // The first or the last name after the apex in canonical order, when plain.
  bool remove_edge() {
    const dns::NodeView n = rng_() % 2 ? z_.node(1) : z_.node(z_.node_count() - 1);
    if (!plain(n)) return false;
    remove_node(n);
    return true;
  }

  const dns::ZoneVersion& z_;
  std::mt19937& rng_;
  std::string tag_;
  dns::ZoneDiff diff_;
};

class SignChangeTest : public testing::ToolDirTest {
 protected:
  void SetUp() override {
    ToolDirTest::SetUp();
    keys_ = ZoneKeys{store_.get(),
                     {make_key(hsm::Algorithm::ed25519, 257, KeyRole::ksk, "example. ksk"),
                      make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk")}};
    unsigned_ = testing::zone(initial_zone(), kOrigin);
    ASSERT_TRUE(unsigned_);
  }

  std::shared_ptr<const dns::ZoneVersion> full_sign(const dns::ZoneVersion& z) {
    auto s = sign_zone(z, keys_, params_, start_);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? *s : nullptr;
  }
  dns::ZoneDiff bump(std::vector<dns::RRset> removed = {}, std::vector<dns::RRset> added = {}) {
    removed.push_back(unsigned_->apex().find(RRType::SOA)->to_rrset(unsigned_->origin(), dns::RRClass::IN));
    added.push_back(
        rrset_of("@ SOA ns1 hostmaster " + std::to_string(unsigned_->serial() + 1) + " 3600 600 86400 300"));
    return dns::ZoneDiff{unsigned_->serial(), unsigned_->serial() + 1, std::move(removed), std::move(added)};
  }
  void random_changes(unsigned seed, int steps);
  // Signs the zone, then refreshes it in slices once every signature is
  // due (past validity - refresh): refresh_in_slices' checks.
  void refresh_whole_zone_in_slices();
  // sign_change gives sign_diff's zone for `change`, without falling back.
  void expect_same_as_sign_diff(const dns::ZoneVersion& signed_zone, const dns::ZoneDiff& change) {
    auto slow = sign_diff(*unsigned_, signed_zone, change, keys_, params_, start_);
    ASSERT_TRUE(slow) << slow.error().to_string();
    auto fast = sign_change(*unsigned_, signed_zone, change, keys_, params_, start_);
    ASSERT_TRUE(fast) << fast.error().to_string();
    ASSERT_TRUE(fast->has_value()) << "fell back";
    EXPECT_EQ(records_of(*(*fast)->signed_next), records_of(*slow->signed_next));
    EXPECT_EQ((*fast)->signatures_made, slow->signatures_made);
  }

  ZoneKeys keys_;
  SigningParams params_;
  std::shared_ptr<const dns::ZoneVersion> unsigned_;
  // A day back, so that the steps' signatures (a minute apart) are all
  // in force for the external verifiers, which read the clock.
  base::TimePoint start_ =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) -
      std::chrono::days(1);
};

void SignChangeTest::random_changes(unsigned seed, int steps) {
  std::mt19937 rng(seed);
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  size_t signatures = 0;
  std::vector<int> applied(kOps, 0);
  // As the daemon does: one HSM session for every change.
  auto session = SigningSession::open(keys_);
  ASSERT_TRUE(session) << session.error().to_string();
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
    const base::TimePoint now = start_ + std::chrono::minutes(step + 1);
    const int op = static_cast<int>(rng() % kOps);
    ChangeMaker maker(*unsigned_, rng, step);
    const dns::ZoneDiff change = maker.make(op);
    applied[static_cast<size_t>(op)] += maker.applied ? 1 : 0;
    auto slow = sign_diff(*unsigned_, *signed_zone, change, keys_, params_, now);
    ASSERT_TRUE(slow) << "op " << op << ": " << slow.error().to_string();
    auto fast = sign_change(*unsigned_, *signed_zone, change, keys_, params_, now, &*session);
    ASSERT_TRUE(fast) << "op " << op << ": " << fast.error().to_string();
    ASSERT_TRUE(fast->has_value()) << "op " << op << ": fell back";
    const SignedUpdate& got = **fast;
    EXPECT_EQ(records_of(*got.unsigned_next), records_of(*slow->unsigned_next)) << "op " << op;
    EXPECT_EQ(records_of(*got.signed_next), records_of(*slow->signed_next)) << "op " << op;
    EXPECT_TRUE(dns::diff_versions(*got.signed_next, *slow->signed_next).empty()) << "op " << op;
    EXPECT_EQ(records_of(got.signed_diff.removed), records_of(slow->signed_diff.removed)) << "op " << op;
    EXPECT_EQ(records_of(got.signed_diff.added), records_of(slow->signed_diff.added)) << "op " << op;
    EXPECT_EQ(got.signed_diff.from, slow->signed_diff.from);
    EXPECT_EQ(got.signed_diff.to, slow->signed_diff.to);
    EXPECT_EQ(got.signatures_made, slow->signatures_made) << "op " << op;
    EXPECT_EQ(got.rrsets_signed, slow->rrsets_signed) << "op " << op;
    auto verified = verify_zone(*got.signed_next, now);
    EXPECT_TRUE(verified) << "op " << op << ": " << verified.error().to_string();
    if (step % 97 == 96) {
      write(*got.signed_next, "step.signed");
      expect_verifiers_accept("step.signed", false, "step " + std::to_string(step) + ": ");
    }
    if (::testing::Test::HasFailure()) return;
    signatures += got.signatures_made;
    unsigned_ = got.unsigned_next;
    signed_zone = got.signed_next;
  }
  std::cout << "seed " << seed << ": " << steps << " changes, " << signatures << " signatures made\n";
  // Every kind of change happened, not only its stand-in.
  for (int op = 0; op < kOps; ++op) EXPECT_GE(applied[static_cast<size_t>(op)], 3) << "op " << op;
}

TEST_F(SignChangeTest, RandomNsecChangesGiveSignDiffsZone) { random_changes(4034, 300); }

TEST_F(SignChangeTest, RandomNsec3ChangesGiveSignDiffsZone) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  random_changes(5155, 300);
}

TEST_F(SignChangeTest, RandomNsec3OptOutChangesWithSaltGiveSignDiffsZone) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 5, {0xab, 0xcd, 0xef}, true};
  random_changes(9276, 300);
}

// The KSK asks for its DS (RFC 7344): the apex carries CDS and CDNSKEY,
// signed by the KSK and listed in the apex bitmap, on both paths alike.
TEST_F(SignChangeTest, RandomNsecChangesWithCdsGiveSignDiffsZone) {
  keys_.keys[0].cds = true;
  random_changes(7344, 300);
}

TEST_F(SignChangeTest, RandomNsec3ChangesWithCdsAndTwoDigestsGiveSignDiffsZone) {
  keys_.keys[0].cds = true;
  params_.cds_digest_types = {2, 4};
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  random_changes(8078, 300);
}

// More names below a cut than a walk may pass: the NSEC walks step over
// the occluded subtree by lookup instead.
TEST_F(SignChangeTest, NeighboursAcrossALargeGlueSubtreeNeedNoFallback) {
  std::string z = initial_zone() + "big NS ns.big.example.\n";
  for (size_t i = 0; i < kMaxNeighbourScan + 100; ++i) z += "g" + std::to_string(i) + ".big A 192.0.2.1\n";
  unsigned_ = testing::zone(z, kOrigin);
  ASSERT_TRUE(unsigned_);
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  // "bih" follows big's subtree; "bia" precedes it; removing "big"'s NS
  // makes the whole subtree visible.
  expect_same_as_sign_diff(*signed_zone, bump({}, {rrset_of("bih A 192.0.2.2")}));
  expect_same_as_sign_diff(*signed_zone, bump({}, {rrset_of("x.big A 192.0.2.2")}));
  expect_same_as_sign_diff(*signed_zone, bump({}, {rrset_of("big DS 1 15 2 " + std::string(64, 'c'))}));
}

// An empty non-terminal over more insecure delegations than a walk may
// pass: whether its NSEC3 stays comes from the signed base's.
TEST_F(SignChangeTest, OptOutEmptyNonTerminalOverManyInsecureDelegations) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, true};
  std::string z = initial_zone();
  for (size_t i = 0; i < kMaxNeighbourScan + 100; ++i)
    z += "d" + std::to_string(i) + ".co NS ns.example.net.\n";
  z += "zz.sec.co NS ns.example.net.\nzz.sec.co DS 1 15 2 " + std::string(64, 'd') + "\n";
  unsigned_ = testing::zone(z, kOrigin);
  ASSERT_TRUE(unsigned_);
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  expect_same_as_sign_diff(*signed_zone, bump({}, {rrset_of("new.co NS ns.example.net.")}));
  expect_same_as_sign_diff(*signed_zone, bump({}, {rrset_of("d7.co DS 1 15 2 " + std::string(64, 'e'))}));
  expect_same_as_sign_diff(*signed_zone, bump({rrset_of("d7.co NS ns.example.net.")}));
  // Removing the only secure delegation could empty "co" of members:
  // only a walk could tell, so it is left to sign_diff.
  auto r =
      sign_change(*unsigned_, *signed_zone, bump({rrset_of("zz.sec.co DS 1 15 2 " + std::string(64, 'd'))}),
                  keys_, params_, start_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->has_value());
}

TEST_F(SignChangeTest, OneAddressSignsItAndTheSoaOnly) {
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  auto r = sign_change(*unsigned_, *signed_zone,
                       bump({rrset_of("h7 A 198.51.100.7")}, {rrset_of("h7 A 203.0.113.7")}), keys_, params_,
                       start_ + std::chrono::hours(1));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->rrsets_signed, 2u);
  EXPECT_EQ((*r)->signatures_made, 2u);
  EXPECT_EQ((*r)->signed_diff.added.size(), 4u);
  EXPECT_EQ((*r)->signed_diff.removed.size(), 4u);
}

// Sliced refresh: every signature is due; slices of a few names, each
// with its SOA bump, walk the zone from the apex to its end. The result is
// sign_diff's zone for the same `now` byte for byte (ED25519 is
// deterministic), and nothing in it is due any more.
void refresh_in_slices(const ZoneKeys& keys, const SigningParams& params,
                       std::shared_ptr<const dns::ZoneVersion> unsigned_zone,
                       std::shared_ptr<const dns::ZoneVersion> signed_zone, base::TimePoint now) {
  const auto due = static_cast<uint32_t>((now + params.refresh).time_since_epoch().count());
  const auto first_unsigned = unsigned_zone;
  const auto first_signed = signed_zone;
  auto session = SigningSession::open(keys, 2);
  ASSERT_TRUE(session) << session.error().to_string();
  std::optional<dns::Name> from;
  int slices = 0;
  do {
    auto slice = next_refresh_slice(*unsigned_zone, *signed_zone, params.denial, due, from, 7, 1000);
    ASSERT_TRUE(slice) << slice.error().to_string();
    from = slice->next;
    if (slice->names.empty()) continue;
    const dns::ZoneDiff change{
        unsigned_zone->serial(),
        unsigned_zone->serial() + 1,
        {unsigned_zone->apex().find(RRType::SOA)->to_rrset(unsigned_zone->origin(), dns::RRClass::IN)},
        {rrset_of("@ SOA ns1 hostmaster " + std::to_string(unsigned_zone->serial() + 1) +
                  " 3600 600 86400 300")}};
    auto r = sign_change(*unsigned_zone, *signed_zone, change, keys, params, now, &*session, slice->names);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(r->has_value()) << "fell back";
    EXPECT_GT((*r)->signatures_made, 1u);  // more than the SOA's
    unsigned_zone = (*r)->unsigned_next;
    signed_zone = (*r)->signed_next;
    ++slices;
  } while (from);
  EXPECT_GT(slices, 5);

  // The same serial bump in one change, through sign_diff.
  const dns::ZoneDiff all{
      first_unsigned->serial(),
      unsigned_zone->serial(),
      {first_unsigned->apex().find(RRType::SOA)->to_rrset(first_unsigned->origin(), dns::RRClass::IN)},
      {unsigned_zone->apex().find(RRType::SOA)->to_rrset(unsigned_zone->origin(), dns::RRClass::IN)}};
  auto whole = sign_diff(*first_unsigned, *first_signed, all, keys, params, now);
  ASSERT_TRUE(whole) << whole.error().to_string();
  EXPECT_EQ(records_of(*signed_zone), records_of(*whole->signed_next));
  auto again =
      next_refresh_slice(*unsigned_zone, *signed_zone, params.denial, due, std::nullopt, 1000, 100000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->names.empty()) << again->names.front().to_text() << " still due";
  auto verified = verify_zone(*signed_zone, now);
  EXPECT_TRUE(verified) << verified.error().to_string();
}

void SignChangeTest::refresh_whole_zone_in_slices() {
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  params_.refresh = std::chrono::days(5);
  refresh_in_slices(keys_, params_, unsigned_, signed_zone,
                    start_ + params_.validity - params_.refresh + std::chrono::hours(1));
}

TEST_F(SignChangeTest, RefreshInSlicesGivesSignDiffsZone) { refresh_whole_zone_in_slices(); }

TEST_F(SignChangeTest, RefreshInSlicesGivesSignDiffsZoneWithNsec3) {
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, false};
  refresh_whole_zone_in_slices();
}

// Nothing due: the walk names nothing, and a bounded walk stops early.
TEST_F(SignChangeTest, RefreshSliceNamesNothingBeforeItIsDue) {
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  const auto due = static_cast<uint32_t>((start_ + std::chrono::days(1)).time_since_epoch().count());
  auto slice = next_refresh_slice(*unsigned_, *signed_zone, params_.denial, due, std::nullopt, 10, 5);
  ASSERT_TRUE(slice);
  EXPECT_TRUE(slice->names.empty());
  EXPECT_EQ(slice->names_walked, 5u);
  ASSERT_TRUE(slice->next);
  EXPECT_EQ(*slice->next, dns::Name(unsigned_->node(5).owner()));
}

// A change that needs the whole zone is nullopt, not an error: sign_diff's.
TEST_F(SignChangeTest, ChangesThatNeedTheWholeZoneFallBack) {
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  auto expect_fallback = [&](const dns::ZoneDiff& change, const ZoneKeys& keys, const SigningParams& params,
                             const char* what) {
    auto r = sign_change(*unsigned_, *signed_zone, change, keys, params, start_);
    ASSERT_TRUE(r) << what << ": " << r.error().to_string();
    EXPECT_FALSE(r->has_value()) << what;
  };
  ZoneKeys more = keys_;
  more.keys.push_back(make_key(hsm::Algorithm::ed25519, 256, KeyRole::zsk, "example. zsk 2"));
  expect_fallback(bump(), more, params_, "added key");
  ZoneKeys roles = keys_;
  roles.keys[1].ksk = true;  // the ZSK now signs the DNSKEY RRset too
  expect_fallback(bump(), roles, params_, "key roles");
  SigningParams ttl = params_;
  ttl.dnskey_ttl = 7200;
  expect_fallback(bump(), keys_, ttl, "DNSKEY TTL");
  ZoneKeys cds = keys_;
  cds.keys[0].cds = true;  // the apex would gain CDS and CDNSKEY
  expect_fallback(bump(), cds, params_, "CDS for the KSK");
  SigningParams cds_delete = params_;
  cds_delete.cds_delete = true;
  expect_fallback(bump(), keys_, cds_delete, "CDS DELETE");
  SigningParams nsec3 = params_;
  nsec3.denial = Nsec3Params{};
  expect_fallback(bump(), keys_, nsec3, "NSEC to NSEC3");
  expect_fallback(bump({}, {rrset_of("@ ZONEMD 1 1 1 " + std::string(96, '0'))}), keys_, params_, "ZONEMD");
  auto minimum = bump();
  minimum.added.back() = rrset_of("@ SOA ns1 hostmaster 2 3600 600 86400 900");
  expect_fallback(minimum, keys_, params_, "SOA MINIMUM");
  // NSEC3 with and without opt-out over each other's signed zone.
  params_.denial = Nsec3Params{kNsec3HashSha1, 0, {}, true};
  signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  expect_fallback(bump(), keys_, nsec3, "opt-out to none");
}

TEST_F(SignChangeTest, MismatchedBaseOrBadChangeIsAnError) {
  auto signed_zone = full_sign(*unsigned_);
  ASSERT_TRUE(signed_zone);
  auto next = dns::apply_diff(*unsigned_, bump());
  ASSERT_TRUE(next);
  for (auto r : {sign_change(**next, *signed_zone, bump(), keys_, params_, start_),
                 sign_change(*unsigned_, *signed_zone, bump({rrset_of("nothere A 192.0.2.1")}), keys_,
                             params_, start_)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, base::Errc::conflict) << r.error().to_string();
  }
}

}  // namespace
}  // namespace signerd::dnssec
