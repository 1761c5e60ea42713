// The key event (../shared/KASP.md sections 1.5 and 1.6): the key state
// machine (policy::evaluate) runs when its wake-up comes, the keys it asks
// for are created in the HSM ahead of need, and what it decides is
// committed: a key set that changes what the zone serves goes through the
// commit path as a version of its own, its key states in the same
// transaction; states that only waited out a TTL are stored alone.
#include <algorithm>
#include <mutex>
#include <utility>

#include "base/log.hpp"
#include "policy/key_selection.hpp"
#include "policy/serial_policy.hpp"
#include "signerd/offline_context.hpp"
#include "signerd/zone_runtime.hpp"
#include "signerd/zone_steps.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;

std::vector<policy::ZoneKey> key_view(const std::vector<store::KeyRecord>& records) {
  std::vector<policy::ZoneKey> view;
  view.reserve(records.size());
  for (const auto& k : records) view.push_back(store::to_zone_key(k));
  return view;
}

store::KeyRecord* find_record(std::vector<store::KeyRecord>& records, int64_t id) {
  auto it =
      std::find_if(records.begin(), records.end(), [&](const store::KeyRecord& k) { return k.id == id; });
  return it == records.end() ? nullptr : &*it;
}

// A key record that publishes or signs needs its private half.
bool in_use(const store::KeyRecord& k) {
  const policy::Publication p = policy::publication(k.role, k.life);
  return p.dnskey || p.signs_dnskey || p.signs_zone;
}

}  // namespace

std::string ZoneRuntime::key_name(const store::KeyRecord& k) {
  return std::string(policy::role_name(k.role)) + " " + std::to_string(k.key_tag) + " (id " +
         std::to_string(k.id) + ")";
}

base::Result<void> ZoneRuntime::check_keys_present() {
  for (const auto& k : key_records_) {
    if (!in_use(k)) continue;
    if (auto present = ctx_.offline.keys->find(k.ref, hsm::algorithm_from_number(k.algorithm)); !present) {
      keys_missing_ = true;
      const std::string why = "key " + key_name(k) + " is in the store but not in the key store (" +
                              present.error().detail + "); no key event runs until it is back (BIND #2596)";
      status_.with_lock([&](ZoneStatus& s) { s.key_error = why; });
      return make_error(Errc::not_found, why);
    }
  }
  keys_missing_ = false;
  status_.with_lock([](ZoneStatus& s) { s.key_error.reset(); });
  return base::ok();
}

base::Result<void> ZoneRuntime::create_requested_keys(const std::vector<policy::KeyRequest>& requests,
                                                      base::TimePoint now) {
  // SoftHSM 2.6 fails key generation now and then (CKR_GENERAL_ERROR) while
  // other sessions sign: generate only while no zone signs.
  std::lock_guard signing(ctx_.signing_lock);
  std::lock_guard lock(ctx_.offline_lock);
  for (const auto& request : requests) {
    auto rec = create_key(ctx_.offline, config_.name, request.key, now);
    if (!rec) return std::move(rec).error();
    auto forget = [&] {
      if (auto removed = ctx_.offline.keys->remove(rec->ref); !removed)
        base::log::warn(who() + ": a key made for nothing stays in the key store: " + removed.error().detail);
    };
    // The new key and its predecessor's link are one transaction: a crash
    // never leaves a successor that its predecessor does not know.
    std::vector<store::KeyRecord> next = key_records_;
    auto recorded = [&]() -> base::Result<void> {
      auto tx = store::Transaction::begin(ctx_.offline.db);
      if (!tx) return std::move(tx).error();
      auto zone_id = store::ensure_zone(ctx_.offline.db, config_.name, now);
      if (!zone_id) return std::move(zone_id).error();
      auto id = store::add_key(ctx_.offline.db, *rec);
      if (!id) return std::move(id).error();
      rec->id = *id;
      auto view = key_view(next);
      SIGNERD_TRY(policy::adopt_new_key(view, request, rec->id, rec->key_tag, now));
      next.push_back(*rec);
      for (const auto& k : view) {
        store::KeyRecord* r = find_record(next, k.id);
        if (r == nullptr || r->life == k.life) continue;
        r->life = k.life;
        SIGNERD_TRY(store::set_key_lifecycle(ctx_.offline.db, r->id, r->life));
      }
      std::string detail = key_name(*rec) + " " + rec->ref;
      if (request.predecessor) detail += ", successor of key id " + std::to_string(*request.predecessor);
      SIGNERD_TRY(store::audit(ctx_.offline.db, now, config_.name, "key-created", detail));
      return tx->commit();
    }();
    if (!recorded) {
      forget();
      return recorded;
    }
    key_records_ = std::move(next);
    base::log::info(
        who() + ": created " + key_name(*rec) + " (" + rec->ref + ")" +
        (request.predecessor ? ", successor of key id " + std::to_string(*request.predecessor) : ""));
  }
  return base::ok();
}

