// policy/key_timing.hpp — when a record may move, and the planned key times.
//
// Owns: the earliest time a record may go omnipresent or hidden (the cache
// propagation waits of ../shared/KASP.md section 2.2, BIND's
// keymgr_transition_time), the RFC 7583 intervals a policy implies, and the
// planning metadata of section 2.3 (Retire, Remove, SyncPublish, a
// successor's Publish and Active). Does not own: whether a transition is
// safe (key_rules.hpp) or wanted (evaluate.hpp). Planned times are hints for
// status and the start of a rollover, never a reason for a transition.
//
// Pure functions of their arguments; thread-compatible.
#pragma once

#include <optional>
#include <string_view>

#include "policy/kasp.hpp"
#include "policy/key_state.hpp"

namespace signerd::policy {

// RFC 7583 symbols for a policy (KASP.md 2.1). TTLsig is max-zone-ttl, and
// 0 there means 7 days as in BIND's keymgr (kasp.c DEFAULT_TTLSIG).
Seconds signature_ttl(const Kasp& kasp) noexcept;
// Ipub = dnskey-ttl + publish-safety + zone-propagation-delay.
Seconds publication_interval(const Kasp& kasp) noexcept;
// Dsgn of a smooth re-sign: signatures-validity - signatures-refresh.
Seconds sign_delay(const Kasp& kasp) noexcept;
// Iret ZSK = Dsgn + zpd + TTLsig + retire-safety (smooth re-sign).
Seconds zsk_retire_interval(const Kasp& kasp) noexcept;
// Iret KSK = parent-propagation-delay + parent-ds-ttl + retire-safety.
Seconds ksk_retire_interval(const Kasp& kasp) noexcept;
// The DS TTL waits use: the larger of parent-ds-ttl and the TTL the parent
// was seen to serve (KASP.md 4.5).
Seconds parent_ds_ttl(const Kasp& kasp, const DsObservation& ds) noexcept;

// What a wait is for (status explains with it).
enum class WaitFor : uint8_t {
  nothing,           // ->R and ->U are immediate
  dnskey_caches,     // D, K: lc + dnskey-ttl + zpd (+ publish-safety for ->O)
  signature_caches,  // Z: base + max-zone-ttl + zpd (+ sign delay + retire-safety in a rollover)
  ds_caches,         // S: DS seen at the parent + DS TTL + ppd (+ retire-safety in a rollover)
  parent,            // S: the parent was not yet seen to publish / withdraw the DS
};
std::string_view wait_name(WaitFor wait) noexcept;

struct TransitionTime {
  TimePoint at;
  WaitFor waits_for = WaitFor::nothing;
};

// The earliest time `record` of `key` may go to `next` (KASP.md 2.2). A
// record with no last change counts from `now`. ZRRSIG counts from the
// signer's observation (KeyLifecycle::signatures: complete for ->O, gone
// for ->H, if made at or after the record's last change and not after
// `now`) with no sign delay; otherwise from its last change, adding the sign
// delay when the key has a predecessor or successor. DS counts from the
// parent observation (published for ->O, withdrawn for ->H); while there is
// none (or it lies after `now`) the answer is now + checkds-interval with
// WaitFor::parent: ask again then.
TransitionTime transition_time(const ZoneKey& key, Record record, RecordState next, const Kasp& kasp,
                               TimePoint now);

// Planning (KASP.md 2.3).
// Remove = Retire + the largest Iret of the key's roles.
TimePoint remove_time(Role role, TimePoint retire, const Kasp& kasp) noexcept;
// SyncPublish = Publish + Ipub; the first key of a zone also waits for its
// zone signatures: max(that, Publish + TTLsig + zpd).
TimePoint sync_publish_time(TimePoint publish, bool first_key, const Kasp& kasp) noexcept;
// When a successor must be published: Retire - Ipub; nullopt without a Retire.
std::optional<TimePoint> prepublication_time(const KeyLifecycle& key, const Kasp& kasp) noexcept;

// Times of a key that is the first of its policy entry: Publish = Active =
// now, Retire = Active + lifetime.
KeyTimes plan_first_key(Role role, std::optional<Seconds> lifetime, const Kasp& kasp, TimePoint now);
// Times of the successor of `predecessor` created at `now`: Publish =
// pred Retire - Ipub and Active = pred Retire, both shifted to now when
// that is already past (BIND keymgr_key_rollover).
KeyTimes plan_successor(const KeyLifecycle& predecessor, Role role, std::optional<Seconds> lifetime,
                        const Kasp& kasp, TimePoint now);
// Retire and Remove from Active and a lifetime (unset when unlimited), and
// SyncDelete from SyncPublish (BIND #4677 applies this on a lifetime change).
void plan_retirement(KeyTimes& times, Role role, std::optional<Seconds> lifetime, const Kasp& kasp);

}  // namespace signerd::policy
