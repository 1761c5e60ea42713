// dns/zone_diff.hpp — the change between two versions of a zone.
//
// Owns: ZoneDiff (RFC 1995's view of a change: removed and added RRs, with
// the SOA serials at both ends), applying a diff to a version, and computing
// the diff between two versions.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "base/result.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns {

struct ZoneDiff {
  uint32_t from = 0;  // serial of the version the diff applies to
  uint32_t to = 0;    // serial after it
  std::vector<RRset> removed;
  std::vector<RRset> added;

  bool empty() const noexcept { return removed.empty() && added.empty(); }
};

// The next version. Fails with Errc::conflict, naming the RR, when the diff
// does not apply: `from` differs from base's serial, a removed RR is not in
// base, an added RR is already there (and not removed), or the result's SOA
// serial is not `to`. An added RRset's TTL becomes the TTL of the whole
// RRset; RRSIG RRsets are taken apart by covered type, and an added RRSIG's
// TTL applies to its covered type's group only (RFC 4034 section 3). Other
// checks are ZoneBuilder::finish()'s.
Result<std::shared_ptr<const ZoneVersion>> apply_diff(const ZoneVersion& current, const ZoneDiff& diff,
                                                      ZoneLimits limits = {});

// The diff that turns `from` into `to`, in canonical order, with one RRSIG
// RRset per covered type. A TTL change removes and re-adds the whole RRset
// (or RRSIG group). Both must be the same zone and class.
ZoneDiff diff_versions(const ZoneVersion& from, const ZoneVersion& to);

// diff_versions restricted to `owners` (which may name owners missing on
// either side): O(owners), not O(zone).
ZoneDiff diff_owners(const ZoneVersion& from, const ZoneVersion& to, const std::set<Name>& owners);

// Appends to `out` what turns one RRset (or RRSIG group) of `owner` from
// `from` into `to`, as diff_versions does; either may be null for a set
// that is missing on that side. The same type on both sides.
void diff_rrset(NameView owner, RRClass rclass, const RRsetView* from, const RRset* to, ZoneDiff& out);

}  // namespace signerd::dns
