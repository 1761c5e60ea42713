// apply_diff against a whole rebuild: zones of several leaves, seeded random
// diffs that add and remove names, empty non-terminals, delegations with
// glue, DNAMEs, wildcards and TTLs; each result must equal ZoneBuilder's
// version of the same records node by node (owners, flags, RRsets), and
// the leaves the diff did not touch must be shared with the base.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "dns/zone_diff.hpp"
#include "dns/zone_leaf.hpp"
#include "zone_test_util.hpp"

namespace signerd::dns {
namespace {

using namespace testing;

// The reference: every record, keyed so that a set is a zone's content.
using Key = std::tuple<std::string, uint16_t, Rdata>;
struct Record {
  Name owner;
  RRType type;
  uint32_t ttl;
  Rdata rdata;
};
using Content = std::map<Key, Record>;

Key key_of(const Name& owner, RRType type, const Rdata& rd) {
  return {owner.lowercased().to_text(), code(type), rd};
}

std::shared_ptr<const ZoneVersion> build(const Content& c) {
  ZoneBuilder b(name("example."));
  // One TTL per RRset, as apply_diff keeps it.
  for (const auto& [k, r] : c) EXPECT_TRUE(b.add(r.owner, r.type, RRClass::IN, r.ttl, r.rdata));
  return build_zone(std::move(b));
}

void expect_same(const ZoneVersion& got, const ZoneVersion& want) {
  ASSERT_EQ(got.node_count(), want.node_count());
  ASSERT_EQ(got.rrset_count(), want.rrset_count());
  ASSERT_EQ(got.record_count(), want.record_count());
  EXPECT_EQ(got.serial(), want.serial());
  for (size_t i = 0; i < want.node_count(); ++i) {
    NodeView a = got.node(i);
    NodeView b = want.node(i);
    ASSERT_EQ(a.owner(), b.owner()) << i;
    ASSERT_EQ(a.flags(), b.flags()) << b.owner().to_text();
    ASSERT_EQ(a.rrset_count(), b.rrset_count()) << b.owner().to_text();
    for (size_t j = 0; j < b.rrset_count(); ++j) {
      RRsetView x = a.rrset(j);
      RRsetView y = b.rrset(j);
      ASSERT_EQ(x.type(), y.type()) << b.owner().to_text();
      ASSERT_EQ(x.ttl(), y.ttl()) << b.owner().to_text();
      ASSERT_EQ(x.size(), y.size()) << b.owner().to_text();
      for (size_t k = 0; k < y.size(); ++k) {
        auto p = x.rdata(k);
        auto q = y.rdata(k);
        ASSERT_TRUE(std::equal(p.begin(), p.end(), q.begin(), q.end())) << b.owner().to_text();
      }
    }
  }
}

class RandomZone {
 public:
  explicit RandomZone(unsigned seed) : rng_(seed) {
    put("example.", RRType::SOA, soa_rdata(1));
    put("example.", RRType::NS, name_rdata("ns1.example."));
    put("ns1.example.", RRType::A, a_rdata(192, 0, 2, 1));
    for (int i = 0; i < 1500; ++i) put(host(), RRType::A, a_rdata(198, 51, 100, static_cast<uint8_t>(i)));
  }

  const Content& content() const { return content_; }

  // A diff of a few random changes, with the serial bump.
  ZoneDiff random_diff(uint32_t serial) {
    ZoneDiff d{serial, serial + 1, {}, {}};
    remove_into(d, "example.", RRType::SOA, soa_rdata(serial));
    add_into(d, "example.", RRType::SOA, soa_rdata(serial + 1), 3600);
    const int changes = 1 + static_cast<int>(rng_() % 6);
    for (int c = 0; c < changes; ++c) change(d);
    return d;
  }

