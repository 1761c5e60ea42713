// dnssec/sign_change.hpp — the fast path of incremental signing: a change
// to the unsigned data signed in time proportional to the change, not to
// the zone.
//
// Owns: sign_change(). Where sign_diff (sign_diff.hpp) rebuilds the next
// signed zone whole and compares it with the last one, sign_change works
// out which names the change touches, builds the signed form of those
// names only (their RRsets, RRSIGs and denial records, and the denial
// records of their neighbours in the chain), and makes the next signed
// version by applying that signed diff to the signed base.
// It also refreshes signatures a slice at a time: the names given as
// `refresh` are re-signed where their RRSIGs expire within params.refresh
// (the caller picks them: refresh_slice.hpp).
// Does not own: the rules of what is signed (signing_rules.hpp), the
// chains' definitions (nsec_chain.hpp, nsec3_chain.hpp).
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/zone_signer.hpp"

namespace signerd::dnssec {

// Applies `change` to `unsigned_base` and signs only what it touches.
// `signed_base` must be the signed form of `unsigned_base` (same serial and
// origin) made by sign_zone, sign_diff or sign_change with the same keys
// and params.
//
// The names it re-signs: every owner of `change`; its ancestors, whose
// empty-non-terminal status may change; the whole subtree of an owner that
// gains or loses an NS (below the apex) or a DNAME, whose names become
// occluded or visible; the apex, whose SOA changes with every diff; and
// for each of these the neighbours whose NSEC "next" or NSEC3 "next hashed
// owner" changes. For each such name the RRsets are compared with
// signed_base's: an RRset whose TTL and RDATA are unchanged, whose
// RRSIGs are by exactly the expected keys and expire at or after
// now + params.refresh keeps its RRSIGs byte for byte, anything else is
// signed anew, and whatever is gone is removed. The names in `refresh`
// (names of unsigned_next, canonical order or not) are reached like the
// change's owners, so their RRsets and denial records whose RRSIGs expire
// within params.refresh are signed anew.
//
// The result is what sign_diff would give for the same inputs, except
// that sign_change re-signs for age only the RRsets it reaches.
// signed_diff is in canonical order and, applied to signed_base, gives
// signed_next.
//
// Returns std::nullopt (not an error: the caller runs sign_diff instead)
// when the change needs the whole zone: the keys differ from signed_base's
// DNSKEY RRset (RDATA or params.dnskey_ttl) or from the keys that signed
// its apex DNSKEY and SOA (a change of roles), or from its apex CDS and
// CDNSKEY (the keys' cds flags, the digest types, CDNSKEY or the DELETE
// form: RFC 7344, RFC 8078), or the denial kind, NSEC3
// parameters or opt-out differ from its NSEC3PARAM and apex NSEC3; unsigned_next has an apex ZONEMD
// (its digest covers every record); the denial TTL (SOA TTL or MINIMUM,
// RFC 9077) changed, which changes every NSEC/NSEC3 record; or finding a
// neighbour in the chain would walk more than kMaxNeighbourScan names.
//
// With KeyChange::gradual, a change of keys (the DNSKEY, CDS or CDNSKEY
// RRsets, or which keys sign DNSKEY or the zone) does not need the whole
// zone as long as the zone-signing keys keep the same algorithms: the apex
// and the names the change reaches are signed with the new keys, the rest
// keep the old keys' RRSIGs until refresh slices reach them
// (next_refresh_slice with stale_signers). Every RRset stays signed by
// each algorithm of the zone signers, so a validator that holds both
// keys' DNSKEYs validates every answer meanwhile (RFC 6781 4.1.1.1, the
// pre-publication roll, which the key state machine guarantees by keeping
// the old DNSKEY published until its signatures are gone). A change of the
// zone signers' algorithms is a whole zone pass still (RFC 4035 2.2: every
// RRset signed by each algorithm of the DNSKEY RRset, RFC 6781 4.1.4).
enum class KeyChange { whole_zone, gradual };

// Errors: Errc::conflict when the change does not apply (apply_diff's) or
// signed_base is not unsigned_base's signed form; the key store's; the
// chain's (an NSEC3 hash collision). The inputs are never modified.
// Thread-safety: reads its inputs only; signs on the calling thread.
inline constexpr size_t kMaxNeighbourScan = 4096;

// An HSM session with the zone's keys opened, kept from one change to the
// next: opening one costs about 0.8 ms with SoftHSM2 (a session and a key
// lookup), more than signing a one-record change. Bound to the ZoneKeys it
// was opened with; used by one thread at a time. After an error from
// sign_change, drop it and open a new one.
class SigningSession {
 public:
  // `workers` sessions, each with every key: sign_change signs on as many
  // threads (one is enough for a change; a refresh slice uses more).
  static Result<SigningSession> open(const ZoneKeys& keys, unsigned workers = 1);
  SigningSession(SigningSession&&) noexcept;
  SigningSession& operator=(SigningSession&&) noexcept;
  ~SigningSession();

  struct Opened;  // sign_change.cpp

 private:
  explicit SigningSession(std::unique_ptr<Opened> opened);
  friend Opened& opened_of(SigningSession& s) noexcept;
  std::unique_ptr<Opened> opened_;
};

// `session`: keys already opened (nullptr: opens one worker for this call).
Result<std::optional<SignedUpdate>> sign_change(
    const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base, const dns::ZoneDiff& change,
    const ZoneKeys& keys, const SigningParams& params, base::TimePoint now, SigningSession* session = nullptr,
    std::span<const dns::Name> refresh = {}, KeyChange key_change = KeyChange::whole_zone);

}  // namespace signerd::dnssec
