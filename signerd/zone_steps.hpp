// signerd/zone_steps.hpp — the pure steps of a zone's life in the daemon.
//
// Owns: the SOA bumps (a change that only moves the serial, as a refresh
// slice or a key event makes), the signing view of a transfer (the
// primary's data with signerd's serial in the SOA: README "The signing
// view"), the earliest RRSIG expiration of a version or a diff, and the
// adoption of the served NSEC3 salt on resume. Does not own: deciding when
// to run them (zone_runtime, zone_timers) or signing and storing.
//
// Pure: no clock (times are parameters), no I/O; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/zone_signer.hpp"

namespace signerd {

// The apex SOA RRset of `zone`; nullopt when it has none.
std::optional<dns::RRset> apex_soa(const dns::ZoneVersion& zone);

// `soa` with another serial. Errors: malformed (not one SOA RR).
base::Result<dns::RRset> soa_with_serial(const dns::RRset& soa, uint32_t serial);

// The change that takes `view` to `serial` and nothing else: its SOA out,
// the same SOA with `serial` in. Errors: malformed (no SOA in `view`).
base::Result<dns::ZoneDiff> soa_bump(const dns::ZoneVersion& view, uint32_t serial);

// The primary's merged IXFR `upstream` as a change of the signing view
// `view` to `serial`: its SOA RRs replaced by the view's SOA out and the
// primary's new SOA, with `serial`, in. Errors: malformed (the IXFR has no
// new SOA, or the view none).
base::Result<dns::ZoneDiff> signing_change(const dns::ZoneVersion& view, dns::ZoneDiff upstream,
                                           uint32_t serial);

// The primary's whole zone `upstream` as a signing view with `serial` (the
// same version when the serials agree). Errors: malformed (no SOA), those
// of dns::apply_diff.
base::Result<std::shared_ptr<const dns::ZoneVersion>> signing_view(
    std::shared_ptr<const dns::ZoneVersion> upstream, uint32_t serial);

// The earliest RRSIG expiration (RFC 4034 wire time) in `zone`, or added by
// `diff`, folded into `earliest`: expirations compare in serial arithmetic
// (RFC 4034 section 3.1.5).
std::optional<uint32_t> earliest_expiration(const dns::ZoneVersion& zone);
void fold_added_expirations(const dns::ZoneDiff& diff, std::optional<uint32_t>& earliest);
// A wire time near `now` as a time point (nullopt stays nullopt).
std::optional<base::TimePoint> expiration_time(std::optional<uint32_t> expiration, base::TimePoint now);

// When `params` asks for NSEC3 and `served`'s NSEC3PARAM has the same hash
// algorithm, iterations and salt length, its salt replaces the one in
// `params` (drawn at random for a new zone): the salt is zone state, and a
// new one at every start would rebuild the whole NSEC3 chain and send it
// by IXFR (REVIEW M5). Returns whether it did.
bool adopt_served_salt(dnssec::SigningParams& params, const dns::ZoneVersion& served);

}  // namespace signerd