  void apply(const ZoneDiff& d) {
    for (const auto& set : d.removed)
      for (const auto& rd : set.rdatas()) content_.erase(key_of(set.owner(), set.type(), rd));
    for (const auto& set : d.added) {
      // An added RRset's TTL becomes the whole RRset's.
      for (auto& [k, r] : content_) {
        if (r.owner == set.owner() && r.type == set.type()) r.ttl = set.ttl();
      }
      for (const auto& rd : set.rdatas())
        content_[key_of(set.owner(), set.type(), rd)] = Record{set.owner(), set.type(), set.ttl(), rd};
    }
  }

 private:
  std::string host() {
    static const char* parents[] = {"", "", "", "sub.", "a.b.", "deep.x.y.", "*.", "z."};
    return "h" + std::to_string(rng_() % 5000) + "." + parents[rng_() % 8] + "example.";
  }

  void put(const std::string& owner, RRType type, const Rdata& rd, uint32_t ttl = 3600) {
    Name n = name(owner);
    content_[key_of(n, type, rd)] = Record{n, type, ttl, rd};
  }

  bool present(const Name& n, RRType type, const Rdata& rd) const {
    return content_.contains(key_of(n, type, rd));
  }

  void add_into(ZoneDiff& d, const std::string& owner, RRType type, const Rdata& rd, uint32_t ttl) {
    RRset s(name(owner), type, RRClass::IN, ttl);
    s.add(rd);
    d.added.push_back(std::move(s));
  }
  void remove_into(ZoneDiff& d, const std::string& owner, RRType type, const Rdata& rd) {
    RRset s(name(owner), type, RRClass::IN, 3600);
    s.add(rd);
    d.removed.push_back(std::move(s));
  }

  // Names already touched by this diff are left alone, so that each
  // change is valid on its own (no add and remove of one RR).
  static bool touched(const ZoneDiff& d, const std::string& owner) {
    const Name n = name(owner);
    auto same = [&](const RRset& s) { return s.owner() == n; };
    return std::any_of(d.added.begin(), d.added.end(), same) ||
           std::any_of(d.removed.begin(), d.removed.end(), same);
  }

  void change(ZoneDiff& d) {
    const std::string owner = pick_owner();
    const Name n = name(owner);
    if (touched(d, owner)) return;
    const int what = static_cast<int>(rng_() % 8);
    const Rdata a = a_rdata(203, 0, 113, static_cast<uint8_t>(rng_()));
    if (what == 0) {  // a delegation with glue below it
      const std::string cut = "d" + std::to_string(rng_() % 40) + ".sub.example.";
      const Rdata ns = name_rdata("ns." + cut);
      if (touched(d, cut) || touched(d, "ns." + cut) || touched(d, "in." + cut)) return;
      if (present(name(cut), RRType::NS, ns)) {
        remove_into(d, cut, RRType::NS, ns);
      } else {
        add_into(d, cut, RRType::NS, ns, 3600);
        if (!present(name("ns." + cut), RRType::A, a)) add_into(d, "ns." + cut, RRType::A, a, 3600);
        // Data below the cut that was there before it: occluded now.
        if (!present(name("in." + cut), RRType::A, a)) add_into(d, "in." + cut, RRType::A, a, 3600);
      }
    } else if (what == 1) {  // a DNAME over a subtree
      const Rdata target = name_rdata("elsewhere.example.");
      const std::string owner_d = rng_() % 2 ? "a.b.example." : "x.y.example.";
      if (touched(d, owner_d)) return;
      if (present(name(owner_d), RRType::DNAME, target)) {
        remove_into(d, owner_d, RRType::DNAME, target);
      } else {
        add_into(d, owner_d, RRType::DNAME, target, 3600);
      }
    } else if (what == 2) {  // a TTL change of an existing RRset
      for (const auto& [k, r] : content_) {
        if (r.owner == n && r.type == RRType::A) {
          remove_into(d, owner, RRType::A, r.rdata);
          add_into(d, owner, RRType::A, r.rdata, r.ttl + 60);
          return;
        }
      }
    } else {
      // Remove every A of the owner, or add one.
      bool removed_any = false;
      for (const auto& [k, r] : content_) {
        if (r.owner == n && r.type == RRType::A) {
          remove_into(d, owner, RRType::A, r.rdata);
          removed_any = true;
        }
      }
      if (!removed_any && !present(n, RRType::A, a)) add_into(d, owner, RRType::A, a, 3600);
    }
  }

