// dnssec/sign_diff.hpp — incremental signing: a signed zone and a change to
// its unsigned data in, the next signed zone and the signed diff out
// (shared/DESIGN.md "Data flow", step 3).
//
// Owns: sign_diff() and SignedUpdate. It re-signs only the RRsets whose
// content or signedness changed and only the NSEC/NSEC3 records that
// changed; every other RRSIG is copied from the signed base byte for byte.
// Does not own: the full signing rules and steps (zone_signer.hpp,
// signing_pool.hpp, shared with sign_zone so that both build the same
// zone), refreshing signatures near expiry (a later refresh job: an RRset
// that did not change keeps its RRSIGs here however old they are), storing
// or serving the result (store/, xfr/).
#pragma once

#include <cstddef>
#include <memory>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/zone_signer.hpp"

namespace signerd::dnssec {

struct SignedUpdate {
  std::shared_ptr<const dns::ZoneVersion> unsigned_next;  // unsigned_base + change
  std::shared_ptr<const dns::ZoneVersion> signed_next;
  // signed_base -> signed_next in canonical order, RRSIG/NSEC/NSEC3/DNSKEY
  // and CDS/CDNSKEY changes included: what IXFR-out serves (RFC 1995).
  dns::ZoneDiff signed_diff;
  size_t rrsets_signed = 0;    // RRsets and denial records re-signed
  size_t signatures_made = 0;  // RRSIGs created (one per RRset and key)
};

// Applies `change` to `unsigned_base` and signs the result incrementally.
// `signed_base` must be the signed form of `unsigned_base` (as sign_zone or
// an earlier sign_diff made it, same serial).
//
// What is signed: an RRset that signing_rules.hpp says is signed gets new
// RRSIGs when signed_base has no RRset of the same owner and type with the
// same TTL and RDATA, or lacks RRSIGs over it by exactly the keys of
// `keys` that sign its type (so a changed RRset; one that became signed
// because a delegation above it went away or it became a DS; the SOA,
// whose serial changes with every diff; and, after a key change, every
// RRset). Otherwise its RRSIGs are copied byte for byte. RRSIGs of RRsets
// that are gone or no longer signed (now below a cut, or the NS of a new
// cut: RFC 4035 section 2.2) are dropped. The chain is rebuilt for the
// next zone and compared with signed_base's: only records that differ
// (changed names, their predecessors in canonical or hash order, names and
// empty non-terminals that appear or go, changed bitmaps) are re-signed.
// The result equals sign_zone(unsigned_next) at `now` except for the
// copied RRSIGs' times (and ECDSA's random signatures).
//
// Cost: O(zone) copying and comparing (apply_diff, the base zone, the
// chain with its NSEC3 hashes, the assembly, the signed diff), which are
// cheap; O(change) signing, which is not (an HSM round trip per RRSIG).
//
// Errors: Errc::conflict when the change does not apply (apply_diff's) or
// signed_base is not unsigned_base's serial and origin; sign_zone's
// otherwise. On error nothing is produced: the inputs are never modified.
// Thread-safety: reads its inputs only; `workers` as sign_zone.
Result<SignedUpdate> sign_diff(const dns::ZoneVersion& unsigned_base, const dns::ZoneVersion& signed_base,
                               const dns::ZoneDiff& change, const ZoneKeys& keys, const SigningParams& params,
                               base::TimePoint now, unsigned workers = 1);

}  // namespace signerd::dnssec
