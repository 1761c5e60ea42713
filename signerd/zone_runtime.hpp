// signerd/zone_runtime.hpp — one zone of the running daemon.
//
// Owns: the zone's life in the daemon (shared/DESIGN.md "Data flow"), one
// event per file as Knot's knot/events/handlers do:
//   zone_runtime.cpp  start, stop, wake-ups, resuming from the store, the loop
//   zone_refresh.cpp  refresh from the primaries (SOA, IXFR/AXFR, fail-over)
//   zone_commit.cpp   the one commit path: sign -> store -> publish -> NOTIFY
//   zone_resign.cpp   signature refresh in slices
//   zone_notify.cpp   NOTIFY out, until answered
// The pure steps they use are in zone_steps.hpp and zone_timers.hpp. Does
// not own: the network servers, the signing engine, the store's schema.
//
// Concurrency: all work of a zone runs on its own strand of the zone pool
// (one change at a time, zones in parallel). served() and status() may be
// called from any thread; NOTIFY out runs on the network thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "base/lock_guarded.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/zone_signer.hpp"
#include "policy/kasp.hpp"
#include "signerd/config.hpp"
#include "signerd/daemon_context.hpp"
#include "signerd/zone_status.hpp"
#include "xfr/transfer_in.hpp"
#include "xfr/tsig.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd {

// One change on its way through the commit path (README "Data flow" steps
// 3 to 5), whatever made it: the primary, a refresh slice, a key event.
struct ZoneChange {
  // A change of the signing view (signed incrementally where it can be),
  // or a whole new signing view while the zone has none (signed whole).
  std::variant<dns::ZoneDiff, std::shared_ptr<const dns::ZoneVersion>> content;
  std::optional<dns::RRset> upstream_soa;  // the primary's SOA this change brings
  std::string why;                         // for the log: "IXFR from 192.0.2.1@53 (…)"
  std::span<const dns::Name> refresh;      // names whose signatures are due (a refresh slice)
};

class ZoneRuntime : public std::enable_shared_from_this<ZoneRuntime> {
 public:
  ZoneRuntime(DaemonContext& ctx, ZoneConfig config, policy::Kasp kasp);

  // Starts the zone's loop on its strand; `done` runs when the loop ends.
  void start(std::function<void()> done);
  // Asks the loop to end after the step in progress (a commit finishes or
  // rolls back as a whole).
  void stop();
  // A primary's NOTIFY: refresh now. With `serial` newer than the zone's,
  // the refresh asks that primary for IXFR at once, without a SOA query
  // first (RFC 1996 3.7 lets the serial serve as a hint; the IXFR answer
  // is authoritative either way).
  void wake(std::optional<std::pair<IpAddress, uint32_t>> notified = std::nullopt);

  const ZoneConfig& config() const noexcept { return config_; }
  std::shared_ptr<const xfr::ServedZone> served() const { return served_.load(); }
  ZoneStatus status() const;

 private:
  // What the signing step made of a ZoneChange.
  struct SignedChange {
    std::shared_ptr<const dns::ZoneVersion> unsigned_next, signed_next;
    std::optional<dns::ZoneDiff> signed_diff;  // nullopt: a whole new zone (a snapshot, no journal entry)
    uint64_t signatures_made = 0;
    bool whole_zone_pass = false;
    std::chrono::steady_clock::duration signing{};
  };

  // zone_runtime.cpp
  asio::awaitable<void> run();
  // Loads keys and the stored zone; publishes and announces what the store holds.
  base::Result<void> resume();
  void record_error(std::string message);
  std::string who() const;  // "zone example.com"

  // zone_refresh.cpp: one refresh from the primaries; true when one answered.
  asio::awaitable<bool> refresh_from_primaries();
  // Commits what a transfer brought. `took` is for the log.
  base::Result<void> apply_transfer(xfr::TransferResult& transfer, const std::string& peer,
                                    const std::string& took);
  void note_transfer(std::string_view kind, std::string_view result, const std::string& peer);
  // Past the SOA expire without a primary: say so (and keep serving).
  void check_upstream_expiry();

  // zone_commit.cpp: the commit path.
  base::Result<void> commit(const ZoneChange& change);
  base::Result<SignedChange> sign(const ZoneChange& change);
  base::Result<SignedChange> sign_whole(std::shared_ptr<const dns::ZoneVersion> view);
  base::Result<void> store(const ZoneChange& change, const SignedChange& result);
  void adopt(const ZoneChange& change, SignedChange result);
  void publish(std::shared_ptr<const dns::ZoneVersion> signed_version,
               std::optional<dns::ZoneDiff> signed_diff);
  // Keeps the earliest RRSIG expiration (status, refresh timer) current
  // after `signed_diff` (nullptr: a whole new signed version).
  void track_expiry(const dns::ZoneDiff* signed_diff);

  // zone_resign.cpp: re-signs what expires within the refresh window, a
  // slice at a time, each slice a new serial; returns between slices when
  // woken (a NOTIFY or a stop), so that a change waits for one slice at most.
  asio::awaitable<void> refresh_signatures();
  // One slice: true when the walk should go on (the zone's end not reached).
  base::Result<bool> refresh_slice();
  base::Result<void> commit_slice(std::span<const dns::Name> names, bool first_of_pass);
  // True when some RRSIG expires within params_.refresh of `now`.
  bool refresh_due(base::TimePoint now) const;

  // zone_notify.cpp: NOTIFY of `serial` to every secondary, each until it answers.
  void announce(uint32_t serial);
  asio::awaitable<void> notify_until_answered(asio::ip::udp::endpoint endpoint, const xfr::TsigKey* key,
                                              uint32_t serial, std::string name);

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

}  // namespace signerd
