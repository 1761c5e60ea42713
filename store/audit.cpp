#include "store/audit.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace signerd::store {

using base::Errc;
using base::make_error;

Result<int64_t> audit(Database& db, base::TimePoint time, const std::optional<dns::Name>& zone,
                      std::string_view event, std::string_view detail) {
  if (event.empty()) return make_error(Errc::invalid_argument, "audit event must not be empty");
  auto stmt = Statement::prepare(db, "INSERT INTO audit (time, zone, event, detail) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return std::move(stmt).error();
  stmt->bind(1, int64_t{time.time_since_epoch().count()});
  if (zone) {
    stmt->bind(2, zone->lowercased().to_text());
  } else {
    stmt->bind_null(2);
  }
  SIGNERD_TRY(stmt->bind(3, event).bind(4, detail).run());
  return db.last_insert_id();
}

Result<std::vector<AuditEntry>> list_audit(Database& db, const std::optional<dns::Name>& zone, size_t limit) {
  // ?1 IS NULL selects every entry; "zone = NULL" would select none.
  auto stmt = Statement::prepare(db,
                                 "SELECT id, time, zone, event, detail FROM audit "
                                 "WHERE ?1 IS NULL OR zone = ?1 ORDER BY id DESC LIMIT ?2");
  if (!stmt) return std::move(stmt).error();
  if (zone) {
    stmt->bind(1, zone->lowercased().to_text());
  } else {
    stmt->bind_null(1);
  }
  const auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  stmt->bind(2, static_cast<int64_t>(std::min(limit, max)));
  std::vector<AuditEntry> entries;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) return entries;
    AuditEntry e;
    e.id = stmt->column_int(0);
    e.time = base::TimePoint(std::chrono::seconds(stmt->column_int(1)));
    if (!stmt->column_is_null(2)) {
      auto name = dns::Name::from_text(stmt->column_text(2));
      if (!name) return std::move(name).error();
      e.zone = std::move(*name);
    }
    e.event = stmt->column_text(3);
    e.detail = stmt->column_text(4);
    entries.push_back(std::move(e));
  }
}

}  // namespace signerd::store
