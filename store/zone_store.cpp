#include "store/zone_store.hpp"

#include <span>
#include <string_view>
#include <utility>

#include "store/zone_codec.hpp"
#include "store/zone_replay.hpp"

namespace signerd::store {

using base::Errc;
using base::make_error;

namespace {

int64_t to_unix(base::TimePoint t) { return t.time_since_epoch().count(); }
std::string zone_key(dns::NameView zone) { return dns::Name(zone).lowercased().to_text(); }

struct ZoneState {
  int64_t id = 0;
  uint32_t unsigned_serial = 0;
  uint32_t signed_serial = 0;
  int64_t unsigned_snapshot = 0;
  int64_t signed_snapshot = 0;
  int64_t snapshot_seq = 0;
  int64_t last_seq = 0;
  std::optional<uint32_t> upstream_serial;
};

Result<std::optional<ZoneState>> read_state(Database& db, const std::string& name) {
  auto stmt =
      Statement::prepare(db,
                         "SELECT id, unsigned_serial, signed_serial, unsigned_snapshot, signed_snapshot, "
                         "snapshot_seq, last_seq, upstream_serial FROM zone_state WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->bind(1, name).step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<ZoneState>();
  ZoneState s;
  s.id = stmt->column_int(0);
  // CHECK constraints keep the serials in uint32 range.
  s.unsigned_serial = static_cast<uint32_t>(stmt->column_int(1));
  s.signed_serial = static_cast<uint32_t>(stmt->column_int(2));
  s.unsigned_snapshot = stmt->column_int(3);
  s.signed_snapshot = stmt->column_int(4);
  s.snapshot_seq = stmt->column_int(5);
  s.last_seq = stmt->column_int(6);
  if (auto upstream = stmt->column_optional_int(7)) s.upstream_serial = static_cast<uint32_t>(*upstream);
  return std::optional<ZoneState>(s);
}

Result<ZoneState> require_state(Database& db, const std::string& name) {
  auto state = read_state(db, name);
  if (!state) return std::move(state).error();
  if (!*state)
    return make_error(Errc::not_found, "store " + db.path() + ": zone " + name + " has no stored versions");
  return **state;
}

Result<void> check_pair(const dns::ZoneVersion& u, const dns::ZoneVersion& s) {
  if (u.origin() != s.origin() || u.rclass() != s.rclass()) {
    return make_error(Errc::invalid_argument, "unsigned version of " + u.origin().to_text() +
                                                  " and signed version of " + s.origin().to_text() +
                                                  " are not the same zone and class");
  }
  return base::ok();
}

// Streams the version into chunk rows; returns the snapshot id.
Result<int64_t> write_snapshot(Database& db, int64_t zone_id, std::string_view kind,
                               const dns::ZoneVersion& v, base::TimePoint now) {
  auto head = Statement::prepare(db,
                                 "INSERT INTO zone_snapshots (zone_id, kind, serial, created, chunks, size) "
                                 "VALUES (?1, ?2, ?3, ?4, 0, 0)");
  if (!head) return std::move(head).error();
  SIGNERD_TRY(head->bind(1, zone_id).bind(2, kind).bind(3, int64_t{v.serial()}).bind(4, to_unix(now)).run());
  const int64_t id = db.last_insert_id();
  auto chunk =
      Statement::prepare(db, "INSERT INTO zone_snapshot_chunks (snapshot_id, idx, data) VALUES (?1, ?2, ?3)");
  if (!chunk) return std::move(chunk).error();
  int64_t chunks = 0;
  int64_t size = 0;
  auto encoded = encode_version(v, [&](std::span<const uint8_t> bytes) -> Result<void> {
    chunk->reset();
    SIGNERD_TRY(chunk->bind(1, id).bind(2, chunks).bind(3, bytes).run());
    ++chunks;
    size += static_cast<int64_t>(bytes.size());
    return base::ok();
  });
  SIGNERD_TRY(encoded);
  auto tail = Statement::prepare(db, "UPDATE zone_snapshots SET chunks = ?2, size = ?3 WHERE id = ?1");
  if (!tail) return std::move(tail).error();
  SIGNERD_TRY(tail->bind(1, id).bind(2, chunks).bind(3, size).run());
  return id;
}

Result<void> run_sql(Database& db, std::string_view sql, int64_t a, std::optional<int64_t> b = std::nullopt) {
  auto stmt = Statement::prepare(db, sql);
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, a);
  if (b) stmt->bind(2, *b);
  return stmt->run();
}

// Replaces the zone's snapshot pair; journal entries up to last_seq become
// "inside the snapshot".
Result<void> replace_snapshots(Database& db, const ZoneState& state, const dns::ZoneVersion& u,
                               const dns::ZoneVersion& s, base::TimePoint now) {
  SIGNERD_TRY(run_sql(db, "DELETE FROM zone_snapshots WHERE zone_id = ?1", state.id));
  auto uid = write_snapshot(db, state.id, "unsigned", u, now);
  if (!uid) return std::move(uid).error();
  auto sid = write_snapshot(db, state.id, "signed", s, now);
  if (!sid) return std::move(sid).error();
  auto stmt = Statement::prepare(
      db,
      "UPDATE zone_state SET unsigned_serial = ?2, signed_serial = ?3, updated = ?4, "
      "unsigned_snapshot = ?5, signed_snapshot = ?6, snapshot_seq = last_seq WHERE id = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, state.id).bind(2, int64_t{u.serial()}).bind(3, int64_t{s.serial()}).bind(4, to_unix(now));
  return stmt->bind(5, *uid).bind(6, *sid).run();
}

// Pulls a snapshot's chunk rows one at a time, checking that none is missing.
class SnapshotSource {
 public:
  static Result<SnapshotSource> open(Database& db, int64_t snapshot_id, std::string what) {
    auto head = Statement::prepare(db, "SELECT chunks FROM zone_snapshots WHERE id = ?1");
    if (!head) return std::move(head).error();
    auto row = head->bind(1, snapshot_id).step();
    if (!row) return std::move(row).error();
    if (!*row)
      return make_error(Errc::malformed, what + ": snapshot " + std::to_string(snapshot_id) + " is missing");
    auto rows = Statement::prepare(
        db, "SELECT idx, data FROM zone_snapshot_chunks WHERE snapshot_id = ?1 ORDER BY idx");
    if (!rows) return std::move(rows).error();
    rows->bind(1, snapshot_id);
    return SnapshotSource(std::move(*rows), head->column_int(0), std::move(what));
  }

  Result<bool> next(std::vector<uint8_t>& out) {
    auto row = rows_.step();
    if (!row) return std::move(row).error();
    if (!*row) {
      if (seen_ != expected_) return missing();
      return false;
    }
    if (rows_.column_int(0) != seen_ || seen_ >= expected_) return missing();
    ++seen_;
    rows_.column_blob_into(1, out);
    return true;
  }

 private:
  SnapshotSource(Statement rows, int64_t expected, std::string what)
      : rows_(std::move(rows)), expected_(expected), what_(std::move(what)) {}
  base::Error missing() const {
    return make_error(Errc::malformed, what_ + ": snapshot chunks do not run 0.." +
                                           std::to_string(expected_ - 1) + " (at chunk " +
                                           std::to_string(seen_) + ")");
  }

  Statement rows_;
  int64_t expected_;
  int64_t seen_ = 0;
  std::string what_;
};

struct JournalRows {
  std::vector<dns::ZoneDiff> signed_diffs;    // every kept entry
  std::vector<dns::ZoneDiff> unsigned_after;  // entries after the snapshot
  size_t first_after = 0;                     // index in signed_diffs of the first after the snapshot
};

Result<JournalRows> read_journal(Database& db, const ZoneState& state, const dns::Name& origin,
                                 const std::string& name) {
  auto stmt =
      Statement::prepare(db,
                         "SELECT seq, signed_diff, unsigned_diff FROM zone_journal WHERE zone_id = ?1 "
                         "ORDER BY seq");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, state.id);
  JournalRows out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    const int64_t seq = stmt->column_int(0);
    const std::string where = "zone " + name + " journal entry " + std::to_string(seq);
    const auto signed_bytes = stmt->column_blob(1);
    auto sd = decode_diff(where + " signed diff", origin, signed_bytes);
    if (!sd) return std::move(sd).error();
    if (!out.signed_diffs.empty() && out.signed_diffs.back().to != sd->from) {
      return make_error(Errc::malformed, where + ": starts at signed serial " + std::to_string(sd->from) +
                                             ", the previous entry ends at " +
                                             std::to_string(out.signed_diffs.back().to));
    }
    out.signed_diffs.push_back(std::move(*sd));
    if (seq <= state.snapshot_seq) {
      out.first_after = out.signed_diffs.size();
      continue;
    }
    const auto unsigned_bytes = stmt->column_blob(2);
    auto ud = decode_diff(where + " unsigned diff", origin, unsigned_bytes);
    if (!ud) return std::move(ud).error();
    out.unsigned_after.push_back(std::move(*ud));
  }
  return out;
}

Result<std::shared_ptr<const dns::ZoneVersion>> rebuild(Database& db, const std::string& what,
                                                        int64_t snapshot_id,
                                                        std::span<const dns::ZoneDiff> diffs,
                                                        uint32_t serial) {
  auto source = SnapshotSource::open(db, snapshot_id, what);
  if (!source) return std::move(source).error();
  std::vector<const dns::ZoneDiff*> ptrs;
  for (const auto& d : diffs) ptrs.push_back(&d);
  const ChunkSource pull = [&](std::vector<uint8_t>& out) { return source->next(out); };
  return replay_version(what, pull, ptrs, serial);
}

// BEGIN DEFERRED ... ROLLBACK: a consistent read that writes nothing.
class ReadTransaction {
 public:
  static Result<ReadTransaction> begin(Database& db) {
    SIGNERD_TRY(db.exec("BEGIN DEFERRED"));
    return ReadTransaction(db);
  }
  ReadTransaction(ReadTransaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (db_) (void)db_->exec("ROLLBACK");
  }

