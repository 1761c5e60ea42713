// dns/zone_diff_merge.hpp — the net change of consecutive diffs, so that
// one transfer with many IXFR steps becomes one diff to sign.
//
// Owns: merge_diffs. Does not own: ZoneDiff itself or applying it
// (dns/zone_diff).
#pragma once

#include <span>

#include "dns/zone_diff.hpp"

namespace signerd::dns {

// The diff equal to applying `steps` one after another: from =
// steps.front().from, to = steps.back().to; an RR added then removed
// vanishes, one removed then added back with the same TTL vanishes, one
// whose TTL changed is removed (old TTL) and added (new TTL). Output in
// canonical order, one RRset per owner and type in each section.
// Precondition: steps chain (each `from` is the previous `to`) and each
// applies to the result of the previous one; a TTL change lists the whole
// RRset, as diff_versions() and RFC 1995 servers do. An empty span gives an
// empty diff from 0 to 0.
ZoneDiff merge_diffs(std::span<const ZoneDiff> steps);

}  // namespace signerd::dns
