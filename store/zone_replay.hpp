// store/zone_replay.hpp — a snapshot plus later diffs, built in one pass.
//
// Owns: rebuilding a ZoneVersion from a stored snapshot and the diffs that
// follow it with a single ZoneBuilder pass. apply_diff per diff would copy
// the whole zone once per journal entry; here only the RRsets a diff touches
// are held aside, replayed diff by diff with apply_diff's rules, and fed to
// the builder at the end. Does not own: the byte form (store/zone_codec.hpp)
// or where the bytes come from (store/zone_store.cpp).
//
// RRSIGs are tracked per covered type, so the result does not depend on
// whether a version keeps one RRSIG RRset per node or one per covered type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "store/zone_codec.hpp"

namespace signerd::store {

// The version `snapshot` decodes to, with `diffs` applied in order. The
// diffs must chain: the first starts at the snapshot's serial, each starts
// where the previous ends, and the result's SOA serial is the last `to` (or
// the snapshot's when there are none) and equals `expected_serial`.
// Errors: malformed naming `what` for every inconsistency: a corrupt
// snapshot, a broken chain, a removed RR that is absent, an added RR that is
// present, or a wrong final serial.
Result<std::shared_ptr<const dns::ZoneVersion>> replay_version(std::string_view what,
                                                               const ChunkSource& snapshot,
                                                               std::span<const dns::ZoneDiff* const> diffs,
                                                               uint32_t expected_serial);

}  // namespace signerd::store
