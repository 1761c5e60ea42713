#include "rollover_sim.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "policy/key_timing.hpp"

namespace signerd::policy::sim {
namespace {

using std::chrono::seconds;

const TimePoint kForever = TimePoint{} + seconds(1LL << 40);

bool same_content(const ServedVersion& a, const ServedVersion& b) {
  if (a.cds_delete != b.cds_delete || a.keys.size() != b.keys.size()) return false;
  for (size_t i = 0; i < a.keys.size(); ++i) {
    if (a.keys[i].id != b.keys[i].id || a.keys[i].pub != b.keys[i].pub) return false;
  }
  return true;
}

std::string ids(const std::set<int64_t>& s) {
  std::string out = "{";
  for (int64_t id : s) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "}";
}

bool waits_for_operator(const Evaluation& e) {
  const bool blocked = std::any_of(e.pending.begin(), e.pending.end(), [](const PendingTransition& p) {
    return p.blocker == Blocker::manual_mode;
  });
  const bool noted = std::any_of(e.notes.begin(), e.notes.end(),
                                 [](const std::string& n) { return n.rfind("manual-mode:", 0) == 0; });
  return blocked || noted;
}

}  // namespace

Evaluation KeyDriver::run(bool step) {
  Observations obs = standing;
  obs.step = step;
  Evaluation e;
  for (int round = 0; round < 8; ++round) {
    e = evaluate(keys, kasp, obs, now, mutations);
    keys = e.keys;
    for (const auto& t : e.transitions) log.emplace_back(now, t);
    purged.insert(purged.end(), e.purge.begin(), e.purge.end());
    if (e.requests.empty()) break;
    for (const auto& r : e.requests) {
      const int64_t id = next_id++;
      auto adopted = adopt_new_key(keys, r, id, static_cast<uint16_t>(20000 + id), now);
      if (adopted) created.emplace_back(now, id);
    }
  }
  return e;
}

World::World(Kasp policy, TimePoint start, WorldOptions options)
    : driver(std::move(policy), start), options_(options) {
  parent.push_back({start, {}});  // an unsigned delegation to begin with
}

void World::record_version() {
  ServedVersion v;
  v.offered = driver.now;
  const auto& m = options_.mutations;
  bool any_cds = false, ksk_signs = false;
  for (const ZoneKey& k : driver.keys) {
    KeyPub p{k.id, k.algorithm, k.life.predecessor, publication(k.role, k.life)};
    if (m.cds_at_dnskey_publication && signs_dnskey(k.role)) {
      p.pub.cds = p.pub.dnskey && k.life.goal == Goal::omnipresent;
    }
    if (m.dnskey_leaves_with_signatures && signs_zone(k.role) &&
        k.life.state(Record::zrrsig) == RecordState::unretentive) {
      p.pub.dnskey = false;
    }
    any_cds = any_cds || p.pub.cds;
    ksk_signs = ksk_signs || p.pub.signs_dnskey;
    v.keys.push_back(p);
  }
  v.cds_delete = driver.kasp.keys.empty() && ksk_signs && !any_cds;
  if (zone.empty() || !same_content(zone.back(), v)) zone.push_back(std::move(v));
}

// What the parent would set the DS RRset to from the served CDS: the keys
// listed, an empty set for DELETE, no instruction without CDS.
std::optional<std::set<int64_t>> World::cds_target() const {
  if (zone.empty()) return std::nullopt;
  std::set<int64_t> target;
  for (const auto& k : zone.back().keys) {
    if (k.pub.cds) target.insert(k.id);
  }
  if (target.empty() && !zone.back().cds_delete) return std::nullopt;
  return target;
}

void World::parent_acts() {
  const auto target = cds_target();
  parent_action_.reset();
  if (!target || *target == parent.back().ds) return;
  const std::set<int64_t> old = parent.back().ds;
  std::set<int64_t> next = *target;
  const bool adds = std::any_of(target->begin(), target->end(), [&](int64_t id) { return !old.count(id); });
  if (options_.parent_keeps_old_for && adds && !old.empty()) {
    // A parent that adds the new DS first and removes the old one later:
    // a DS set with both, which strict validators read per algorithm.
    next.insert(old.begin(), old.end());
    parent_action_ = driver.now + std::max(*options_.parent_keeps_old_for,
                                           driver.kasp.parent_propagation_delay + seconds(1));
  }
  const std::set<int64_t>* target_set = &next;
  parent.push_back({driver.now, next});
  observing_added_.clear();
  observing_removed_.clear();
  std::set_difference(target_set->begin(), target_set->end(), old.begin(), old.end(),
                      std::inserter(observing_added_, observing_added_.end()));
  std::set_difference(old.begin(), old.end(), target_set->begin(), target_set->end(),
                      std::inserter(observing_removed_, observing_removed_.end()));
  // checkds sees unanimity once the slowest parent server has it.
  observation_due_ = driver.now + driver.kasp.parent_propagation_delay;
}

void World::run_until(TimePoint end, std::vector<ScriptEvent> script) {
  std::sort(script.begin(), script.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  size_t next_event = 0;
  while (driver.now <= end) {
    while (next_event < script.size() && script[next_event].at <= driver.now)
      script[next_event++].apply(driver);
    if (observation_due_ && *observation_due_ <= driver.now) {
      for (ZoneKey& k : driver.keys) {
        if (observing_added_.count(k.id)) k.life.ds.published = *observation_due_;
        if (observing_removed_.count(k.id)) k.life.ds.withdrawn = *observation_due_;
      }
      observation_due_.reset();
    }
    if (parent_action_ && *parent_action_ <= driver.now) parent_acts();
    const bool step = step_due_ && *step_due_ <= driver.now;
    if (step) {
      step_due_.reset();
      ++steps;
    }
    const Evaluation e = driver.run(step);
    ++evaluations;
    if (options_.operator_step_delay && !step_due_ && waits_for_operator(e)) {
      step_due_ = driver.now + *options_.operator_step_delay;
    }
    record_version();
    const auto target = cds_target();
    if (!parent_action_ && !observation_due_ && target && *target != parent.back().ds) {
      parent_action_ = driver.now + driver.kasp.zone_propagation_delay + options_.parent_delay;
    }
    std::optional<TimePoint> next = e.next_wakeup;
    auto consider = [&](std::optional<TimePoint> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    consider(parent_action_);
    consider(observation_due_);
    consider(step_due_);
    if (next_event < script.size()) consider(script[next_event].at);
    if (!next) break;
    if (*next <= driver.now) {
      wakeup_violations.push_back("wakeup " + format_time(*next) + " not after now " +
                                  format_time(driver.now));
      next = driver.now + seconds(1);
    }
    // I9: nothing changes before the wakeup.
    if (*next - seconds(1) > driver.now && e.next_wakeup && *e.next_wakeup == *next) {
      const auto probe = evaluate(driver.keys, driver.kasp, {}, *next - seconds(1), driver.mutations);
      if (!probe.transitions.empty() || !probe.requests.empty() || !probe.purge.empty()) {
        wakeup_violations.push_back("a change before the wakeup " + format_time(*next));
      }
    }
    driver.now = *next;
  }
}

namespace {

// One RRset version a resolver may hold: its content and the interval in
// which it may sit in some cache.
struct Cached {
  TimePoint from, until;
  std::set<int64_t> members;  // DS: keys with a DS; DNSKEY: keys in the RRset; X: keys with an RRSIG
  std::set<int64_t> signers;  // DNSKEY: keys with an RRSIG over the RRset
};

struct Histories {
  std::vector<Cached> ds, dnskey, data;
  std::map<int64_t, uint8_t> algorithm;
  std::vector<TimePoint> breakpoints;
};

// Served versions of the zone's RRsets. A ZSK that replaces its
// predecessor re-signs smoothly: for sign-delay after its first signature,
// an RRset may still carry the predecessor's RRSIG instead of its own.
void zone_histories(const std::vector<ServedVersion>& zone, const Kasp& kasp, Histories& h) {
  const Seconds zpd = kasp.zone_propagation_delay;
  std::map<int64_t, TimePoint> first_signed;
  for (size_t i = 0; i < zone.size(); ++i) {
    const ServedVersion& v = zone[i];
    const TimePoint end = (i + 1 < zone.size() ? zone[i + 1].offered : kForever) + zpd;
    Cached dnskey{v.offered, end + kasp.dnskey_ttl, {}, {}};
    std::set<int64_t> signers, signing_now;
    std::vector<std::pair<int64_t, int64_t>> swaps;  // (successor, predecessor) within the re-sign window
    for (const auto& k : v.keys) {
      h.algorithm[k.id] = k.algorithm;
      if (k.pub.dnskey) dnskey.members.insert(k.id);
      if (k.pub.signs_dnskey) dnskey.signers.insert(k.id);
      if (k.pub.signs_zone) {
        signing_now.insert(k.id);
        first_signed.emplace(k.id, v.offered);
      }
    }
    for (const auto& k : v.keys) {
      if (!k.pub.signs_zone || !k.predecessor || signing_now.count(*k.predecessor)) continue;
      if (first_signed.count(*k.predecessor)) swaps.emplace_back(k.id, *k.predecessor);
    }
    h.dnskey.push_back(dnskey);
    h.breakpoints.push_back(v.offered);
    h.breakpoints.push_back(dnskey.until);
    const size_t m = std::min<size_t>(swaps.size(), 4);
    for (size_t mask = 0; mask < (size_t{1} << m); ++mask) {
      Cached x{v.offered, end, signing_now, {}};
      for (size_t b = 0; b < m; ++b) {
        if (!(mask & (size_t{1} << b))) continue;
        const TimePoint start = first_signed[swaps[b].first];
        x.from = std::max(x.from, start);
        x.until = std::min(x.until, start + sign_delay(kasp));
        x.members.erase(swaps[b].first);
        x.members.insert(swaps[b].second);
      }
      if (x.from >= x.until) continue;
      h.breakpoints.push_back(x.until);
      x.until += signature_ttl(kasp);
      h.data.push_back(x);
      h.breakpoints.push_back(x.until);
    }
  }
}

void parent_histories(const std::vector<ParentVersion>& parent, const Kasp& kasp, Histories& h) {
  for (size_t j = 0; j < parent.size(); ++j) {
    const TimePoint end =
        j + 1 < parent.size() ? parent[j + 1].applied + kasp.parent_propagation_delay : kForever;
    h.ds.push_back({parent[j].applied, end + kasp.parent_ds_ttl, parent[j].ds, {}});
    h.breakpoints.push_back(parent[j].applied);
    h.breakpoints.push_back(end + kasp.parent_ds_ttl);
  }
}

bool possible(const Cached& c, TimePoint t) { return c.from <= t && t < c.until; }

// A validation path from the DS set: a DS'd key in the DNSKEY RRset that
// signs it, and a key of the RRset with an RRSIG over the data; strict:
// one such path for each algorithm in the DS set.
bool validates(const Cached& ds, const Cached& dnskey, const Cached& data, const Histories& h, bool strict) {
  if (ds.members.empty()) return true;  // insecure delegation
  std::set<uint8_t> need;
  for (int64_t d : ds.members) need.insert(h.algorithm.at(d));
  auto path_for = [&](std::optional<uint8_t> alg) {
    auto ok_alg = [&](int64_t id) { return !alg || h.algorithm.at(id) == *alg; };
    bool trusted = false;
    for (int64_t d : ds.members)
      trusted = trusted || (ok_alg(d) && dnskey.members.count(d) && dnskey.signers.count(d));
    bool signed_data = false;
    for (int64_t z : data.members) signed_data = signed_data || (ok_alg(z) && dnskey.members.count(z));
    return trusted && signed_data;
  };
  if (!strict) return path_for(std::nullopt);
  return std::all_of(need.begin(), need.end(), [&](uint8_t a) { return path_for(a); });
}

}  // namespace

std::vector<Violation> World::check_caches() const {
  Histories h;
  zone_histories(zone, driver.kasp, h);
  parent_histories(parent, driver.kasp, h);
  std::sort(h.breakpoints.begin(), h.breakpoints.end());
  h.breakpoints.erase(std::unique(h.breakpoints.begin(), h.breakpoints.end()), h.breakpoints.end());
  std::vector<Violation> out;
  auto at = [](const std::vector<Cached>& all, TimePoint t) {
    std::vector<const Cached*> now;
    for (const auto& c : all) {
      if (possible(c, t)) now.push_back(&c);
    }
    return now;
  };
  for (TimePoint bp : h.breakpoints) {
    if (bp >= kForever) continue;
    for (TimePoint t : {bp - seconds(1), bp}) {
      const auto ds_now = at(h.ds, t), dnskey_now = at(h.dnskey, t), data_now = at(h.data, t);
      for (const Cached* ds : ds_now) {
        for (const Cached* dnskey : dnskey_now) {
          for (const Cached* data : data_now) {
            for (bool strict : {false, true}) {
              if (validates(*ds, *dnskey, *data, h, strict) || out.size() >= 20) continue;
              out.push_back({t, strict,
                             format_time(t) + (strict ? " strict" : " lenient") + ": DS " + ids(ds->members) +
                                 " DNSKEY " + ids(dnskey->members) + " signed by " + ids(dnskey->signers) +
                                 " RRSIG " + ids(data->members) + ": no validation path"});
              break;
            }
          }
        }
      }
    }
  }
  return out;
}

}  // namespace signerd::policy::sim
