// dnssec/slice_rebase.hpp — a refresh slice signed from an older version,
// carried onto the current one.
//
// Owns: rebase_slice(). A slice of a refresh or re-signing walk is signed
// off the zone's strand from a snapshot (signerd/zone_resign.cpp) while
// changes go on being committed; when it is done, what it made at owners
// no commit touched since still holds (their records are the snapshot's,
// so are the RRSIGs over them) and is applied to the current version, and
// the apex is signed anew with the current version's SOA bump. Does not
// own: which names a slice takes (refresh_slice.hpp), the signing
// (sign_change.hpp), which owners were touched (the caller keeps them).
#pragma once

#include <set>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_change.hpp"

namespace signerd::dnssec {

// `slice_diff`: the signed diff of a slice, made by sign_change against an
// older signed version of this zone with the same keys and params.
// `touched`: every owner (NSEC3 owners among them) in the signed diffs
// committed since that version. `bump`: the SOA bump of `unsigned_current`
// that the result commits. Returns sign_change's result for `bump` over
// `unsigned_current` with the slice's records at the owners not touched
// and not the apex: the same zone as re-signing the slice's names on the
// current version, without signing them again. signed_diff is the net
// change from signed_current.
// Errors: apply_diff's (Errc::conflict) when the slice does not apply (an
// owner the caller did not count as touched); sign_change's; Errc::conflict
// when the bump would need the whole zone (the keys or params changed:
// drop the slice instead).
Result<SignedUpdate> rebase_slice(const dns::ZoneDiff& slice_diff, const std::set<dns::Name>& touched,
                                  const dns::ZoneVersion& unsigned_current,
                                  const dns::ZoneVersion& signed_current, const dns::ZoneDiff& bump,
                                  const ZoneKeys& keys, const SigningParams& params, base::TimePoint now,
                                  SigningSession* session = nullptr);

}  // namespace signerd::dnssec
