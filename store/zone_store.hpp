// store/zone_store.hpp — zone versions and the IXFR journal, persisted.
//
// Owns: per zone, the snapshot of the unsigned and signed versions (signed
// WITH its signatures, so a restart re-signs nothing), the journal of
// (unsigned diff, signed diff) pairs, and rebuilding the current versions
// from them. Does not own: the byte form (store/zone_codec.hpp), deciding
// when to compact or prune (signerd/), or the diffs' correctness (dnssec/
// and xfr/ produce them; load_zone re-checks that they chain).
//
// Every writing function is ONE Transaction (BEGIN IMMEDIATE): a crash or an
// error at any point leaves the previous committed state, and a restart
// resumes exactly at the last commit. So these functions must not be called
// inside a caller's open Transaction (transactions do not nest).
// Thread-safety: as Database.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "store/database.hpp"

namespace signerd::store {

struct StoredZone {
  std::shared_ptr<const dns::ZoneVersion> unsigned_version;
  std::shared_ptr<const dns::ZoneVersion> signed_version;
  // Signed diffs still kept for IXFR out, oldest first; the last ends at
  // signed_version's serial. Empty after save_snapshot.
  std::vector<dns::ZoneDiff> journal;
  // The primary's SOA serial the unsigned version holds the data of, as
  // last set by set_upstream_serial; nullopt when never set.
  std::optional<uint32_t> upstream_serial;
};

// Replaces everything stored for the zone with this version pair (an AXFR
// in, or a full re-sign): new snapshots, journal cleared. Errors:
// invalid_argument (the versions are of different zones or classes), io.
Result<void> save_snapshot(Database& db, const dns::ZoneVersion& unsigned_v, const dns::ZoneVersion& signed_v,
                           base::TimePoint now);

// Appends one journal entry. The diffs must continue from the stored serials
// (unsigned_diff.from == stored unsigned serial, likewise signed): conflict
// otherwise, with nothing changed. Errors: not_found (no snapshot for the
// zone), conflict, invalid_argument (an owner outside the zone, an empty
// RRset), io.
Result<void> append_update(Database& db, const dns::Name& zone, const dns::ZoneDiff& unsigned_diff,
                           const dns::ZoneDiff& signed_diff, base::TimePoint now);

// Records the primary's serial whose data the stored unsigned version
// holds (the IXFR base after a restart). Call it in the transaction of the
// save_snapshot or append_update it belongs to. Errors: not_found (no
// snapshot for the zone), io.
Result<void> set_upstream_serial(Database& db, const dns::Name& zone, uint32_t serial);

// The zone as last committed, or nullopt when the store has none. Built in
// one ZoneBuilder pass per version: the snapshot's records, minus those
// removed and plus those added by the journal entries after it (never one
// apply_diff per entry, which would cost O(zone) each). Errors: malformed
// (a corrupt blob, a journal that does not chain onto its snapshot, or a
// result whose serial differs from the stored one; the detail names the
// zone and where), io.
Result<std::optional<StoredZone>> load_zone(Database& db, const dns::Name& zone);

// Writes a new snapshot of the current versions, which must be at the
// stored serials (conflict otherwise), and keeps the journal for IXFR: its
// entries now lie before the snapshot, so load_zone no longer replays them.
// Errors: not_found, conflict, invalid_argument, io.
Result<void> compact(Database& db, const dns::Name& zone, const dns::ZoneVersion& unsigned_v,
                     const dns::ZoneVersion& signed_v, base::TimePoint now);

// Drops the oldest journal entries while more than max_entries remain, or
// their blobs total more than max_bytes, or the oldest is older than
// max_age at `now`. Only entries already inside the snapshot are dropped:
// the others are needed to rebuild the current version (compact first).
// Errors: not_found (no such zone), io.
Result<void> prune_journal(Database& db, const dns::Name& zone, size_t max_entries, uint64_t max_bytes,
                           std::chrono::seconds max_age, base::TimePoint now);

// Zones with stored versions, as lowercased presentation names, sorted.
Result<std::vector<std::string>> list_zones(Database& db);

// Deletes the zone's versions and journal (its keys and audit trail stay:
// keys are policy's to purge). Errors: not_found, io.
Result<void> remove_zone(Database& db, const dns::Name& zone);

}  // namespace signerd::store
