// xfr/zone_catalog.hpp — what the authoritative side asks the daemon.
//
// Owns: the interface between the network (xfr/auth_server) and the
// daemon's zones (signerd/): the published signed version of a zone with
// the journal of signed diffs that leads to it, the transfer ACL decision,
// and what to do with a NOTIFY. Does not own: any zone state.
//
// Thread-safety: implementations are called from the network thread while
// zones are being updated on other threads; every method must be safe to
// call concurrently with publication (the daemon swaps a shared_ptr).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dns/name.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_version.hpp"
#include "xfr/asio.hpp"
#include "xfr/tsig.hpp"

namespace signerd::xfr {

// One published state of a zone: immutable once published, replaced whole.
struct ServedZone {
  std::shared_ptr<const dns::ZoneVersion> signed_version;
  // Consecutive signed diffs ending at signed_version's serial, oldest
  // first (journal[i].to == journal[i + 1].from); may be empty. IXFR out
  // answers from the first diff whose `from` is the client's serial, and
  // falls back to AXFR when none is (RFC 1995 section 4).
  std::vector<std::shared_ptr<const dns::ZoneDiff>> journal;
};

enum class NotifyVerdict : uint8_t {
  accepted,  // answer NOERROR (the daemon acts on it)
  refused,   // not a primary of this zone: REFUSED
  not_auth,  // a zone we do not serve: NOTAUTH
};

class ZoneCatalog {
 public:
  virtual ~ZoneCatalog() = default;

  // The zone's published state, or null when `zone` is not served (not
  // configured, or nothing signed and committed yet).
  virtual std::shared_ptr<const ServedZone> find(dns::NameView zone) const = 0;

  // May `from`, whose request was signed by `key` (null: unsigned), transfer
  // `zone`? (the zone's allow-transfer ACL).
  virtual bool allow_transfer(dns::NameView zone, const asio::ip::address& from,
                              const TsigKey* key) const = 0;

  // A NOTIFY for `zone` from `from` signed by `key` (null: unsigned), with
  // the SOA serial it carried if any (RFC 1996 section 3.7). Must not block:
  // the daemon schedules the refresh and returns.
  virtual NotifyVerdict on_notify(dns::NameView zone, const asio::ip::address& from, const TsigKey* key,
                                  std::optional<uint32_t> serial) = 0;
};

}  // namespace signerd::xfr
