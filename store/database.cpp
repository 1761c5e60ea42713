#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/assert.hpp"
#include "store/schema.hpp"

namespace signerd::store {

using base::Errc;
using base::make_error;

namespace detail {
void close_db(sqlite3* db) noexcept { sqlite3_close_v2(db); }
void finalize_stmt(sqlite3_stmt* stmt) noexcept { sqlite3_finalize(stmt); }
}  // namespace detail

namespace {

// Lock waits up to this long before a write reports busy: long enough for
// another connection's commit of a large signed diff, short enough that a
// stuck writer surfaces as an error instead of a hang.
constexpr int kBusyTimeoutMs = 10'000;

Errc errc_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Errc::conflict;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return Errc::malformed;
    case SQLITE_TOOBIG: return Errc::out_of_range;
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE: return Errc::internal;
    default: return Errc::io;
  }
}

Error sqlite_error(sqlite3* db, std::string_view path, std::string_view what) {
  std::string detail = "store ";
  detail += path;
  detail += ": ";
  detail += what;
  detail += ": ";
  detail += db ? sqlite3_errmsg(db) : "out of memory";
  return make_error(errc_for(db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM), std::move(detail));
}

std::string_view db_path(sqlite3* db) {
  const char* name = sqlite3_db_filename(db, "main");
  return name ? name : "";
}

// SQLite would create the file with the umask's mode (often 0644); a store
// holds key metadata and the audit trail, so it is made 0600 here first.
Result<void> create_private_file(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (!ec) fs::permissions(dir, fs::perms::owner_all, ec);
    if (ec) return make_error(Errc::io, "store " + path + ": creating " + dir.string() + ": " + ec.message());
  }
  // O_NOFOLLOW: a symlink planted in the state directory is refused.
  base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return make_error(Errc::io, "store " + path + ": " + std::strerror(errno));
  return base::ok();
}

}  // namespace

Result<Database> Database::open(const std::string& path) {
  SIGNERD_TRY(create_private_file(path));
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands back a handle even on failure; it must be closed.
  Database db(base::CHandle<sqlite3, &detail::close_db>(raw), path);
  if (rc != SQLITE_OK) return db.last_error("opening");
  SIGNERD_TRY(db.configure());
  SIGNERD_TRY(migrate(db));
  return db;
}

// synchronous=FULL, not NORMAL: in WAL mode NORMAL may lose the last commits
// on power failure. A signed serial that was already served and NOTIFYed,
// then lost, would be re-signed with different content under the same
// serial, and secondaries would keep the divergent copy. FULL costs one
// fsync per commit, and commits are per zone change, not per record.
Result<void> Database::configure() {
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  SIGNERD_TRY(enable_wal());
  SIGNERD_TRY(exec("PRAGMA foreign_keys=ON"));
  SIGNERD_TRY(exec("PRAGMA synchronous=FULL"));
  return base::ok();
}

// Switching a fresh file to WAL upgrades to an exclusive lock. Two
// connections doing it at once deadlock on that upgrade, and SQLite then
// answers SQLITE_BUSY at once instead of calling the busy handler; so this
// retries, within the busy_timeout budget. It is also the first read of the
// file: a file that is not SQLite fails here.
Result<void> Database::enable_wal() {
  constexpr int kPauseMs = 5;
  for (int waited_ms = 0;; waited_ms += kPauseMs) {
    auto mode = Statement::prepare(*this, "PRAGMA journal_mode=WAL");
    Result<bool> row = mode ? mode->step() : Result<bool>(std::move(mode).error());
    if (row) {
      if (*row && mode->column_text(0) == "wal") return base::ok();
      return make_error(Errc::io, "store " + path_ + ": the file system does not support WAL mode");
    }
    if (row.error().code == Errc::malformed) return last_error("not a usable SQLite database");
    const bool busy = (sqlite3_errcode(db_.get()) & 0xff) == SQLITE_BUSY;
    if (!busy || waited_ms >= kBusyTimeoutMs) return std::move(row).error();
    std::this_thread::sleep_for(std::chrono::milliseconds(kPauseMs));
  }
}

Result<void> Database::exec(const std::string& sql) {
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return last_error("executing SQL");
  }
  return base::ok();
}

Result<int> Database::schema_version() {
  auto stmt = Statement::prepare(*this, "PRAGMA user_version");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) return make_error(Errc::internal, "store " + path_ + ": PRAGMA user_version returned no row");
  return static_cast<int>(stmt->column_int(0));
}

