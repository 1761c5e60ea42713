// dns/zone_file.hpp — RFC 1035 master files in and out.
//
// Owns: reading a master file (through libzscanner, Knot DNS's parser:
// $ORIGIN, $TTL, $INCLUDE, parentheses, comments, escapes, blank owners, TTL
// and class in either order, RFC 3597 "\#" RDATA) into a ZoneVersion with
// file and line for every error; writing a ZoneVersion in canonical order,
// one record per line, absolute names.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "dns/name.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"

namespace signerd::dns {

struct ZoneFileOptions {
  Name origin;  // the zone's name; also the initial $ORIGIN
  RRClass rclass = RRClass::IN;
  // For a record with no TTL when neither $TTL, an earlier explicit TTL
  // nor the SOA gives one (BIND 9's rules: see zone_file.cpp). Unset, such a
  // record is an error, as in BIND.
  std::optional<uint32_t> default_ttl;
  ZoneLimits limits;
  size_t max_errors = 100;    // stop reporting after this many
  bool allow_include = true;  // $INCLUDE
};

struct ZoneFileError {
  std::string file;  // as given, or "<string>"
  uint64_t line = 0;
  std::string message;
  std::string to_string() const;  // "zone.db:12: bad TTL"
};

struct ZoneFileResult {
  std::shared_ptr<const ZoneVersion> zone;  // null when errors is not empty
  std::vector<ZoneFileError> errors;
  std::vector<std::string> warnings;
};

// Errors carry the file (an $INCLUDEd file by the path zscanner opened) and
// the line where zscanner stopped (a multi-line record's last line); errors
// of the whole zone (no SOA, CNAME and other data) have line 0. Reading
// continues after an error, up to options.max_errors. Relative $INCLUDE
// paths are relative to the including file (to the working directory for
// text). Thread-safe: no shared state.
ZoneFileResult read_zone_file(const std::string& path, const ZoneFileOptions& options);
ZoneFileResult read_zone_text(std::string_view text, const ZoneFileOptions& options);

// One record as read, before any zone-level check.
struct ParsedRecord {
  NameView owner;
  RRType type;
  RRClass rclass;
  uint32_t ttl;
  std::span<const uint8_t> rdata;  // uncompressed wire
  uint64_t line;
};
// Streams the records of master-file text to `sink`; the views are valid
// only during the call. Stops at the first error, which carries the line.
// $INCLUDE is refused (text may come from anywhere).
Result<void> parse_zone_text(std::string_view text, const Name& origin, uint32_t default_ttl,
                             const std::function<void(const ParsedRecord&)>& sink);

// Canonical order, absolute names, one record per line:
// "<owner> <ttl> <class> <type> <rdata>\n".
void write_zone(const ZoneVersion& zone, std::string& out);
// Atomic: writes a temporary file beside `path` and renames it over `path`
// only when complete and synced; on failure `path` is untouched. Errc::io.
Result<void> write_zone_file(const ZoneVersion& zone, const std::string& path);

}  // namespace signerd::dns
