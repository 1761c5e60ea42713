#include "store/schema.hpp"

#include <array>
#include <string>

#include "store/database.hpp"

namespace signerd::store {

using base::Errc;
using base::make_error;
using base::Result;

namespace {

// Version 1: what offline signing needs. STRICT tables (SQLite >= 3.37) make
// a wrongly typed value an error instead of a silent conversion.
// AUTOINCREMENT on keys and audit: an id, once seen in a log or an audit
// detail, never names another key later.
constexpr const char* kV1 = R"sql(
CREATE TABLE zones (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,   -- lowercased presentation form, trailing dot
  created INTEGER NOT NULL        -- unix seconds
) STRICT;

CREATE TABLE keys (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id    INTEGER NOT NULL REFERENCES zones(id) ON DELETE RESTRICT,
  backend    TEXT NOT NULL CHECK (backend IN ('pkcs11', 'pem')),
  ref        TEXT NOT NULL,       -- pkcs11: URI or PEM key id; never key material
  algorithm  INTEGER NOT NULL CHECK (algorithm BETWEEN 0 AND 255),
  role       TEXT NOT NULL CHECK (role IN ('ksk', 'zsk', 'csk')),
  flags      INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 65535),
  key_tag    INTEGER NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
  public_key BLOB NOT NULL,       -- the DNSKEY RDATA public key field
  state      TEXT NOT NULL,
  created    INTEGER NOT NULL,
  published  INTEGER,
  active     INTEGER,
  retired    INTEGER,
  removed    INTEGER,
  UNIQUE (zone_id, ref)
) STRICT;
CREATE INDEX keys_by_tag ON keys (zone_id, key_tag);

-- No foreign key to zones: the trail outlives the zone it speaks of.
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  time   INTEGER NOT NULL,
  zone   TEXT,
  event  TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_zone ON audit (zone, id);
)sql";

// Version 2: zone versions and the IXFR journal. A zone's state row points at
// its current snapshot pair; journal entries with seq <= snapshot_seq are
// already inside the snapshot (kept for IXFR), later ones are replayed on
// load. Snapshot bytes are split into chunk rows (store/zone_codec.hpp) so
// that neither side ever holds a whole signed zone in one allocation. No
// foreign key to zones (v1): keys outlive a zone's data, and a zone's data
// may exist before it has keys.
constexpr const char* kV2 = R"sql(
CREATE TABLE zone_state (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  name              TEXT NOT NULL UNIQUE,  -- lowercased presentation form, trailing dot
  unsigned_serial   INTEGER NOT NULL CHECK (unsigned_serial BETWEEN 0 AND 4294967295),
  signed_serial     INTEGER NOT NULL CHECK (signed_serial BETWEEN 0 AND 4294967295),
  updated           INTEGER NOT NULL,      -- unix seconds
  unsigned_snapshot INTEGER NOT NULL,      -- zone_snapshots.id
  signed_snapshot   INTEGER NOT NULL,      -- zone_snapshots.id
  snapshot_seq      INTEGER NOT NULL,      -- last journal seq inside the snapshot
  last_seq          INTEGER NOT NULL       -- last journal seq ever appended
) STRICT;

CREATE TABLE zone_snapshots (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id INTEGER NOT NULL REFERENCES zone_state(id) ON DELETE CASCADE,
  kind    TEXT NOT NULL CHECK (kind IN ('unsigned', 'signed')),
  serial  INTEGER NOT NULL CHECK (serial BETWEEN 0 AND 4294967295),
  created INTEGER NOT NULL,
  chunks  INTEGER NOT NULL,
  size    INTEGER NOT NULL
) STRICT;
CREATE INDEX zone_snapshots_by_zone ON zone_snapshots (zone_id);