base::Result<policy::Evaluation> ZoneRuntime::evaluate_keys(base::TimePoint now,
                                                            const policy::Observations& observations) {
  // Each round creates what the last asked for; the machine asks for a key
  // once per policy entry and rollover, so two rounds settle it. An
  // operator's step or rollover holds for every round: the successor it
  // makes in one is published in the next (KASP.md 4.6).
  for (int round = 0;; ++round) {
    policy::Evaluation ev = policy::evaluate(key_view(key_records_), kasp_, observations, now);
    if (ev.requests.empty()) return ev;
    if (round == 3)
      return make_error(Errc::internal, "the key state machine still asks for keys after creating them");
    SIGNERD_TRY(create_requested_keys(ev.requests, now));
  }
}

std::optional<KeySetChange> ZoneRuntime::key_set_change(const policy::Evaluation& ev) const {
  KeySetChange change;
  change.records = key_records_;
  bool changed = false;
  for (const auto& k : ev.keys) {
    store::KeyRecord* r = find_record(change.records, k.id);
    if (r == nullptr || r->life == k.life) continue;
    r->life = k.life;
    changed = true;
  }
  if (!changed) return std::nullopt;
  for (const auto& t : ev.transitions) {
    const store::KeyRecord* r = find_record(change.records, t.key_id);
    change.audit.push_back((r ? key_name(*r) : "key id " + std::to_string(t.key_id)) + " " +
                           std::string(policy::record_name(t.record)) + " " +
                           std::string(policy::state_name(t.from)) + " -> " +
                           std::string(policy::state_name(t.to)));
  }
  for (int64_t id : ev.retired) {
    const store::KeyRecord* r = find_record(change.records, id);
    change.audit.push_back((r ? key_name(*r) : "key id " + std::to_string(id)) + " retired: goal hidden");
  }
  change.transitions = ev.transitions;
  change.signing = signing_keys(change.records);
  return change;
}

dnssec::ZoneKeys ZoneRuntime::signing_keys(const std::vector<store::KeyRecord>& records) const {
  dnssec::ZoneKeys keys = zone_keys(ctx_.offline, records);
  if (kasp_.keys.empty())
    for (auto& k : keys.keys) k.cds = false;
  return keys;
}

base::Result<void> ZoneRuntime::write_key_rows(const std::vector<store::KeyRecord>& records,
                                               const std::vector<std::string>& audit, base::TimePoint now) {
  store::Database& db = ctx_.offline.db;
  for (const auto& r : records) {
    auto old = std::find_if(key_records_.begin(), key_records_.end(),
                            [&](const store::KeyRecord& k) { return k.id == r.id; });
    if (old != key_records_.end() && old->life == r.life) continue;
    SIGNERD_TRY(store::set_key_lifecycle(db, r.id, r.life));
  }
  for (const auto& line : audit) {
    auto logged = store::audit(db, now, config_.name, "key-state", line);
    if (!logged) return std::move(logged).error();
  }
  return base::ok();
}

