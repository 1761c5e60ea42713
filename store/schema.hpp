// store/schema.hpp — the store's schema and its versioned migrations.
//
// Owns: the list of migrations and the rule for applying them. Does not own:
// connection set-up (store/database.hpp) or reading and writing records.
//
// The version lives in PRAGMA user_version, which SQLite writes in the file
// header inside the same transaction as the migration's DDL: a crash mid-way
// leaves the old schema and the old version together. PRAGMA application_id
// marks the file as a signerd store, so that another program's SQLite file is
// refused instead of being "migrated".
#pragma once

#include <cstdint>

#include "base/result.hpp"

namespace signerd::store {

class Database;

// The schema this build writes and reads. Migration N (1-based) takes a store
// from version N-1 to N; append new ones, never edit a released one.
inline constexpr int kSchemaVersion = 4;
// "SgNd": the PRAGMA application_id of a signerd store.
inline constexpr int32_t kApplicationId = 0x53674e64;

// Brings `db` to kSchemaVersion, one transaction per migration; safe against
// another process migrating the same file at the same time. Errors:
// unsupported (the file's version is newer than kSchemaVersion: this build
// must not touch it), malformed (an SQLite file that is not a signerd store),
// io. Called by Database::open.
base::Result<void> migrate(Database& db);

}  // namespace signerd::store