CREATE TABLE zone_snapshot_chunks (
  snapshot_id INTEGER NOT NULL REFERENCES zone_snapshots(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  data        BLOB NOT NULL,
  UNIQUE (snapshot_id, idx)
) STRICT;

CREATE TABLE zone_journal (
  zone_id       INTEGER NOT NULL REFERENCES zone_state(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  unsigned_from INTEGER NOT NULL,
  unsigned_to   INTEGER NOT NULL,
  signed_from   INTEGER NOT NULL,
  signed_to     INTEGER NOT NULL,
  unsigned_diff BLOB NOT NULL,
  signed_diff   BLOB NOT NULL,
  time          INTEGER NOT NULL,
  size          INTEGER NOT NULL,          -- octets of both diffs
  PRIMARY KEY (zone_id, seq)
) STRICT;
)sql";

// Version 3: the key lifecycle of the KASP state machine (policy/
// key_state.hpp): the key's goal, each record's state with the time it was
// entered, predecessor and successor by key id, lifetime, the planned times
// beyond v1's (sync_publish, sync_delete) and what was observed of the DS at
// the parent and of the key's signatures in the zone. v1's one-word state
// gives way to them: a key that was 'active' was used as a key in use
// everywhere (its DNSKEY and signatures omnipresent); its DS was never
// looked for, so it is hidden until the parent is seen to hold it.
// published/active/retired/removed keep their meaning as planned times.
constexpr const char* kV3 = R"sql(
ALTER TABLE keys ADD COLUMN bits INTEGER NOT NULL DEFAULT 0 CHECK (bits BETWEEN 0 AND 65535);
ALTER TABLE keys ADD COLUMN goal TEXT NOT NULL DEFAULT 'omnipresent' CHECK (goal IN ('hidden', 'omnipresent'));
ALTER TABLE keys ADD COLUMN dnskey_state TEXT NOT NULL DEFAULT 'hidden'
  CHECK (dnskey_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive'));
ALTER TABLE keys ADD COLUMN krrsig_state TEXT NOT NULL DEFAULT 'hidden'
  CHECK (krrsig_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive'));
ALTER TABLE keys ADD COLUMN zrrsig_state TEXT NOT NULL DEFAULT 'hidden'
  CHECK (zrrsig_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive'));
ALTER TABLE keys ADD COLUMN ds_state TEXT NOT NULL DEFAULT 'hidden'
  CHECK (ds_state IN ('hidden', 'rumoured', 'omnipresent', 'unretentive'));
ALTER TABLE keys ADD COLUMN dnskey_changed INTEGER;
ALTER TABLE keys ADD COLUMN krrsig_changed INTEGER;
ALTER TABLE keys ADD COLUMN zrrsig_changed INTEGER;
ALTER TABLE keys ADD COLUMN ds_changed INTEGER;
ALTER TABLE keys ADD COLUMN predecessor INTEGER;     -- keys.id
ALTER TABLE keys ADD COLUMN successor INTEGER;       -- keys.id
ALTER TABLE keys ADD COLUMN lifetime INTEGER;        -- seconds; NULL: unlimited
ALTER TABLE keys ADD COLUMN sync_publish INTEGER;
ALTER TABLE keys ADD COLUMN sync_delete INTEGER;
ALTER TABLE keys ADD COLUMN ds_published INTEGER;    -- when every parental agent (or the operator) said so
ALTER TABLE keys ADD COLUMN ds_withdrawn INTEGER;
ALTER TABLE keys ADD COLUMN ds_ttl INTEGER;          -- learned from the parent's answer
ALTER TABLE keys ADD COLUMN signatures_complete INTEGER;
ALTER TABLE keys ADD COLUMN signatures_gone INTEGER;

UPDATE keys SET
  goal = CASE WHEN state IN ('retired', 'removed') THEN 'hidden' ELSE 'omnipresent' END,
  dnskey_state = CASE WHEN state IN ('published', 'ready', 'active', 'retired') THEN 'omnipresent'
                      ELSE 'hidden' END,
  dnskey_changed = COALESCE(published, active),
  krrsig_state = CASE WHEN role != 'zsk' AND state IN ('ready', 'active', 'retired') THEN 'omnipresent'
                      ELSE 'hidden' END,
  krrsig_changed = CASE WHEN role != 'zsk' THEN COALESCE(active, published) END,
  zrrsig_state = CASE WHEN role != 'ksk' AND state IN ('active', 'retired') THEN 'omnipresent'
                      ELSE 'hidden' END,
  zrrsig_changed = CASE WHEN role != 'ksk' THEN active END;
ALTER TABLE keys DROP COLUMN state;
)sql";

// Version 4: the primary's SOA serial beside the versions (REVIEW.md H1).
// The unsigned version carries signerd's own serial (a refresh slice, a
// serial policy moves it), so after a restart the primary's is known only
// from here; NULL (a store from before v4) means unknown, and the next
// transfer is an AXFR.
constexpr const char* kV4 = R"sql(
ALTER TABLE zone_state ADD COLUMN upstream_serial INTEGER
  CHECK (upstream_serial BETWEEN 0 AND 4294967295);
)sql";

constexpr std::array<const char*, kSchemaVersion> kMigrations = {kV1, kV2, kV3, kV4};

Result<int64_t> pragma_int(Database& db, const char* sql) {
  auto stmt = Statement::prepare(db, sql);
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  return *row ? stmt->column_int(0) : 0;
}

// An empty file, or a signerd store: anything else is left alone.
Result<void> check_owner(Database& db) {
  auto app_id = pragma_int(db, "PRAGMA application_id");
  if (!app_id) return std::move(app_id).error();
  if (*app_id == kApplicationId) return base::ok();
  auto tables = pragma_int(db, "SELECT count(*) FROM sqlite_schema");
  if (!tables) return std::move(tables).error();
  if (*app_id != 0 || *tables != 0) {
    return make_error(Errc::malformed,
                      "store " + db.path() + ": an SQLite database, but not a signerd store");
  }
  return base::ok();
}

// PRAGMA takes no bound parameters; `version` is one of our own constants,
// never data, so building this statement from it is safe.
Result<void> apply(Database& db, int version) {
  auto tx = Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  // Re-read under the write lock: another process may have migrated already.
  auto current = db.schema_version();
  if (!current) return std::move(current).error();
  if (*current >= version) return base::ok();
  if (version == 1) SIGNERD_TRY(check_owner(db));
  SIGNERD_TRY(db.exec(kMigrations[static_cast<size_t>(version - 1)]));
  SIGNERD_TRY(db.exec("PRAGMA application_id = " + std::to_string(kApplicationId)));
  SIGNERD_TRY(db.exec("PRAGMA user_version = " + std::to_string(version)));
  return tx->commit();
}

}  // namespace

Result<void> migrate(Database& db) {
  auto version = db.schema_version();
  if (!version) return std::move(version).error();
  if (*version > 0) SIGNERD_TRY(check_owner(db));
  if (*version > kSchemaVersion) {
    return make_error(Errc::unsupported, "store " + db.path() + ": schema version " +
                                             std::to_string(*version) +
                                             " is newer than this signerd supports (" +
                                             std::to_string(kSchemaVersion) + "); upgrade signerd");
  }
  for (int v = *version + 1; v <= kSchemaVersion; ++v) SIGNERD_TRY(apply(db, v));
  return base::ok();
}

}  // namespace signerd::store
