// store/database.hpp — RAII over SQLite: connection, prepared statement, transaction.
//
// Owns: Database (one sqlite3 connection, opened with the signerd pragmas and
// migrated to the current schema), Statement (a prepared statement with bound
// parameters) and Transaction (BEGIN IMMEDIATE, rolled back unless committed).
// Does not own: the schema itself (store/schema.hpp) or any typed record
// (store/keys.hpp, store/audit.hpp). sqlite3.h stays out of this header so that
// only store/ sees SQLite.
//
// Thread-safety: a Database and everything prepared on it belong to one
// thread at a time (the connection is opened SQLITE_OPEN_NOMUTEX). Several
// Database objects on the same file may live in different threads or
// processes: WAL mode lets readers proceed while one writer commits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/raii.hpp"
#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace signerd::store {

using base::Error;
using base::Result;

namespace detail {
void close_db(sqlite3* db) noexcept;
void finalize_stmt(sqlite3_stmt* stmt) noexcept;
}  // namespace detail

class Database {
 public:
  // Opens (creating if missing) the store at `path`: the parent directory is
  // created mode 0700 and a new file mode 0600 (WAL and SHM files inherit the
  // file's mode). Then sets journal_mode=WAL, foreign_keys=ON, busy_timeout
  // and synchronous=FULL, and applies every pending schema migration, each in
  // its own transaction. Errors: io (cannot create or open), malformed (not
  // an SQLite file, or an SQLite file that is not a signerd store),
  // unsupported (schema newer than this build). Every detail names `path`.
  static Result<Database> open(const std::string& path);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database() = default;

  // Runs SQL text without parameters (schema, pragmas). Never pass data in
  // `sql`: use Statement and bind. Errors as Statement::step.
  Result<void> exec(const std::string& sql);

  // Schema version recorded in the file (PRAGMA user_version).
  Result<int> schema_version();

  int64_t last_insert_id() const noexcept;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const noexcept;
  const std::string& path() const noexcept { return path_; }

  // An error for the last failed call on this connection, classified by its
  // SQLite code: "store /var/lib/signerd/signerd.db: <what>: <sqlite message>".
  Error last_error(std::string_view what) const;

  sqlite3* handle() const noexcept { return db_.get(); }

 private:
  Database(base::CHandle<sqlite3, &detail::close_db> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  Result<void> configure();
  Result<void> enable_wal();

  base::CHandle<sqlite3, &detail::close_db> db_;
  std::string path_;
};

// A prepared statement. Parameters are 1-based, as in SQL's ?1, ?2. A bind
// failure (a programmer error or an oversized value) is remembered and
// returned by the next step(), so callers check once. It keeps the raw
// connection, not the Database object, so moving the Database is harmless;
// the connection must outlive the Statement.
class Statement {
 public:
  // Errors: internal (the SQL does not compile: a bug), io, malformed.
  static Result<Statement> prepare(Database& db, std::string_view sql);

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::span<const uint8_t> blob);
  Statement& bind(int index, std::optional<int64_t> value);  // nullopt binds NULL
  Statement& bind_null(int index);

  // Advances: true when a row is available, false when done. Errors: conflict
  // (a constraint failed, e.g. a duplicate), io (busy, disk), malformed
  // (corrupt file).
  Result<bool> step();
  // Steps a statement that returns no rows.
  Result<void> run();
  // Clears bindings and rewinds, for reuse.
  void reset() noexcept;

  // Column accessors for the current row; `col` is 0-based.
  int64_t column_int(int col) const noexcept;
  std::optional<int64_t> column_optional_int(int col) const noexcept;
  std::string column_text(int col) const;
  std::vector<uint8_t> column_blob(int col) const;
  // The same into `out`, reusing its capacity: a loop over large blobs then
  // allocates (and faults in) its buffer once, not once per row.
  void column_blob_into(int col, std::vector<uint8_t>& out) const;
  bool column_is_null(int col) const noexcept;

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void note_bind(int rc, int index);

  base::CHandle<sqlite3_stmt, &detail::finalize_stmt> stmt_;
  std::optional<Error> bind_error_;
};

// BEGIN IMMEDIATE: takes the write lock at once, so a transaction never fails
// half-way with SQLITE_BUSY on its first write. Destroying it without commit()
// rolls back, which is how every early error return undoes partial work.
// Begun while another is open on the connection, a Transaction nests as a
// SAVEPOINT: its commit() keeps its work inside the outer transaction, its
// rollback undoes only its own, and nothing is durable before the outer
// commit. So a function that writes in a transaction of its own (append_update)
// joins one its caller opened around it (the zone change and the key states
// that it enacts, committed together). The connection must outlive the
// Transaction.
class Transaction {
 public:
  // Errors: io (another writer held the lock past busy_timeout).
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)), nested_(o.nested_) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // On error the transaction is rolled back by the destructor as usual.
  Result<void> commit();

 private:
  Transaction(sqlite3* db, bool nested) : db_(db), nested_(nested) {}
  sqlite3* db_;
  bool nested_;
};

}  // namespace signerd::store