 private:
  explicit ReadTransaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace

Result<void> save_snapshot(Database& db, const dns::ZoneVersion& unsigned_v, const dns::ZoneVersion& signed_v,
                           base::TimePoint now) {
  SIGNERD_TRY(check_pair(unsigned_v, signed_v));
  const std::string name = zone_key(unsigned_v.origin());
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  auto insert = Statement::prepare(db,
                                   "INSERT INTO zone_state (name, unsigned_serial, signed_serial, updated, "
                                   "unsigned_snapshot, signed_snapshot, snapshot_seq, last_seq) "
                                   "VALUES (?1, 0, 0, ?2, 0, 0, 0, 0) ON CONFLICT (name) DO NOTHING");
  if (!insert) return std::move(insert).error();
  SIGNERD_TRY(insert->bind(1, name).bind(2, to_unix(now)).run());
  auto state = require_state(db, name);
  if (!state) return std::move(state).error();
  SIGNERD_TRY(run_sql(db, "DELETE FROM zone_journal WHERE zone_id = ?1", state->id));
  SIGNERD_TRY(replace_snapshots(db, *state, unsigned_v, signed_v, now));
  return tx->commit();
}

Result<void> append_update(Database& db, const dns::Name& zone, const dns::ZoneDiff& unsigned_diff,
                           const dns::ZoneDiff& signed_diff, base::TimePoint now) {
  auto ublob = encode_diff(zone, unsigned_diff);
  if (!ublob) return std::move(ublob).error();
  auto sblob = encode_diff(zone, signed_diff);
  if (!sblob) return std::move(sblob).error();
  const std::string name = zone_key(zone);
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  auto state = require_state(db, name);
  if (!state) return std::move(state).error();

  auto insert =
      Statement::prepare(db,
                         "INSERT INTO zone_journal (zone_id, seq, unsigned_from, unsigned_to, signed_from, "
                         "signed_to, unsigned_diff, signed_diff, time, size) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!insert) return std::move(insert).error();
  insert->bind(1, state->id).bind(2, state->last_seq + 1);
  insert->bind(3, int64_t{unsigned_diff.from}).bind(4, int64_t{unsigned_diff.to});
  insert->bind(5, int64_t{signed_diff.from}).bind(6, int64_t{signed_diff.to});
  insert->bind(7, std::span<const uint8_t>(*ublob)).bind(8, std::span<const uint8_t>(*sblob));
  insert->bind(9, to_unix(now)).bind(10, static_cast<int64_t>(ublob->size() + sblob->size()));
  SIGNERD_TRY(insert->run());

  // The serial check is part of the UPDATE: if it matches no row, the
  // transaction (and the journal row above) is rolled back.
  auto update =
      Statement::prepare(db,
                         "UPDATE zone_state SET unsigned_serial = ?4, signed_serial = ?5, updated = ?6, "
                         "last_seq = last_seq + 1 "
                         "WHERE id = ?1 AND unsigned_serial = ?2 AND signed_serial = ?3");
  if (!update) return std::move(update).error();
  update->bind(1, state->id).bind(2, int64_t{unsigned_diff.from}).bind(3, int64_t{signed_diff.from});
  update->bind(4, int64_t{unsigned_diff.to}).bind(5, int64_t{signed_diff.to}).bind(6, to_unix(now));
  SIGNERD_TRY(update->run());
  if (db.changes() != 1) {
    return make_error(Errc::conflict, "store " + db.path() + ": zone " + name + ": update from serials " +
                                          std::to_string(unsigned_diff.from) + "/" +
                                          std::to_string(signed_diff.from) +
                                          " (unsigned/signed) does not continue the stored " +
                                          std::to_string(state->unsigned_serial) + "/" +
                                          std::to_string(state->signed_serial));
  }
  return tx->commit();
}

Result<void> set_upstream_serial(Database& db, const dns::Name& zone, uint32_t serial) {
  const std::string name = zone_key(zone);
  auto update = Statement::prepare(db, "UPDATE zone_state SET upstream_serial = ?2 WHERE name = ?1");
  if (!update) return std::move(update).error();
  SIGNERD_TRY(update->bind(1, name).bind(2, int64_t{serial}).run());
  if (db.changes() != 1)
    return make_error(Errc::not_found, "store " + db.path() + ": zone " + name + " has no stored versions");
  return base::ok();
}

// Read in one deferred transaction so the state, journal and snapshot rows
// are from the same commit; in WAL mode it holds no write lock, so a writer
// (the signer committing the next update) is not kept waiting meanwhile.
Result<std::optional<StoredZone>> load_zone(Database& db, const dns::Name& zone) {
  const std::string name = zone_key(zone);
  auto read = ReadTransaction::begin(db);
  if (!read) return std::move(read).error();
  auto state = read_state(db, name);
  if (!state) return std::move(state).error();
  if (!*state) return std::optional<StoredZone>();
  const ZoneState& st = **state;
  auto journal = read_journal(db, st, zone, name);
  if (!journal) return std::move(journal).error();
  if (!journal->signed_diffs.empty() && journal->signed_diffs.back().to != st.signed_serial) {
    return make_error(Errc::malformed, "zone " + name + ": journal ends at signed serial " +
                                           std::to_string(journal->signed_diffs.back().to) +
                                           ", the zone state says " + std::to_string(st.signed_serial));
  }
  StoredZone out;
  auto u = rebuild(db, "zone " + name + " unsigned snapshot", st.unsigned_snapshot, journal->unsigned_after,
                   st.unsigned_serial);
  if (!u) return std::move(u).error();
  std::span<const dns::ZoneDiff> signed_after(journal->signed_diffs);
  auto s = rebuild(db, "zone " + name + " signed snapshot", st.signed_snapshot,
                   signed_after.subspan(journal->first_after), st.signed_serial);
  if (!s) return std::move(s).error();
  out.unsigned_version = std::move(*u);
  out.signed_version = std::move(*s);
  out.journal = std::move(journal->signed_diffs);
  out.upstream_serial = st.upstream_serial;
  return std::optional<StoredZone>(std::move(out));
}

Result<void> compact(Database& db, const dns::Name& zone, const dns::ZoneVersion& unsigned_v,
                     const dns::ZoneVersion& signed_v, base::TimePoint now) {
  SIGNERD_TRY(check_pair(unsigned_v, signed_v));
  if (unsigned_v.origin() != zone) {
    return make_error(Errc::invalid_argument,
                      "compact of " + zone.to_text() + " given versions of " + unsigned_v.origin().to_text());
  }
  const std::string name = zone_key(zone);
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  auto state = require_state(db, name);
  if (!state) return std::move(state).error();
  if (state->unsigned_serial != unsigned_v.serial() || state->signed_serial != signed_v.serial()) {
    return make_error(Errc::conflict, "store " + db.path() + ": zone " + name + ": compact of serials " +
                                          std::to_string(unsigned_v.serial()) + "/" +
                                          std::to_string(signed_v.serial()) + " but the store is at " +
                                          std::to_string(state->unsigned_serial) + "/" +
                                          std::to_string(state->signed_serial));
  }
  SIGNERD_TRY(replace_snapshots(db, *state, unsigned_v, signed_v, now));
  return tx->commit();
}

Result<void> prune_journal(Database& db, const dns::Name& zone, size_t max_entries, uint64_t max_bytes,
                           std::chrono::seconds max_age, base::TimePoint now) {
  const std::string name = zone_key(zone);
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  auto state = require_state(db, name);
  if (!state) return std::move(state).error();
  auto stmt =
      Statement::prepare(db, "SELECT seq, time, size FROM zone_journal WHERE zone_id = ?1 ORDER BY seq");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, state->id);
  struct Entry {
    int64_t seq, time, size;
  };
  std::vector<Entry> entries;
  uint64_t bytes = 0;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    entries.push_back({stmt->column_int(0), stmt->column_int(1), stmt->column_int(2)});
    bytes += static_cast<uint64_t>(entries.back().size);
  }
  const int64_t oldest_kept = to_unix(now) - max_age.count();
  size_t count = entries.size();
  std::optional<int64_t> cutoff;
  for (const Entry& e : entries) {
    if (e.seq > state->snapshot_seq) break;
    if (count <= max_entries && bytes <= max_bytes && e.time >= oldest_kept) break;
    cutoff = e.seq;
    --count;
    bytes -= static_cast<uint64_t>(e.size);
  }
  if (!cutoff) return base::ok();
  SIGNERD_TRY(run_sql(db, "DELETE FROM zone_journal WHERE zone_id = ?1 AND seq <= ?2", state->id, *cutoff));
  return tx->commit();
}

Result<std::vector<std::string>> list_zones(Database& db) {
  auto stmt = Statement::prepare(db, "SELECT name FROM zone_state ORDER BY name");
  if (!stmt) return std::move(stmt).error();
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(stmt->column_text(0));
  }
}

Result<void> remove_zone(Database& db, const dns::Name& zone) {
  const std::string name = zone_key(zone);
  auto stmt = Statement::prepare(db, "DELETE FROM zone_state WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  SIGNERD_TRY(stmt->bind(1, name).run());
  if (db.changes() == 0)
    return make_error(Errc::not_found, "store " + db.path() + ": zone " + name + " has no stored versions");
  return base::ok();
}

}  // namespace signerd::store