base::Result<void> ZoneRuntime::store_key_states(const KeySetChange& change) {
  std::lock_guard lock(ctx_.offline_lock);
  auto tx = store::Transaction::begin(ctx_.offline.db);
  if (!tx) return std::move(tx).error();
  SIGNERD_TRY(write_key_rows(change.records, change.audit, ctx_.clock.now()));
  return tx->commit();
}

void ZoneRuntime::purge_keys(const std::vector<int64_t>& ids) {
  for (int64_t id : ids) {
    store::KeyRecord* r = find_record(key_records_, id);
    if (r == nullptr) continue;
    const std::string name = key_name(*r);
    std::lock_guard lock(ctx_.offline_lock);
    // The key store first: a row without its key is reported at the next
    // start; a key without its row would be an orphan nobody lists.
    if (auto removed = ctx_.offline.keys->remove(r->ref); !removed) {
      record_error("purging " + name + " from the key store failed: " + removed.error().detail);
      continue;
    }
    auto done = [&]() -> base::Result<void> {
      auto tx = store::Transaction::begin(ctx_.offline.db);
      if (!tx) return std::move(tx).error();
      SIGNERD_TRY(store::remove_key(ctx_.offline.db, id));
      auto logged =
          store::audit(ctx_.offline.db, ctx_.clock.now(), config_.name, "key-purged", name + " " + r->ref);
      if (!logged) return std::move(logged).error();
      return tx->commit();
    }();
    if (!done) {
      record_error("purging " + name + " from the store failed: " + done.error().detail);
      continue;
    }
    base::log::info(who() + ": purged " + name + " (hidden everywhere, purge-keys passed)");
    key_records_.erase(key_records_.begin() + (r - key_records_.data()));
  }
}

void ZoneRuntime::show_keys(const policy::Evaluation* ev) {
  std::vector<KeyStatus> keys;
  for (const auto& k : key_records_) {
    KeyStatus s;
    s.tag = k.key_tag;
    s.algorithm = k.algorithm;
    s.role = std::string(policy::role_name(k.role));
    s.state = std::string(policy::summary(k.role, k.life));
    s.id = k.id;
    s.goal = std::string(policy::goal_name(k.life.goal));
    for (policy::Record r : policy::kAllRecords)
      s.records.push_back(policy::has_record(k.role, r) ? std::string(policy::state_name(k.life.state(r)))
                                                        : "-");
    if (auto parent = parent_waits_.find(k.id); parent != parent_waits_.end()) s.parent = parent->second;
    if (ev != nullptr) {
      for (const auto& p : ev->pending) {
        if (p.key_id != k.id) continue;
        s.next = p.why;
        s.next_time = p.at;
        break;
      }
    }
    keys.push_back(std::move(s));
  }
  status_.with_lock([&](ZoneStatus& s) {
    s.keys = std::move(keys);
    s.next_key_event = key_wakeup_;
  });
}

