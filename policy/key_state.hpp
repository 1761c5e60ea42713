// policy/key_state.hpp — the key vocabulary of the KASP state machine.
//
// Owns: the one Role of a key, its four records (DNSKEY, KRRSIG, ZRRSIG,
// DS) and their states as all validators in the world see them (hidden,
// rumoured, omnipresent, unretentive: ../shared/KASP.md section 1.1, BIND
// keymgr's model from Mekking's "Flexible and Robust Key Rollover"), the
// key's goal, its planned times and what the parent was seen to do with its
// DS, predecessor and successor links by the store's key id (never the
// 16-bit key tag, which collides), and the publication mapping: what the
// zone carries for a key in a given state. Does not own: the transitions
// (the state machine decides them), persistence (store/ records these
// values and decides nothing), the key material (hsm/).
//
// Plain values; no clock inside (times are parameters), thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/clock.hpp"
#include "policy/duration.hpp"

namespace signerd::policy {

using base::TimePoint;

enum class Role : uint8_t {
  ksk,  // signs the DNSKEY RRset; its DS goes to the parent
  zsk,  // signs everything else
  csk,  // both
};

std::string_view role_name(Role role) noexcept;                      // "ksk", "zsk", "csk"
std::optional<Role> role_from_text(std::string_view text) noexcept;  // case-insensitive

constexpr bool signs_dnskey(Role role) noexcept { return role != Role::zsk; }
constexpr bool signs_zone(Role role) noexcept { return role != Role::ksk; }

// The records a key owns (KASP.md section 1.1). KRRSIG: its RRSIGs over the
// DNSKEY, CDS and CDNSKEY RRsets; ZRRSIG: over every other RRset; DS: its DS
// at the parent, which the zone asks for with CDS/CDNSKEY.
enum class Record : uint8_t { dnskey, krrsig, zrrsig, ds };
inline constexpr size_t kRecords = 4;
inline constexpr std::array<Record, kRecords> kAllRecords = {Record::dnskey, Record::krrsig, Record::zrrsig,
                                                             Record::ds};
std::string_view record_name(Record record) noexcept;  // "dnskey", "krrsig", "zrrsig", "ds"

// Whether a key of `role` has `record` at all: a ZSK has no KRRSIG and no
// DS, a KSK no ZRRSIG.
constexpr bool has_record(Role role, Record record) noexcept {
  switch (record) {
    case Record::dnskey: return true;
    case Record::krrsig:
    case Record::ds: return signs_dnskey(role);
    case Record::zrrsig: return signs_zone(role);
  }
  return false;
}

// A record as all validators see it. Hidden: no cache has it. Rumoured:
// being introduced, some caches may lack it. Omnipresent: every cache that
// holds the RRset holds it. Unretentive: being withdrawn, some caches may
// still hold it.
enum class RecordState : uint8_t { hidden, rumoured, omnipresent, unretentive };
std::string_view state_name(RecordState state) noexcept;  // "hidden", "rumoured", …
std::optional<RecordState> state_from_text(std::string_view text) noexcept;

// Where a key is heading: into use, or out of it.
enum class Goal : uint8_t { hidden, omnipresent };
std::string_view goal_name(Goal goal) noexcept;  // "hidden", "omnipresent"
std::optional<Goal> goal_from_text(std::string_view text) noexcept;

// Planned times (BIND's key timing metadata, KASP.md section 2.3): hints for
// status and the next rollover's start, never a reason for a transition.
struct KeyTimes {
  std::optional<TimePoint> publish, active, retire, remove, sync_publish, sync_delete;
  friend bool operator==(const KeyTimes&, const KeyTimes&) = default;
};

// What the parent was seen to do with the key's DS: the time every
// parental agent agreed (or an operator confirmed), and the DS TTL learned
// from the answer. Distinct fields, so that "withdrawn" is never read as
// "never submitted" (OpenDNSSEC PR #739).
struct DsObservation {
  std::optional<TimePoint> published, withdrawn;
  std::optional<Seconds> ttl;
  friend bool operator==(const DsObservation&, const DsObservation&) = default;
};

// When the signer saw its own zone reach a point for this key's ZRRSIG: the
// version in which no RRset lacked an RRSIG by the key was offered
// (`complete`), or the one in which no RRSIG by the key remained (`gone`).
// With these the ZRRSIG waits count from what was served, not from an
// assumed worst-case re-signing delay (KASP.md section 2.2).
struct SignatureObservation {
  std::optional<TimePoint> complete, gone;
  friend bool operator==(const SignatureObservation&, const SignatureObservation&) = default;
};

// The lifecycle of one key: its goal and the state of each record, with
// the time that state was entered. A last_change is the time the zone
// version that enacted the state was committed and offered to the
// secondaries (KASP.md section 2.2), not the time it was decided.
struct KeyLifecycle {
  Goal goal = Goal::omnipresent;
  std::array<RecordState, kRecords> states{};  // all hidden
  std::array<std::optional<TimePoint>, kRecords> last_change{};
  std::optional<int64_t> predecessor, successor;  // store key ids
  std::optional<Seconds> lifetime;                // nullopt: unlimited
  KeyTimes planned;
  DsObservation ds;
  SignatureObservation signatures;

  RecordState state(Record r) const noexcept { return states[static_cast<size_t>(r)]; }
  std::optional<TimePoint> changed(Record r) const noexcept { return last_change[static_cast<size_t>(r)]; }
  void set(Record r, RecordState s, TimePoint when) noexcept {
    states[static_cast<size_t>(r)] = s;
    last_change[static_cast<size_t>(r)] = when;
  }
  friend bool operator==(const KeyLifecycle&, const KeyLifecycle&) = default;
};

// A key that is in use from `when` on: every record the role has is
// omnipresent (what signerd assumed of every key before the state machine;
// also how a key is adopted when nothing is known of its past), except the
// DS, which is hidden until the parent is seen to hold it.
KeyLifecycle in_use_since(Role role, TimePoint when);

// A key as the state machine sees it: the store's id, what the DNSKEY says
// of it, and its lifecycle.
struct ZoneKey {
  int64_t id = 0;
  uint16_t tag = 0;
  uint8_t algorithm = 0;
  uint16_t bits = 0;  // RSA modulus size; 0 where the algorithm fixes it or it is unknown
  Role role = Role::csk;
  KeyLifecycle life;
  friend bool operator==(const ZoneKey&, const ZoneKey&) = default;
};

// The publication mapping (KASP.md section 1.1): what the served zone
// carries for a key whose records are in these states.
struct Publication {
  bool dnskey = false;        // its DNSKEY is in the apex DNSKEY RRset (D rumoured or omnipresent)
  bool signs_dnskey = false;  // it signs DNSKEY, CDS, CDNSKEY (K rumoured or omnipresent)
  bool signs_zone = false;    // it makes RRSIGs over the rest (Z rumoured or omnipresent)
  bool cds = false;           // CDS/CDNSKEY list it (DS rumoured or omnipresent)
  friend bool operator==(const Publication&, const Publication&) = default;
};
Publication publication(Role role, const KeyLifecycle& key) noexcept;

// One word for people (signerctl keys, /status) that sums the states up:
// "generated" (nothing published yet), "published" (DNSKEY out, not
// signing), "active" (signing), "retired" (on its way out), "removed"
// (hidden everywhere, goal hidden).
std::string_view summary(Role role, const KeyLifecycle& key) noexcept;

}  // namespace signerd::policy
