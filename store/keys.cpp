#include "store/keys.hpp"

#include <array>
#include <chrono>
#include <span>
#include <utility>

namespace signerd::store {

using base::Errc;
using base::make_error;

namespace {

constexpr std::array<std::string_view, 2> kBackends = {"pkcs11", "pem"};
constexpr std::array<std::string_view, 3> kRoles = {"ksk", "zsk", "csk"};
constexpr std::array<std::string_view, 6> kStates = {"generated", "published", "ready",
                                                     "active",    "retired",   "removed"};

template <class E, size_t N>
Result<E> from_names(const std::array<std::string_view, N>& names, std::string_view text, const char* what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return make_error(Errc::malformed, std::string("unknown key ") + what + " '" + std::string(text) + "'");
}

// Column order shared by every key query and read_key.
constexpr std::string_view kSelectKeys =
    "SELECT k.id, z.name, k.backend, k.ref, k.algorithm, k.role, k.flags, k.key_tag, k.public_key, "
    "k.state, k.created, k.published, k.active, k.retired, k.removed "
    "FROM keys k JOIN zones z ON z.id = k.zone_id ";

int64_t to_unix(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_unix(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

std::optional<int64_t> to_unix(const std::optional<TimePoint>& t) {
  return t ? std::optional<int64_t>(to_unix(*t)) : std::nullopt;
}
std::optional<TimePoint> optional_time(const Statement& stmt, int col) {
  auto v = stmt.column_optional_int(col);
  return v ? std::optional<TimePoint>(from_unix(*v)) : std::nullopt;
}

std::string zone_key(const dns::Name& zone) { return zone.lowercased().to_text(); }

// The ref is never echoed in these messages: it may be exactly the secret
// being refused.
Result<void> check_ref(KeyBackend backend, std::string_view ref) {
  constexpr size_t kMaxRef = 2048;
  if (ref.empty() || ref.size() > kMaxRef) {
    return make_error(Errc::invalid_argument, "key reference must be 1 to 2048 characters");
  }
  for (std::string_view bad : {"\n", "-----BEGIN", "PRIVATE KEY"}) {
    if (ref.find(bad) != std::string_view::npos) {
      return make_error(Errc::invalid_argument, "key reference looks like key material; store a reference");
    }
  }
  if (backend == KeyBackend::pkcs11) {
    if (!ref.starts_with("pkcs11:")) {
      return make_error(Errc::invalid_argument, "pkcs11 key reference must be a pkcs11: URI (RFC 7512)");
    }
    if (ref.find("pin-value") != std::string_view::npos) {
      return make_error(Errc::invalid_argument,
                        "pkcs11 URI carries a PIN (pin-value); PINs are never stored");
    }
  }
  return base::ok();
}

Result<KeyRecord> read_key(const Statement& stmt) {
  KeyRecord key;
  key.id = stmt.column_int(0);
  auto zone = dns::Name::from_text(stmt.column_text(1));
  if (!zone) return std::move(zone).error();
  key.zone = std::move(*zone);
  auto backend = key_backend_from_string(stmt.column_text(2));
  auto role = key_role_from_string(stmt.column_text(5));
  auto state = key_state_from_string(stmt.column_text(9));
  if (!backend) return std::move(backend).error();
  if (!role) return std::move(role).error();
  if (!state) return std::move(state).error();
  key.backend = *backend;
  key.ref = stmt.column_text(3);
  // CHECK constraints in the schema keep these in range.
  key.algorithm = static_cast<uint8_t>(stmt.column_int(4));
  key.role = *role;
  key.flags = static_cast<uint16_t>(stmt.column_int(6));
  key.key_tag = static_cast<uint16_t>(stmt.column_int(7));
  key.public_key = stmt.column_blob(8);
  key.state = *state;
  key.created = from_unix(stmt.column_int(10));
  key.published = optional_time(stmt, 11);
  key.active = optional_time(stmt, 12);
  key.retired = optional_time(stmt, 13);
  key.removed = optional_time(stmt, 14);
  return key;
}

Result<std::vector<KeyRecord>> collect(Statement& stmt) {
  std::vector<KeyRecord> keys;
  for (;;) {
    auto row = stmt.step();
    if (!row) return std::move(row).error();
    if (!*row) return keys;
    auto key = read_key(stmt);
    if (!key) return std::move(key).error();
    keys.push_back(std::move(*key));
  }
}

Result<void> expect_one_change(Database& db, std::string_view what, int64_t id) {
  if (db.changes() == 0) {
    return make_error(Errc::not_found, "store " + db.path() + ": " + std::string(what) + ": no key with id " +
                                           std::to_string(id));
  }
  return base::ok();
}

}  // namespace

std::string_view to_string(KeyBackend backend) noexcept { return kBackends[static_cast<size_t>(backend)]; }
std::string_view to_string(KeyRole role) noexcept { return kRoles[static_cast<size_t>(role)]; }
std::string_view to_string(KeyState state) noexcept { return kStates[static_cast<size_t>(state)]; }

Result<KeyBackend> key_backend_from_string(std::string_view text) {
  return from_names<KeyBackend>(kBackends, text, "backend");
}
Result<KeyRole> key_role_from_string(std::string_view text) {
  return from_names<KeyRole>(kRoles, text, "role");
}
Result<KeyState> key_state_from_string(std::string_view text) {
  return from_names<KeyState>(kStates, text, "state");
}

Result<int64_t> ensure_zone(Database& db, const dns::Name& zone, TimePoint now) {
  const std::string name = zone_key(zone);
  auto insert =
      Statement::prepare(db, "INSERT INTO zones (name, created) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!insert) return std::move(insert).error();
  SIGNERD_TRY(insert->bind(1, name).bind(2, to_unix(now)).run());
  auto select = Statement::prepare(db, "SELECT id FROM zones WHERE name = ?1");
  if (!select) return std::move(select).error();
  auto row = select->bind(1, name).step();
  if (!row) return std::move(row).error();
  if (!*row)
    return make_error(Errc::internal, "store " + db.path() + ": zone " + name + " vanished after insert");
  return select->column_int(0);
}

Result<int64_t> add_key(Database& db, const KeyRecord& key) {
  SIGNERD_TRY(check_ref(key.backend, key.ref));
  // INSERT ... SELECT: no row is inserted when the zone is unknown.
  auto stmt = Statement::prepare(db,
                                 "INSERT INTO keys (zone_id, backend, ref, algorithm, role, flags, key_tag, "
                                 "public_key, state, created, published, active, retired, removed) "
                                 "SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 "
                                 "FROM zones WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, zone_key(key.zone)).bind(2, to_string(key.backend)).bind(3, key.ref);
  stmt->bind(4, int64_t{key.algorithm}).bind(5, to_string(key.role)).bind(6, int64_t{key.flags});
  stmt->bind(7, int64_t{key.key_tag}).bind(8, std::span<const uint8_t>(key.public_key));
  stmt->bind(9, to_string(key.state)).bind(10, to_unix(key.created)).bind(11, to_unix(key.published));
  stmt->bind(12, to_unix(key.active)).bind(13, to_unix(key.retired)).bind(14, to_unix(key.removed));
  SIGNERD_TRY(stmt->run());
  if (db.changes() == 0) {
    return make_error(Errc::not_found,
                      "store " + db.path() + ": zone " + zone_key(key.zone) + " is not in the store");
  }
  return db.last_insert_id();
}

Result<std::vector<KeyRecord>> list_keys(Database& db, const dns::Name& zone) {
  auto stmt = Statement::prepare(db, std::string(kSelectKeys) + "WHERE z.name = ?1 ORDER BY k.id");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, zone_key(zone));
  return collect(*stmt);
}

Result<KeyRecord> find_key(Database& db, const dns::Name& zone, std::string_view ref) {
  auto stmt = Statement::prepare(db, std::string(kSelectKeys) + "WHERE z.name = ?1 AND k.ref = ?2");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, zone_key(zone)).bind(2, ref);
  auto keys = collect(*stmt);
  if (!keys) return std::move(keys).error();
  if (keys->empty()) {
    return make_error(Errc::not_found,
                      "store " + db.path() + ": zone " + zone_key(zone) + ": no key with that reference");
  }
  return std::move(keys->front());
}

Result<std::vector<KeyRecord>> find_keys_by_tag(Database& db, const dns::Name& zone, uint16_t key_tag) {
  auto stmt =
      Statement::prepare(db, std::string(kSelectKeys) + "WHERE z.name = ?1 AND k.key_tag = ?2 ORDER BY k.id");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, zone_key(zone)).bind(2, int64_t{key_tag});
  return collect(*stmt);
}

// One statement for every state: the CASEs stamp only the column that
// matches ?2, so no SQL is chosen or built at run time.
Result<void> set_key_state(Database& db, int64_t id, KeyState state, TimePoint when) {
  auto stmt = Statement::prepare(db,
                                 "UPDATE keys SET state = ?2, "
                                 "published = CASE ?2 WHEN 'published' THEN ?3 ELSE published END, "
                                 "active = CASE ?2 WHEN 'active' THEN ?3 ELSE active END, "
                                 "retired = CASE ?2 WHEN 'retired' THEN ?3 ELSE retired END, "
                                 "removed = CASE ?2 WHEN 'removed' THEN ?3 ELSE removed END "
                                 "WHERE id = ?1");
  if (!stmt) return std::move(stmt).error();
  SIGNERD_TRY(stmt->bind(1, id).bind(2, to_string(state)).bind(3, to_unix(when)).run());
  return expect_one_change(db, "set key state", id);
}

Result<void> remove_key(Database& db, int64_t id) {
  auto stmt = Statement::prepare(db, "DELETE FROM keys WHERE id = ?1");
  if (!stmt) return std::move(stmt).error();
  SIGNERD_TRY(stmt->bind(1, id).run());
  return expect_one_change(db, "remove key", id);
}

}  // namespace signerd::store