int64_t Database::last_insert_id() const noexcept { return sqlite3_last_insert_rowid(db_.get()); }
int64_t Database::changes() const noexcept { return sqlite3_changes64(db_.get()); }

Error Database::last_error(std::string_view what) const { return sqlite_error(db_.get(), path_, what); }

Result<Statement> Statement::prepare(Database& db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  Statement stmt(raw);
  if (rc != SQLITE_OK) return db.last_error("preparing statement");
  if (!raw) return make_error(Errc::internal, "store " + db.path() + ": empty SQL statement");
  return stmt;
}

void Statement::note_bind(int rc, int index) {
  if (rc == SQLITE_OK || bind_error_) return;
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  bind_error_ = sqlite_error(db, db_path(db), "binding parameter " + std::to_string(index));
}

Statement& Statement::bind(int index, int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

// A null data pointer would bind SQL NULL; an empty value must stay a value.
Statement& Statement::bind(int index, std::string_view text) {
  const char* data = text.data() ? text.data() : "";
  note_bind(sqlite3_bind_text64(stmt_.get(), index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}

Statement& Statement::bind(int index, std::span<const uint8_t> blob) {
  const int rc = blob.empty()
                     ? sqlite3_bind_zeroblob(stmt_.get(), index, 0)
                     : sqlite3_bind_blob64(stmt_.get(), index, blob.data(), blob.size(), SQLITE_TRANSIENT);
  note_bind(rc, index);
  return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_) {
    Error e = std::move(*bind_error_);
    bind_error_.reset();
    return e;
  }
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return sqlite_error(db, db_path(db), "executing statement");
}

Result<void> Statement::run() {
  auto row = step();
  if (!row) return std::move(row).error();
  return base::ok();
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_.reset();
}

int64_t Statement::column_int(int col) const noexcept { return sqlite3_column_int64(stmt_.get(), col); }

std::optional<int64_t> Statement::column_optional_int(int col) const noexcept {
  if (column_is_null(col)) return std::nullopt;
  return column_int(col);
}

// sqlite3_column_bytes must follow the pointer fetch: it reports the size of
// the value in the representation the fetch produced.
std::string Statement::column_text(int col) const {
  const auto* text = sqlite3_column_text(stmt_.get(), col);
  if (!text) return {};
  const auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col));
  return std::string(reinterpret_cast<const char*>(text), size);
}

std::vector<uint8_t> Statement::column_blob(int col) const {
  std::vector<uint8_t> out;
  column_blob_into(col, out);
  return out;
}

void Statement::column_blob_into(int col, std::vector<uint8_t>& out) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_.get(), col));
  const auto size = data ? static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)) : 0;
  out.assign(data, data + size);
}

bool Statement::column_is_null(int col) const noexcept {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

// One savepoint name serves every depth: SQLite resolves RELEASE and
// ROLLBACK TO to the innermost savepoint of that name.
constexpr const char* kSavepoint = "signerd_nested";

Result<Transaction> Transaction::begin(Database& db) {
  if (sqlite3_get_autocommit(db.handle()) == 0) {
    if (sqlite3_exec(db.handle(), (std::string("SAVEPOINT ") + kSavepoint).c_str(), nullptr, nullptr,
                     nullptr) != SQLITE_OK)
      return db.last_error("beginning nested transaction");
    return Transaction(db.handle(), true);
  }
  if (sqlite3_exec(db.handle(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db.last_error("beginning transaction");
  }
  return Transaction(db.handle(), false);
}

Transaction::~Transaction() {
  // Failure here leaves nothing to do: SQLite rolls back an open transaction
  // when the connection closes, and on the next open after a crash.
  if (!db_) return;
  if (nested_) {
    const std::string undo = std::string("ROLLBACK TO ") + kSavepoint + "; RELEASE " + kSavepoint;
    sqlite3_exec(db_, undo.c_str(), nullptr, nullptr, nullptr);
  } else {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  SIGNERD_ASSERT(db_ != nullptr);  // committed twice, or used after a move
  const std::string sql = nested_ ? std::string("RELEASE ") + kSavepoint : std::string("COMMIT");
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlite_error(db_, db_path(db_), "committing transaction");
  }
  db_ = nullptr;
  return base::ok();
}

}  // namespace signerd::store
