// signerd/zone_runtime.hpp — one zone of the running daemon.
//
// Owns: the zone's life in the daemon (shared/DESIGN.md "Data flow"):
// resuming from the store, refreshing from the primaries (SOA, IXFR/AXFR,
// fail-over, refresh and retry timers, NOTIFY in), signing each change
// incrementally, committing unsigned diff, signed diff and serial in one
// transaction, publishing the committed version by an atomic swap, NOTIFY
// out, and re-signing before signatures expire even when the primaries are
// gone. Does not own: the network servers, the signing engine, the store's
// schema.
//
// Concurrency: all work of a zone runs on its own strand of the zone pool
// (one change at a time, zones in parallel). served() and status() may be
// called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>

#include "base/lock_guarded.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/zone_signer.hpp"
#include "policy/kasp.hpp"
#include "signerd/config.hpp"
#include "signerd/daemon_context.hpp"
#include "signerd/zone_status.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd {

class ZoneRuntime : public std::enable_shared_from_this<ZoneRuntime> {
 public:
  ZoneRuntime(DaemonContext& ctx, ZoneConfig config, policy::Kasp kasp);

  // Starts the zone's loop on its strand; `done` runs when the loop ends.
  void start(std::function<void()> done);
  // Asks the loop to end after the step in progress (a commit finishes or
  // rolls back as a whole).
  void stop();
  // A NOTIFY from a primary: refresh now.
  // A primary's NOTIFY: refresh now. With `serial` newer than the zone's,
  // the refresh asks that primary for IXFR at once, without a SOA query
  // first (RFC 1996 3.7 lets the serial serve as a hint; the IXFR answer
  // is authoritative either way).
  void wake(std::optional<std::pair<IpAddress, uint32_t>> notified = std::nullopt);

  const ZoneConfig& config() const noexcept { return config_; }
  std::shared_ptr<const xfr::ServedZone> served() const { return served_.load(); }
  ZoneStatus status() const;

 private:
  asio::awaitable<void> run();
  // Loads keys and the stored zone; publishes what the store holds.
  base::Result<void> resume();
  // One refresh from the primaries; returns true when the primary was reached.
  asio::awaitable<bool> refresh_from_primaries();
  // Signs and commits one change (`change` is in the signing view's
  // serials); publishes and announces it. `refresh`: names whose
  // signatures are due, re-signed with it (a refresh slice).
  base::Result<void> commit_change(const dns::ZoneDiff& change, std::optional<dns::RRset> upstream_soa,
                                   std::string_view why, std::span<const dns::Name> refresh = {});
  base::Result<void> commit_full(std::shared_ptr<const dns::ZoneVersion> upstream, std::string_view why);
  // Re-signs what expires within the refresh window, a slice at a time,
  // each slice a new serial; returns between slices when woken (a NOTIFY
  // or a stop), so that a change waits for one slice at most.
  asio::awaitable<void> refresh_signatures();
  // One slice: true when the walk should go on (the zone's end not reached).
  base::Result<bool> refresh_slice();
  // Commits a new serial with `names` re-signed where due.
  base::Result<void> commit_slice(std::span<const dns::Name> names, bool first_of_pass);
  // True when some RRSIG expires within params_.refresh of `now`.
  bool refresh_due(base::TimePoint now) const;
  void publish(std::shared_ptr<const dns::ZoneVersion> signed_version,
               std::optional<dns::ZoneDiff> signed_diff);
  // NOTIFY of `serial` to every secondary, each until it answers.
  void announce(uint32_t serial);
  asio::awaitable<void> notify_until_answered(asio::ip::udp::endpoint endpoint, const xfr::TsigKey* key,
                                              uint32_t serial, std::string name);
  base::TimePoint next_wakeup(bool primary_reached) const;
  // Keeps the earliest RRSIG expiration (status, refresh timer) current
  // after `signed_diff` (nullptr: a whole new signed version).
  void track_expiry(const dns::ZoneDiff* signed_diff);
  void record_error(std::string message);
  std::string who() const;  // "zone example.com"

  DaemonContext& ctx_;
  ZoneConfig config_;
  policy::Kasp kasp_;
  dnssec::SigningParams params_;
  dnssec::ZoneKeys keys_;
  // The HSM session sign_change uses, kept between changes (strand only).
  std::optional<dnssec::SigningSession> session_;
  asio::strand<asio::thread_pool::executor_type> strand_;
  asio::steady_timer wake_timer_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> woken_{false};
  std::atomic<uint32_t> announced_serial_{0};  // the newest serial announce() was called with

  // Touched only on the strand.
  std::shared_ptr<const dns::ZoneVersion> view_;    // upstream data, SOA serial = signed serial
  std::shared_ptr<const dns::ZoneVersion> signed_;  // what is served
  std::optional<dns::RRset> upstream_soa_;          // the primary's SOA as last transferred
  std::optional<base::TimePoint> last_contact_;     // last time a primary answered
  std::vector<std::shared_ptr<const dns::ZoneDiff>> journal_;
  size_t records_since_compact_ = 0;                        // in the store's journal since its snapshot
  std::optional<uint32_t> earliest_expiration_;             // RRSIG wire time
  std::optional<dns::Name> refresh_from_;                   // where the next refresh slice starts
  std::optional<std::pair<IpAddress, uint32_t>> notified_;  // primary and serial of the last NOTIFY

  std::atomic<std::shared_ptr<const xfr::ServedZone>> served_;
  base::LockGuarded<ZoneStatus> status_;
};

// The earliest RRSIG expiration in `zone` (nullopt: none).
std::optional<base::TimePoint> earliest_signature_expiry(const dns::ZoneVersion& zone, base::TimePoint now);

}  // namespace signerd
