// policy/evaluate.hpp — one run of the KASP key state machine.
//
// Owns: BIND's keymgr_run sequence as a pure function (../shared/KASP.md
// sections 1.5, 1.6, 3.3): retiring keys that match no policy entry
// (structural changes wait while a rollover is in flight, going insecure
// does not), lifetime changes applied to existing keys (BIND #4677), the
// start of a rollover at the active key's prepublication time, the update
// loop to a fix point under the rules of key_rules.hpp and the waits of
// key_timing.hpp, manual mode, purging, and the explanations status shows.
// Does not own: creating keys (the caller asks hsm/ and then calls
// adopt_new_key), persisting states (store/), building the zone
// (publication() of key_state.hpp says what to serve), asking the parent
// (the caller records KeyLifecycle::ds).
//
// No clock, no I/O: every result is a function of the arguments.
// Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "policy/kasp.hpp"
#include "policy/key_rules.hpp"
#include "policy/key_state.hpp"

namespace signerd::policy {

// What the operator asked for since the last run. DS observations live in
// KeyLifecycle::ds, signature observations in KeyLifecycle::signatures.
struct Observations {
  // `signerctl dnssec step` (rndc dnssec -step): in manual mode, let one
  // pass of blocked transitions, retirements and rollover starts through.
  bool step = false;
  // `signerctl dnssec rollover --key ID --when T`: the successor of key ID
  // is published at T (Retire := T + Ipub). Keys with a successor ignore it.
  std::map<int64_t, TimePoint> rollover_requested;
};

// A key the policy needs: the caller creates it (hsm/) and adopts it.
struct KeyRequest {
  size_t policy_entry = 0;             // index into Kasp::keys
  KeyPolicy key;                       // role, algorithm, bits, lifetime to create
  std::optional<int64_t> predecessor;  // the key it replaces; nullopt for a first key
  KeyTimes planned;
};

struct Transition {
  int64_t key_id = 0;
  Record record = Record::dnskey;
  RecordState from = RecordState::hidden, to = RecordState::hidden;
  friend bool operator==(const Transition&, const Transition&) = default;
};

// A record that wants to move and why it does not yet.
enum class Blocker : uint8_t { time, parent, rule, rollover_method, manual_mode };

struct PendingTransition {
  int64_t key_id = 0;
  uint16_t tag = 0;
  Record record = Record::dnskey;
  RecordState from = RecordState::hidden, to = RecordState::hidden;
  Blocker blocker = Blocker::time;
  std::optional<TimePoint> at;  // for time and parent: when to look again
  std::string why;              // "DS of key 12345 (id 7) waits for the parent: not yet seen published"
};

// Test-only switches the rollover simulator uses for its negative controls
// (KASP.md 5.3). Production callers pass none.
struct Mutations {
  RuleContext rules;  // rules switched off, the #5458 guard; going_insecure is set by evaluate itself
  // BIND's keymgr where signerd is stricter: no "a ZSK's DNSKEY stays until
  // its signatures are hidden" (GateVerdict::dnskey_waits_for_zrrsig_gone),
  // and rollovers start while the key's signatures are still rumoured.
  bool bind_keymgr = false;
};

struct Evaluation {
  // The new states; purged keys are gone; a record out of hidden without a
  // last change (an import) is stamped `now`, so its wait stays put.
  std::vector<ZoneKey> keys;
  std::vector<Transition> transitions;     // in the order made; last_change = now for each
  std::vector<KeyRequest> requests;        // create, adopt_new_key, then evaluate again at the same now
  std::vector<int64_t> purge;              // delete from the HSM and the store
  std::vector<int64_t> retired;            // keys whose goal became hidden in this run
  bool publication_changed = false;        // publication() differs for some key: build a new version
  bool going_insecure = false;             // empty key list: CDS/CDNSKEY DELETE while a KSK signs
  std::vector<PendingTransition> pending;  // for status
  std::vector<std::string> notes;          // queued policy changes, manual-mode blocks
  // The earliest time anything can change without new observations or
  // requests (KASP.md I9: nothing changes before it); nullopt: never.
  std::optional<TimePoint> next_wakeup;
};

Evaluation evaluate(std::vector<ZoneKey> keys, const Kasp& kasp, const Observations& obs, TimePoint now,
                    const Mutations& mutations = {});

// Adds the key created for `request` with the store id `id` and key tag
// `tag`: goal omnipresent, all records hidden, the request's planned times
// and lifetime (shifted to `now` when created later than planned); with a
// predecessor, links both ways by id and sets the predecessor's goal to
// hidden (BIND keymgr_key_rollover). Errors
// (Errc::conflict): `id` already present; (Errc::not_found) the predecessor
// is missing.
Result<void> adopt_new_key(std::vector<ZoneKey>& keys, const KeyRequest& request, int64_t id, uint16_t tag,
                           TimePoint now);

// "2026-12-03T13:17:48Z", for explanations and logs.
std::string format_time(TimePoint t);

}  // namespace signerd::policy