  std::string pick_owner() {
    if (rng_() % 10 == 0) return "*.w" + std::to_string(rng_() % 20) + ".example.";
    if (rng_() % 10 == 0) return "in.d" + std::to_string(rng_() % 40) + ".sub.example.";
    return host();
  }

  std::mt19937 rng_;
  Content content_;
};

TEST(ApplyDiff, EqualsAWholeRebuildOverManyRandomDiffs) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    RandomZone zone(seed);
    auto current = build(zone.content());
    ASSERT_GT(ZoneLeafAccess::leaves(*current).size(), 2u) << "the zone must span several leaves";
    // Blocks of one to three leaves, so that diffs cross block boundaries.
    current = ZoneLeafAccess::reblock(*current, 1 + seed % 3);
    for (uint32_t step = 0; step < 60; ++step) {
      ZoneDiff d = zone.random_diff(current->serial());
      auto next = apply_diff(*current, d);
      ASSERT_TRUE(next) << "seed " << seed << " step " << step << ": " << next.error().to_string();
      zone.apply(d);
      auto want = build(zone.content());
      expect_same(**next, *want);
      if (HasFatalFailure()) {
        ADD_FAILURE() << "seed " << seed << " step " << step;
        return;
      }
      current = *next;
    }
  }
}

// Serial 1 to 2, nothing else.
ZoneDiff soa_bump() {
  ZoneDiff d{1, 2, {}, {}};
  RRset o(name("example."), RRType::SOA, RRClass::IN, 3600);
  o.add(soa_rdata(1));
  RRset n(name("example."), RRType::SOA, RRClass::IN, 3600);
  n.add(soa_rdata(2));
  d.removed.push_back(o);
  d.added.push_back(n);
  return d;
}

TEST(ApplyDiff, SharesTheLeavesADiffDoesNotTouch) {
  RandomZone zone(7);
  auto base = build(zone.content());
  auto next = apply_diff(*base, soa_bump());
  ASSERT_TRUE(next) << next.error().to_string();
  const auto& a = ZoneLeafAccess::leaves(*base);
  const auto& b = ZoneLeafAccess::leaves(**next);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a[0], b[0]);  // the apex's leaf is rebuilt
  for (size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "leaf " << i;
  EXPECT_EQ(base->serial(), 1u);
  EXPECT_EQ((*next)->serial(), 2u);
}

TEST(ApplyDiff, SharesTheBlocksADiffDoesNotTouch) {
  RandomZone zone(9);
  auto base = ZoneLeafAccess::reblock(*build(zone.content()), 1);
  auto next = apply_diff(*base, soa_bump());
  ASSERT_TRUE(next) << next.error().to_string();
  const auto& a = ZoneLeafAccess::blocks(*base);
  const auto& b = ZoneLeafAccess::blocks(**next);
  ASSERT_GT(a.size(), 2u);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a[0], b[0]);  // the apex's
  for (size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "block " << i;
}