base::Result<std::string> ZoneRuntime::key_command(const KeyCommand& command) {
  const ZoneStatus s = status();
  const std::string zone = "zone " + config_.name.to_text() + ": ";
  auto refuse = [&](const std::string& why) { return make_error(Errc::not_found, zone + why); };
  std::string asked;
  switch (command.kind) {
    case KeyCommand::Kind::ds_published:
    case KeyCommand::Kind::ds_withdrawn: {
      const bool published = command.kind == KeyCommand::Kind::ds_published;
      const char* waiting = published ? "rumoured" : "unretentive";
      size_t n = 0;
      for (const auto& k : s.keys)
        if (k.records.size() == 4 && k.records[3] == waiting && (!command.tag || *command.tag == k.tag)) ++n;
      const std::string which = command.tag ? "key " + std::to_string(*command.tag) : "no key";
      if (n == 0)
        return refuse((command.tag ? which + " does not wait" : std::string("no key waits")) +
                      " for its DS to be " + (published ? "published" : "withdrawn") + " at the parent");
      asked = "DS " + std::string(published ? "published" : "withdrawn") + " recorded for " +
              std::to_string(n) + (n == 1 ? " key" : " keys");
      break;
    }
    case KeyCommand::Kind::rollover: {
      const std::string role(policy::role_name(command.role));
      const bool found = std::any_of(s.keys.begin(), s.keys.end(), [&](const KeyStatus& k) {
        return k.role == role && k.goal == "omnipresent";
      });
      if (!found) return refuse("no " + role + " in use to roll");
      asked = "rollover of the " + role + " asked, its successor published " +
              (command.at ? "at " + iso_time(*command.at) : std::string("now"));
      break;
    }
    case KeyCommand::Kind::step:
      if (!kasp_.manual_mode)
        return refuse("policy " + kasp_.name + " is not in manual-mode: nothing waits for a step");
      asked = "step asked: the transitions that wait for one go through";
      break;
  }
  key_commands_.with_lock([&](std::vector<KeyCommand>& q) { q.push_back(command); });
  key_commands_pending_ = true;
  wake();
  return zone + asked + "; the key event runs now";
}

void ZoneRuntime::run_key_commands() {
  const auto commands =
      key_commands_.with_lock([](std::vector<KeyCommand>& q) { return std::exchange(q, {}); });
  policy::Observations observations;
  const base::TimePoint now = ctx_.clock.now();
  for (const auto& c : commands) {
    switch (c.kind) {
      case KeyCommand::Kind::ds_published: record_operator_ds(true, c.tag); break;
      case KeyCommand::Kind::ds_withdrawn: record_operator_ds(false, c.tag); break;
      case KeyCommand::Kind::step: observations.step = true; break;
      case KeyCommand::Kind::rollover:
        for (const auto& k : key_records_)
          if (k.role == c.role && k.life.goal == policy::Goal::omnipresent && !k.life.successor)
            observations.rollover_requested[k.id] = c.at.value_or(now);
        break;
    }
  }
  if (observations.step) base::log::info(who() + ": operator's step (signerctl step)");
  for (const auto& [id, at] : observations.rollover_requested)
    base::log::info(who() + ": operator's rollover of key id " + std::to_string(id) + ", successor at " +
                    iso_time(at));
  run_key_event(observations);
}

base::Result<void> ZoneRuntime::key_event(const policy::Observations& observations) {
  if (keys_missing_) SIGNERD_TRY(check_keys_present());
  const base::TimePoint now = ctx_.clock.now();
  auto ev = evaluate_keys(now, observations);
  if (!ev) return std::move(ev).error();
  key_wakeup_ = ev->next_wakeup;
  auto change = key_set_change(*ev);
  if (change && ev->publication_changed) {
    // Nothing is served yet: the first signing enacts these states at its
    // own commit (apply_transfer), not now.
    if (!signed_) {
      show_keys(&*ev);
      return base::ok();
    }
    const uint32_t serial = policy::next_serial(config_.serial, signed_->serial(), view_->serial(), now);
    auto bump = soa_bump(*view_, serial);
    if (!bump) return std::move(bump).error();
    const std::string why = "key event (" + std::to_string(change->transitions.size()) + " transitions)";
    SIGNERD_TRY(commit(ZoneChange{std::move(*bump), std::nullopt, why, {}, std::move(*change)}));
  } else if (change) {
    SIGNERD_TRY(store_key_states(*change));
    for (const auto& line : change->audit) base::log::info(who() + ": " + line);
    key_records_ = std::move(change->records);
  }
  purge_keys(ev->purge);
  show_keys(&*ev);
  return base::ok();
}

}  // namespace signerd
