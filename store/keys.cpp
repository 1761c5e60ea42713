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

template <class E, size_t N>
Result<E> from_names(const std::array<std::string_view, N>& names, std::string_view text, const char* what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return make_error(Errc::malformed, std::string("unknown key ") + what + " '" + std::string(text) + "'");
}

// The lifecycle columns, in the order of bind_lifecycle and read_lifecycle.
constexpr std::array<std::string_view, 23> kLifecycleColumns = {"published",      "active",
                                                                "retired",        "removed",
                                                                "sync_publish",   "sync_delete",
                                                                "goal",           "dnskey_state",
                                                                "krrsig_state",   "zrrsig_state",
                                                                "ds_state",       "dnskey_changed",
                                                                "krrsig_changed", "zrrsig_changed",
                                                                "ds_changed",     "predecessor",
                                                                "successor",      "lifetime",
                                                                "ds_published",   "ds_withdrawn",
                                                                "ds_ttl",         "signatures_complete",
                                                                "signatures_gone"};
constexpr int kLifecycleCount = static_cast<int>(kLifecycleColumns.size());

// The lifecycle columns joined for SQL, each as `item(column, i)` makes it.
template <class Item>
std::string lifecycle_list(Item item) {
  std::string out;
  for (int i = 0; i < kLifecycleCount; ++i) {
    if (i > 0) out += ", ";
    out += item(std::string(kLifecycleColumns[static_cast<size_t>(i)]), i);
  }
  return out;
}
std::string lifecycle_columns(std::string_view prefix) {
  return lifecycle_list([&](const std::string& col, int) { return std::string(prefix) + col; });
}
std::string lifecycle_params(int first) {
  return lifecycle_list([&](const std::string&, int i) { return "?" + std::to_string(first + i); });
}
std::string lifecycle_assignments(int first) {
  return lifecycle_list(
      [&](const std::string& col, int i) { return col + " = ?" + std::to_string(first + i); });
}

// Column order shared by every key query and read_key: the lifecycle from
// kLifecycleColumn on, `created` after it.
const std::string kSelectKeys =
    "SELECT k.id, z.name, k.backend, k.ref, k.algorithm, k.bits, k.role, k.flags, k.key_tag, k.public_key, " +
    lifecycle_columns("k.") + ", k.created FROM keys k JOIN zones z ON z.id = k.zone_id ";
constexpr int kLifecycleColumn = 10;
constexpr int kCreatedColumn = kLifecycleColumn + kLifecycleCount;

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

std::optional<int64_t> optional_seconds(const std::optional<policy::Seconds>& d) {
  return d ? std::optional<int64_t>(d->count()) : std::nullopt;
}

// Binds the lifecycle to parameters first .. first + kLifecycleCount - 1.
void bind_lifecycle(Statement& stmt, int first, const policy::KeyLifecycle& life) {
  int i = first;
  const auto& p = life.planned;
  for (const auto* t : {&p.publish, &p.active, &p.retire, &p.remove, &p.sync_publish, &p.sync_delete})
    stmt.bind(i++, to_unix(*t));
  stmt.bind(i++, policy::goal_name(life.goal));
  for (policy::Record r : policy::kAllRecords) stmt.bind(i++, policy::state_name(life.state(r)));
  for (policy::Record r : policy::kAllRecords) stmt.bind(i++, to_unix(life.changed(r)));
  for (auto value : {life.predecessor, life.successor, optional_seconds(life.lifetime),
                     to_unix(life.ds.published), to_unix(life.ds.withdrawn), optional_seconds(life.ds.ttl),
                     to_unix(life.signatures.complete), to_unix(life.signatures.gone)})
    stmt.bind(i++, value);
}

