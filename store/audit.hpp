// store/audit.hpp — the append-only audit trail.
//
// Owns: AuditEntry, audit() and list_audit(). Does not own: deciding what is
// worth recording (callers: key events, signing runs, operator commands).
//
// Never put a secret (PIN, TSIG secret, private key) in `event` or `detail`:
// the trail is meant to be read by operators and copied into tickets.
// Functions join the caller's open Transaction, if any. Thread-safety: as
// Database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "dns/name.hpp"
#include "store/database.hpp"

namespace signerd::store {

struct AuditEntry {
  int64_t id = 0;
  base::TimePoint time{};
  std::optional<dns::Name> zone;  // nullopt: a server-wide event
  std::string event;              // short machine-friendly tag: "key-added", "zone-signed"
  std::string detail;             // operator-readable

  bool operator==(const AuditEntry&) const = default;
};

// Appends an entry and returns its id. Errors: invalid_argument (empty
// event), io.
Result<int64_t> audit(Database& db, base::TimePoint time, const std::optional<dns::Name>& zone,
                      std::string_view event, std::string_view detail);

// The newest `limit` entries, newest first: those of `zone`, or of every zone
// and none when `zone` is nullopt. Errors: malformed, io.
Result<std::vector<AuditEntry>> list_audit(Database& db, const std::optional<dns::Name>& zone, size_t limit);

}  // namespace signerd::store