// A DNAME, then a cut, over a subtree of several leaves: the rebuilt span
// runs across blocks, which must give way to it whole.
TEST(ApplyDiff, ASubtreeAcrossBlocksIsRebuiltOnce) {
  Content c;
  auto put = [&](const std::string& owner, RRType type, const Rdata& rd) {
    c[key_of(name(owner), type, rd)] = Record{name(owner), type, 3600, rd};
  };
  put("example.", RRType::SOA, soa_rdata(1));
  put("example.", RRType::NS, name_rdata("ns1.example."));
  put("a.example.", RRType::A, a_rdata(192, 0, 2, 1));
  for (int i = 0; i < 4000; ++i)
    put("h" + std::to_string(i) + ".big.example.", RRType::A, a_rdata(192, 0, 2, 2));
  put("z.example.", RRType::A, a_rdata(192, 0, 2, 3));
  auto current = ZoneLeafAccess::reblock(*build(c), 1);
  ASSERT_GT(ZoneLeafAccess::blocks(*current).size(), 6u);
  const Rdata target = name_rdata("elsewhere.example.");
  const Rdata ns = name_rdata("ns.elsewhere.example.");
  const std::vector<std::pair<RRType, Rdata>> steps = {
      {RRType::DNAME, target}, {RRType::DNAME, target}, {RRType::NS, ns}, {RRType::NS, ns}};
  for (size_t step = 0; step < steps.size(); ++step) {
    const auto& [type, rd] = steps[step];
    const uint32_t serial = current->serial();
    ZoneDiff d{serial, serial + 1, {}, {}};
    RRset old_soa(name("example."), RRType::SOA, RRClass::IN, 3600);
    old_soa.add(soa_rdata(serial));
    RRset new_soa(name("example."), RRType::SOA, RRClass::IN, 3600);
    new_soa.add(soa_rdata(serial + 1));
    RRset set(name("big.example."), type, RRClass::IN, 3600);
    set.add(rd);
    const bool adding = step % 2 == 0;
    d.removed = {old_soa};
    d.added = {new_soa};
    (adding ? d.added : d.removed).push_back(set);
    auto next = apply_diff(*current, d);
    ASSERT_TRUE(next) << "step " << step << ": " << next.error().to_string();
    c.erase(key_of(name("example."), RRType::SOA, soa_rdata(serial)));
    put("example.", RRType::SOA, soa_rdata(serial + 1));
    if (adding) {
      put("big.example.", type, rd);
    } else {
      c.erase(key_of(name("big.example."), type, rd));
    }
    expect_same(**next, *build(c));
    if (HasFatalFailure()) return;
    current = *next;
  }
}

TEST(ApplyDiff, RefusesWhatDoesNotApplyAndLeavesTheBaseAlone) {
  RandomZone zone(8);
  auto base = build(zone.content());
  ZoneDiff missing = soa_bump();
  RRset gone(name("nothere.example."), RRType::A, RRClass::IN, 3600);
  gone.add(a_rdata(1, 2, 3, 4));
  missing.removed.push_back(gone);
  EXPECT_FALSE(apply_diff(*base, missing));

  ZoneDiff twice = soa_bump();
  RRset again(name("ns1.example."), RRType::A, RRClass::IN, 3600);
  again.add(a_rdata(192, 0, 2, 1));
  twice.added.push_back(again);
  EXPECT_FALSE(apply_diff(*base, twice));

  ZoneDiff cname = soa_bump();
  RRset c(name("ns1.example."), RRType::CNAME, RRClass::IN, 3600);
  c.add(name_rdata("elsewhere.example."));
  cname.added.push_back(c);
  auto refused = apply_diff(*base, cname);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("CNAME"), std::string::npos);

  ZoneDiff outside = soa_bump();
  RRset o(name("example.org."), RRType::A, RRClass::IN, 3600);
  o.add(a_rdata(1, 2, 3, 4));
  outside.added.push_back(o);
  EXPECT_FALSE(apply_diff(*base, outside));

  ZoneDiff no_soa{1, 2, {}, {}};
  RRset s(name("example."), RRType::SOA, RRClass::IN, 3600);
  s.add(soa_rdata(1));
  no_soa.removed.push_back(s);
  EXPECT_FALSE(apply_diff(*base, no_soa));

  ZoneDiff limits = soa_bump();
  RRset extra(name("new.example."), RRType::A, RRClass::IN, 3600);
  extra.add(a_rdata(1, 2, 3, 4));
  limits.added.push_back(extra);
  EXPECT_FALSE(apply_diff(*base, limits, ZoneLimits{base->record_count(), 65535}));
  EXPECT_TRUE(apply_diff(*base, limits, ZoneLimits{base->record_count() + 1, 65535}));

  expect_same(*base, *build(zone.content()));
}

}  // namespace
}  // namespace signerd::dns