Result<policy::KeyLifecycle> read_lifecycle(const Statement& stmt, int first) {
  policy::KeyLifecycle life;
  int i = first;
  auto& p = life.planned;
  for (auto* t : {&p.publish, &p.active, &p.retire, &p.remove, &p.sync_publish, &p.sync_delete})
    *t = optional_time(stmt, i++);
  auto goal = policy::goal_from_text(stmt.column_text(i++));
  if (!goal) return make_error(Errc::malformed, "unknown key goal");
  life.goal = *goal;
  for (policy::Record r : policy::kAllRecords) {
    auto state = policy::state_from_text(stmt.column_text(i++));
    if (!state) return make_error(Errc::malformed, "unknown key record state");
    life.states[static_cast<size_t>(r)] = *state;
  }
  for (policy::Record r : policy::kAllRecords)
    life.last_change[static_cast<size_t>(r)] = optional_time(stmt, i++);
  life.predecessor = stmt.column_optional_int(i++);
  life.successor = stmt.column_optional_int(i++);
  if (auto lifetime = stmt.column_optional_int(i++)) life.lifetime = policy::Seconds(*lifetime);
  life.ds.published = optional_time(stmt, i++);
  life.ds.withdrawn = optional_time(stmt, i++);
  if (auto ttl = stmt.column_optional_int(i++)) life.ds.ttl = policy::Seconds(*ttl);
  life.signatures.complete = optional_time(stmt, i++);
  life.signatures.gone = optional_time(stmt, i++);
  return life;
}

Result<KeyRecord> read_key(const Statement& stmt) {
  KeyRecord key;
  key.id = stmt.column_int(0);
  auto zone = dns::Name::from_text(stmt.column_text(1));
  if (!zone) return std::move(zone).error();
  key.zone = std::move(*zone);
  auto backend = key_backend_from_string(stmt.column_text(2));
  if (!backend) return std::move(backend).error();
  auto role = policy::role_from_text(stmt.column_text(6));
  if (!role) return make_error(Errc::malformed, "unknown key role '" + stmt.column_text(6) + "'");
  auto life = read_lifecycle(stmt, kLifecycleColumn);
  if (!life) return std::move(life).error();
  key.backend = *backend;
  key.ref = stmt.column_text(3);
  // CHECK constraints in the schema keep these in range.
  key.algorithm = static_cast<uint8_t>(stmt.column_int(4));
  key.bits = static_cast<uint16_t>(stmt.column_int(5));
  key.role = *role;
  key.flags = static_cast<uint16_t>(stmt.column_int(7));
  key.key_tag = static_cast<uint16_t>(stmt.column_int(8));
  key.public_key = stmt.column_blob(9);
  key.life = std::move(*life);
  key.created = from_unix(stmt.column_int(kCreatedColumn));
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

Result<KeyBackend> key_backend_from_string(std::string_view text) {
  return from_names<KeyBackend>(kBackends, text, "backend");
}

policy::ZoneKey to_zone_key(const KeyRecord& key) {
  return policy::ZoneKey{key.id, key.key_tag, key.algorithm, key.bits, key.role, key.life};
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
  auto stmt =
      Statement::prepare(db,
                         "INSERT INTO keys (zone_id, backend, ref, algorithm, bits, role, flags, key_tag, "
                         "public_key, created, " +
                             lifecycle_columns("") + ") SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, " +
                             lifecycle_params(11) + " FROM zones WHERE name = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, zone_key(key.zone)).bind(2, to_string(key.backend)).bind(3, key.ref);
  stmt->bind(4, int64_t{key.algorithm}).bind(5, int64_t{key.bits}).bind(6, policy::role_name(key.role));
  stmt->bind(7, int64_t{key.flags}).bind(8, int64_t{key.key_tag});
  stmt->bind(9, std::span<const uint8_t>(key.public_key)).bind(10, to_unix(key.created));
  bind_lifecycle(*stmt, 11, key.life);
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

Result<void> set_key_lifecycle(Database& db, int64_t id, const policy::KeyLifecycle& life) {
  auto stmt = Statement::prepare(db, "UPDATE keys SET " + lifecycle_assignments(2) + " WHERE id = ?1");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, id);
  bind_lifecycle(*stmt, 2, life);
  SIGNERD_TRY(stmt->run());
  return expect_one_change(db, "set key lifecycle", id);
}

Result<void> remove_key(Database& db, int64_t id) {
  auto stmt = Statement::prepare(db, "DELETE FROM keys WHERE id = ?1");
  if (!stmt) return std::move(stmt).error();
  SIGNERD_TRY(stmt->bind(1, id).run());
  return expect_one_change(db, "remove key", id);
}

}  // namespace signerd::store
