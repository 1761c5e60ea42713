// policy/key_rules.hpp — the safety kernel of the KASP key state machine.
//
// Owns: the desired next state of a record (goal x state), the local policy
// gate on transitions to rumoured (pre-publication for ZSKs, Double-KSK for
// KSKs, and the conservative algorithm-rollover order: ../shared/KASP.md
// sections 1.4 and 1.8), the three safety rules with equations 3a-3i and
// the successor relation (Mekking's Equation 2, by key id and algorithm:
// section 1.2-1.3), and the transition test (Equation 1 plus the BIND #5458
// guard). Does not own: when a transition may happen (key_timing.hpp), the
// update loop and key creation (evaluate.hpp).
//
// Everything here is a pure function of the key states; thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "policy/kasp.hpp"
#include "policy/key_state.hpp"

namespace signerd::policy {

// KASP.md 1.1: goal omnipresent pulls H and U to R and R to O; goal hidden
// pushes R and O to U and U to H. Equal to `state` when stable.
RecordState desired_state(Goal goal, RecordState state) noexcept;

// The key set as the rules read it: records a key's role lacks read hidden,
// and one record of one key (the subject, matched by key id and algorithm:
// BIND #4878 was a key tag collision across algorithms) may be read in its
// candidate next state ("evaluate with next state", KASP.md 1.2). A view
// refers to `keys`; it must not outlive them.
class KeySetView {
 public:
  explicit KeySetView(std::span<const ZoneKey> keys) noexcept : keys_(keys) {}

  // The same keys, pretending that `record` of `subject` is in `next`.
  KeySetView with_next(const ZoneKey& subject, Record record, RecordState next) const noexcept;

  std::span<const ZoneKey> keys() const noexcept { return keys_; }
  // The state of `record` of keys()[i] under the pretence.
  RecordState state(size_t i, Record record) const noexcept;
  // The state of `record` of keys()[i] as stored (no pretence).
  RecordState stored_state(size_t i, Record record) const noexcept;

 private:
  std::span<const ZoneKey> keys_;
  std::optional<int64_t> subject_id_;
  uint8_t subject_algorithm_ = 0;
  Record record_ = Record::dnskey;
  RecordState next_ = RecordState::hidden;
};

// Mekking Eq. 2 (BIND keymgr_dep / keymgr_key_is_successor). dep(k): the
// index of k's direct predecessor (linked both ways by id) while it is not
// all hidden: k still depends on it going away. is_successor(x, z): nothing
// depends on x leaving and z depends on x, directly or through a chain of
// keys replaced before their own introduction finished (BIND #2375, "three
// is a crowd").
std::optional<size_t> dependency_of(const KeySetView& view, size_t k) noexcept;
bool is_successor(const KeySetView& view, size_t x, size_t z) noexcept;

// The three rules of KASP.md 1.3. Rule 1 (a DS exists) looks at every
// algorithm; rules 2 (a DNSKEY with a chain from the DS) and 3 (every RRset
// has a signature path) only at `algorithm`. `going_insecure`: the policy has
// an empty key list, where rule 1 holds while any key exists (BIND's S2I).
enum class SafetyRule : uint8_t { ds_exists = 1, dnskey_chained = 2, rrsigs_chained = 3 };
inline constexpr std::array<SafetyRule, 3> kSafetyRules = {SafetyRule::ds_exists, SafetyRule::dnskey_chained,
                                                           SafetyRule::rrsigs_chained};
std::string_view rule_summary(SafetyRule rule) noexcept;  // "a DS exists", …

struct RuleContext {
  bool going_insecure = false;
  // Test-only switches for the simulator's negative controls: a rule not
  // enforced always counts as holding; without the guard a withdrawal may
  // happen while a rule fails before and after. Production leaves both on.
  std::array<bool, 3> enforce = {true, true, true};
  bool withdraw_guard = true;
};

bool rule_holds(SafetyRule rule, const KeySetView& view, uint8_t algorithm, const RuleContext& context);

// The name of the first equation that makes `rule` hold ("3b", "3h", …), or
// an empty view when it fails. For status and audit lines.
std::string_view holding_equation(SafetyRule rule, const KeySetView& view, uint8_t algorithm,
                                  const RuleContext& context);

// Eq. 1 for the candidate transition of `record` of keys[subject] to
// `next`: each rule either failed before or still holds after; and (BIND
// #5458) never a move to unretentive while a rule fails before and after.
struct TransitionCheck {
  std::array<bool, 3> before{}, after{};
  bool allowed = false;
  std::optional<SafetyRule> blocking;  // the first rule that refuses, when not allowed
};
TransitionCheck check_transition(std::span<const ZoneKey> keys, size_t subject, Record record,
                                 RecordState next, const RuleContext& context);
inline bool transition_allowed(std::span<const ZoneKey> keys, size_t subject, Record record, RecordState next,
                               const RuleContext& context) {
  return check_transition(keys, subject, record, next, context).allowed;
}

// The local policy (KASP.md 1.4, 1.8): the rollover methods' order on
// moves to rumoured, and on the way out: a ZSK's DNSKEY after its
// signatures (signerd beyond BIND, see key_rules.cpp), and for the
// conservative algorithm rollover the old signatures after the DNSKEY.
enum class GateVerdict : uint8_t {
  allowed,
  krrsig_waits_for_dnskey,       // K -> R needs own D != H
  zrrsig_waits_for_dnskey,       // Z -> R needs own D = O (or no chain yet for the algorithm)
  ds_waits_for_dnskey,           // S -> R needs own D = O and K = O
  dnskey_waits_for_zrrsig,       // conservative: new algorithm's DNSKEY after its signatures are O
  zrrsig_waits_for_dnskey_gone,  // conservative: old algorithm's signatures after its DNSKEY is H
  dnskey_waits_for_zrrsig_gone,  // D -> U needs own Z = H while a DS of the algorithm may be cached
};
std::string_view gate_reason(GateVerdict verdict) noexcept;

GateVerdict policy_gate(std::span<const ZoneKey> keys, size_t subject, Record record, RecordState next,
                        AlgorithmRollover order);

}  // namespace signerd::policy
