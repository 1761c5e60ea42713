#include "policy/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "policy/key_selection.hpp"
#include "policy/key_timing.hpp"

namespace signerd::policy {
namespace {

using RS = RecordState;

// A run: the keys being changed and what the run has found so far.
struct Run {
  Evaluation& out;
  const Kasp& kasp;
  const Observations& obs;
  TimePoint now;
  RuleContext rules;
  bool bind_keymgr = false;

  std::vector<ZoneKey>& keys() { return out.keys; }
  bool manual_blocked() const { return kasp.manual_mode && !obs.step; }
  void wake_at(TimePoint t) {
    if (!out.next_wakeup || t < *out.next_wakeup) out.next_wakeup = t;
  }
};

std::string_view upper_name(Record r) {
  switch (r) {
    case Record::dnskey: return "DNSKEY";
    case Record::krrsig: return "KRRSIG";
    case Record::zrrsig: return "ZRRSIG";
    case Record::ds: return "DS";
  }
  return "";
}

std::string key_label(const ZoneKey& k) {
  return std::string(role_name(k.role)) + " " + std::to_string(k.tag) + " (id " + std::to_string(k.id) + ")";
}

bool any_record(const ZoneKey& k, bool (*pred)(RS)) {
  return std::any_of(kAllRecords.begin(), kAllRecords.end(),
                     [&](Record r) { return has_record(k.role, r) && pred(k.life.state(r)); });
}
bool moving(RS s) { return s == RS::rumoured || s == RS::unretentive; }
bool not_hidden(RS s) { return s != RS::hidden; }

bool matches_any_entry(const Kasp& kasp, const ZoneKey& k) {
  return std::any_of(kasp.keys.begin(), kasp.keys.end(), [&](const KeyPolicy& e) { return matches(e, k); });
}

bool has_successor(const std::vector<ZoneKey>& keys, const ZoneKey& k) {
  return std::any_of(keys.begin(), keys.end(), [&](const ZoneKey& j) {
    return j.life.predecessor == k.id && k.life.successor == j.id;
  });
}

// BIND keymgr_key_retire: the key heads out; Retire no later than now.
void retire(Run& run, ZoneKey& k, std::string_view why) {
  if (run.manual_blocked()) {
    run.out.notes.push_back("manual-mode: retiring " + key_label(k) + " (" + std::string(why) +
                            ") waits for a step");
    return;
  }
  k.life.goal = Goal::hidden;
  if (!k.life.planned.retire || *k.life.planned.retire > run.now) k.life.planned.retire = run.now;
  k.life.planned.remove = remove_time(k.role, *k.life.planned.retire, run.kasp);
  run.out.retired.push_back(k.id);
}

// KASP.md 3.3 (c): a structural change (a key in use matches no entry)
// waits until no record is in R or U; going insecure never waits.
bool retire_unmatched(Run& run) {
  const bool in_flight = std::any_of(run.keys().begin(), run.keys().end(),
                                     [](const ZoneKey& k) { return any_record(k, moving); });
  bool queued = false;
  for (ZoneKey& k : run.keys()) {
    if (k.life.goal != Goal::omnipresent || matches_any_entry(run.kasp, k)) continue;
    if (in_flight && !run.rules.going_insecure) {
      queued = true;
      continue;
    }
    retire(run, k, "it matches no key of the policy");
  }
  if (queued) run.out.notes.push_back("policy change queued until the rollover in flight has finished");
  return queued;
}

// BIND #4677: a changed lifetime applies to the key in use at once.
void update_lifetime(Run& run, ZoneKey& k, const KeyPolicy& entry) {
  if (k.life.lifetime == entry.lifetime) return;
  k.life.lifetime = entry.lifetime;
  if (!k.life.planned.active) k.life.planned.active = run.now;
  plan_retirement(k.life.planned, k.role, entry.lifetime, run.kasp);
}

void apply_manual_rollover(Run& run, ZoneKey& k) {
  const auto it = run.obs.rollover_requested.find(k.id);
  if (it == run.obs.rollover_requested.end() || has_successor(run.keys(), k)) return;
  k.life.planned.retire = it->second + publication_interval(run.kasp);
  k.life.planned.remove = remove_time(k.role, *k.life.planned.retire, run.kasp);
}

// Several in-use keys for one entry (imports, pre-generated keys): retire
// the extras, unless a rollover links either (BIND #5242 keeps it that way).
void retire_extras(Run& run, const std::vector<std::optional<size_t>>& chosen) {
  auto& keys = run.keys();
  const KeySetView view(keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    ZoneKey& k = keys[i];
    if (k.life.goal != Goal::omnipresent || !matches_any_entry(run.kasp, k)) continue;
    if (std::find(chosen.begin(), chosen.end(), std::optional<size_t>(i)) != chosen.end()) continue;
    const bool linked = k.life.predecessor || k.life.successor || dependency_of(view, i);
    if (!linked) retire(run, k, "another key of the same policy entry is in use");
  }
}

void request_key(Run& run, size_t entry, const ZoneKey* predecessor) {
  const KeyPolicy& policy_key = run.kasp.keys[entry];
  if (run.manual_blocked()) {
    run.out.notes.push_back(
        predecessor ? "manual-mode: rollover of " + key_label(*predecessor) + " waits for a step"
                    : "manual-mode: a new " + std::string(role_name(policy_key.role)) + " waits for a step");
    return;
  }
  KeyRequest r;
  r.policy_entry = entry;
  r.key = policy_key;
  if (predecessor) {
    r.predecessor = predecessor->id;
    r.planned = plan_successor(predecessor->life, policy_key.role, policy_key.lifetime, run.kasp, run.now);
  } else {
    r.planned = plan_first_key(policy_key.role, policy_key.lifetime, run.kasp, run.now);
  }
  run.out.requests.push_back(std::move(r));
}

// A ZSK replaced while its own signatures are still rumoured deadlocks:
// its goal turns hidden, its ZRRSIG may not go on to omnipresent, and
// neither it nor its predecessor may drop theirs, for the pair is the only
// signature path (3h) and the successor's chain does not count while the
// predecessor lives (Eq. 2). Found by the random-policy simulation with
// lifetimes between max(Ipub, Iret) and Ipub + Iret; BIND starts the roll
// anyway. The roll waits for the signatures (a transition wakes it).
bool signatures_still_arriving(const ZoneKey& k) {
  return has_record(k.role, Record::zrrsig) && k.life.state(Record::zrrsig) == RS::rumoured;
}

// KASP.md 1.6 steps 2, 4, 5.
void structural_step(Run& run) {
  run.out.requests.clear();
  run.out.notes.clear();
  const bool queued = retire_unmatched(run);
  auto& keys = run.keys();
  const auto chosen = select_policy_keys(run.kasp, keys);
  for (size_t e = 0; e < chosen.size(); ++e) {
    if (!chosen[e]) {
      if (!queued) request_key(run, e, nullptr);
      continue;
    }
    ZoneKey& k = keys[*chosen[e]];
    update_lifetime(run, k, run.kasp.keys[e]);
    apply_manual_rollover(run, k);
    const auto prepub = prepublication_time(k.life, run.kasp);
    if (!prepub || has_successor(keys, k)) continue;
    if (*prepub > run.now) {
      run.wake_at(*prepub);
      continue;
    }
    if (!run.bind_keymgr && signatures_still_arriving(k)) {
      run.out.notes.push_back("rollover of " + key_label(k) +
                              " waits until its zone signatures are omnipresent");
      continue;
    }
    request_key(run, e, &k);
  }
  retire_extras(run, chosen);
}

struct Candidate {
  RS next;
  GateVerdict gate = GateVerdict::allowed;
  TransitionCheck rules;
  TransitionTime time;
};

Candidate examine(Run& run, size_t i, Record r) {
  const ZoneKey& k = run.keys()[i];
  Candidate c{desired_state(k.life.goal, k.life.state(r)), {}, {}, {}};
  c.gate = policy_gate(run.keys(), i, r, c.next, run.kasp.algorithm_rollover);
  if (run.bind_keymgr && c.gate == GateVerdict::dnskey_waits_for_zrrsig_gone) c.gate = GateVerdict::allowed;
  if (c.gate != GateVerdict::allowed) return c;
  c.rules = check_transition(run.keys(), i, r, c.next, run.rules);
  if (!c.rules.allowed) return c;
  c.time = transition_time(k, r, c.next, run.kasp, run.now);
  return c;
}

bool ready(const Candidate& c, TimePoint now) {
  return c.gate == GateVerdict::allowed && c.rules.allowed && c.time.at <= now;
}
bool needs_operator(const Candidate& c) { return c.next == RS::rumoured || c.next == RS::unretentive; }

// Mekking Algorithm 1 (BIND keymgr_update): one pass over every record of
// every key; returns whether anything moved.
bool update_pass(Run& run, bool force) {
  bool changed = false;
  for (size_t i = 0; i < run.keys().size(); ++i) {
    for (Record r : kAllRecords) {
      ZoneKey& k = run.keys()[i];
      if (!has_record(k.role, r) || desired_state(k.life.goal, k.life.state(r)) == k.life.state(r)) continue;
      const Candidate c = examine(run, i, r);
      if (!ready(c, run.now) || (needs_operator(c) && run.kasp.manual_mode && !force)) continue;
      run.out.transitions.push_back({k.id, r, k.life.state(r), c.next});
      k.life.set(r, c.next, run.now);
      changed = true;
    }
  }
  return changed;
}

bool update_loop(Run& run) {
  bool force = run.obs.step;
  bool any = false;
  while (update_pass(run, force)) {
    force = false;  // a step forces one pass only
    any = true;
  }
  return any;
}

std::string pending_text(const ZoneKey& k, Record r, const Candidate& c, Blocker b) {
  std::string head = std::string(upper_name(r)) + " of " + key_label(k);
  std::string move = std::string(state_name(k.life.state(r))) + " -> " + std::string(state_name(c.next));
  switch (b) {
    case Blocker::parent:
      return head + " waits for the parent: not yet seen " +
             (c.next == RS::omnipresent ? "published" : "withdrawn") + " (asking again at " +
             format_time(c.time.at) + ")";
    case Blocker::time:
      return head + " " + move + " at " + format_time(c.time.at) + ": waits for " +
             std::string(wait_name(c.time.waits_for));
    case Blocker::rule:
      return head + " " + move + " blocked by rule " + std::to_string(static_cast<int>(*c.rules.blocking)) +
             " (" + std::string(rule_summary(*c.rules.blocking)) + ")";
    case Blocker::rollover_method: return head + " " + move + " held: " + std::string(gate_reason(c.gate));
    case Blocker::manual_mode: return head + " " + move + " waits for an operator step (manual-mode)";
  }
  return head;
}

// The final pass: nothing moves any more; say why each record waits and
// when the earliest wait ends.
void explain(Run& run) {
  for (size_t i = 0; i < run.keys().size(); ++i) {
    const ZoneKey& k = run.keys()[i];
    for (Record r : kAllRecords) {
      if (!has_record(k.role, r) || desired_state(k.life.goal, k.life.state(r)) == k.life.state(r)) continue;
      const Candidate c = examine(run, i, r);
      Blocker b = Blocker::manual_mode;
      if (c.gate != GateVerdict::allowed)
        b = Blocker::rollover_method;
      else if (!c.rules.allowed)
        b = Blocker::rule;
      else if (c.time.at > run.now)
        b = c.time.waits_for == WaitFor::parent ? Blocker::parent : Blocker::time;
      PendingTransition p{k.id, k.tag, r, k.life.state(r), c.next, b, std::nullopt, {}};
      if (b == Blocker::time || b == Blocker::parent) {
        p.at = c.time.at;
        run.wake_at(c.time.at);
      }
      p.why = pending_text(k, r, c, b);
      run.out.pending.push_back(std::move(p));
    }
  }
}

bool all_hidden(const ZoneKey& k) { return !any_record(k, not_hidden); }

// BIND dns_keymgr_key_may_be_purged; purge-keys 0 keeps keys for ever.
void purge(Run& run) {
  if (run.kasp.purge_keys.count() <= 0) return;
  auto& keys = run.keys();
  std::erase_if(keys, [&](const ZoneKey& k) {
    if (k.life.goal != Goal::hidden || !all_hidden(k)) return false;
    std::optional<TimePoint> last;
    for (const auto& t : k.life.last_change) {
      if (t && (!last || *t > *last)) last = t;
    }
    const TimePoint due = last.value_or(run.now) + run.kasp.purge_keys;
    if (due > run.now) {
      run.wake_at(due);
      return false;
    }
    run.out.purge.push_back(k.id);
    return true;
  });
}

// A record in R or U without a last change (an import) counts from now,
// stamped so that the wait does not move with every run.
void stamp_missing_changes(Run& run) {
  for (ZoneKey& k : run.keys()) {
    for (Record r : kAllRecords) {
      if (has_record(k.role, r) && k.life.state(r) != RS::hidden && !k.life.changed(r)) {
        k.life.set(r, k.life.state(r), run.now);
      }
    }
  }
}

bool publication_differs(const std::vector<ZoneKey>& before, const std::vector<ZoneKey>& after) {
  auto pub_of = [](const std::vector<ZoneKey>& keys, const ZoneKey& k) {
    for (const auto& j : keys) {
      if (j.id == k.id && j.algorithm == k.algorithm) return publication(j.role, j.life);
    }
    return Publication{};
  };
  for (const auto& k : before) {
    if (publication(k.role, k.life) != pub_of(after, k)) return true;
  }
  for (const auto& k : after) {
    if (publication(k.role, k.life) != pub_of(before, k)) return true;
  }
  return false;
}

}  // namespace

Evaluation evaluate(std::vector<ZoneKey> keys, const Kasp& kasp, const Observations& obs, TimePoint now,
                    const Mutations& mutations) {
  const std::vector<ZoneKey> before = keys;
  Evaluation out;
  out.keys = std::move(keys);
  out.going_insecure = kasp.keys.empty();
  Run run{out, kasp, obs, now, mutations.rules, mutations.bind_keymgr};
  run.rules.going_insecure = out.going_insecure;
  stamp_missing_changes(run);
  // A finished rollover can release a queued policy change, whose
  // retirements enable more transitions: repeat until both are still.
  for (int round = 0; round < 8; ++round) {
    const size_t retired = out.retired.size();
    out.next_wakeup.reset();
    structural_step(run);
    const bool moved = update_loop(run);
    if (!moved && out.retired.size() == retired) break;
  }
  explain(run);
  purge(run);
  out.publication_changed = publication_differs(before, out.keys);
  return out;
}

Result<void> adopt_new_key(std::vector<ZoneKey>& keys, const KeyRequest& request, int64_t id, uint16_t tag,
                           TimePoint now) {
  if (std::any_of(keys.begin(), keys.end(), [&](const ZoneKey& k) { return k.id == id; })) {
    return base::make_error(base::Errc::conflict,
                            "key id " + std::to_string(id) + " is already in the key set");
  }
  ZoneKey k;
  k.id = id;
  k.tag = tag;
  k.algorithm = request.key.algorithm;
  k.bits = request.key.bits;
  k.role = request.key.role;
  k.life.goal = Goal::omnipresent;
  k.life.lifetime = request.key.lifetime;
  k.life.planned = request.planned;
  // Created later than planned (a slow HSM): everything shifts, the
  // interval between publication and activation is kept.
  if (k.life.planned.publish && *k.life.planned.publish < now) {
    const auto late = now - *k.life.planned.publish;
    for (auto* t : {&k.life.planned.publish, &k.life.planned.active, &k.life.planned.retire,
                    &k.life.planned.remove, &k.life.planned.sync_publish, &k.life.planned.sync_delete}) {
      if (*t) *t = **t + late;
    }
  }
  if (request.predecessor) {
    auto pred = std::find_if(keys.begin(), keys.end(),
                             [&](const ZoneKey& j) { return j.id == *request.predecessor; });
    if (pred == keys.end()) {
      return base::make_error(
          base::Errc::not_found,
          "predecessor key id " + std::to_string(*request.predecessor) + " is not in the key set");
    }
    pred->life.successor = id;
    pred->life.goal = Goal::hidden;
    k.life.predecessor = pred->id;
  }
  keys.push_back(std::move(k));
  return base::ok();
}

std::string format_time(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace signerd::policy
