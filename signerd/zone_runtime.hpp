// signerd/zone_runtime.hpp — one zone of the running daemon.
//
// Owns: the zone's life in the daemon (shared/DESIGN.md "Data flow"), one
// event per file as Knot's knot/events/handlers do:
//   zone_runtime.cpp  start, stop, wake-ups, resuming from the store, the loop
//   zone_refresh.cpp  refresh from the primaries (SOA, IXFR/AXFR, fail-over)
//   zone_commit.cpp   the one commit path: sign -> store -> publish -> NOTIFY
//   zone_resign.cpp   signature refresh in slices
//   zone_notify.cpp   NOTIFY out, until answered
//   zone_keys.cpp     key events: the key state machine's steps
//   zone_parent.cpp   DS checks at the parental agents
// The pure steps they use are in zone_steps.hpp and zone_timers.hpp. Does
// not own: the network servers, the signing engine, the store's schema.
//
// Concurrency: all work of a zone runs on its own strand of the zone pool
// (one change at a time, zones in parallel). served() and status() may be
// called from any thread; NOTIFY out runs on the network thread.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <variant>

#include "base/lock_guarded.hpp"
#include "dns/rrset.hpp"
#include "dns/zone_version.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/zone_signer.hpp"
#include "policy/evaluate.hpp"
#include "policy/kasp.hpp"
#include "signerd/config.hpp"
#include "signerd/daemon_context.hpp"
#include "signerd/key_command.hpp"
#include "signerd/zone_status.hpp"
#include "store/keys.hpp"
#include "xfr/transfer_in.hpp"
#include "xfr/tsig.hpp"
#include "xfr/zone_catalog.hpp"

namespace signerd {

// A new key set that a change enacts (a key event): the keys to sign with
// and the key rows to store with the version, in its transaction, with an
// audit line each (KASP.md section 1.5: a state is entered when the version
// that serves it is committed and offered, so last_change is stamped then).
struct KeySetChange {
  dnssec::ZoneKeys signing;
  std::vector<store::KeyRecord> records;        // every key of the zone, as after this change
  std::vector<policy::Transition> transitions;  // re-stamped at the commit
  std::vector<std::string> audit;               // "key 12345 (id 7) dnskey hidden -> rumoured"
};

// One change on its way through the commit path (README "Data flow" steps
// 3 to 5), whatever made it: the primary, a refresh slice, a key event.
struct ZoneChange {
  // A change of the signing view (signed incrementally where it can be),
  // or a whole new signing view while the zone has none (signed whole).
  std::variant<dns::ZoneDiff, std::shared_ptr<const dns::ZoneVersion>> content;
  std::optional<dns::RRset> upstream_soa;  // the primary's SOA this change brings
  std::string why;                         // for the log: "IXFR from 192.0.2.1@53 (…)"
  std::span<const dns::Name> refresh;      // names whose signatures are due (a refresh slice)
  std::optional<KeySetChange> keys;        // a key event's new key set
  bool whole_zone = false;                 // sign_diff, whatever sign_change could do
};

class ZoneRuntime : public std::enable_shared_from_this<ZoneRuntime> {
 public:
  ZoneRuntime(DaemonContext& ctx, ZoneConfig config, policy::Kasp kasp);
  ~ZoneRuntime();  // joins a slice's thread that the zone loop did not (its coroutine destroyed unfinished)

  // Starts the zone's loop on its strand; `done` runs when the loop ends.
  void start(std::function<void()> done);
  // Asks the loop to end after the step in progress (a commit finishes or
  // rolls back as a whole).
  void stop();
  // A primary's NOTIFY: refresh now. With `serial` newer than the zone's,
  // the refresh asks that primary for IXFR at once, without a SOA query
  // first (RFC 1996 3.7 lets the serial serve as a hint; the IXFR answer
  // is authoritative either way). NOTIFYs coalesce (REVIEW H3): while a
  // wake-up is on its way to the zone's strand, another only updates the
  // serial it carries, so a flood queues one handler, not one per packet;
  // returns false then. A refresh a NOTIFY starts follows the previous
  // one by kNotifyGap at least, and a due signature refresh still makes a
  // slice per round (zone_resign.cpp), so a flood cannot starve it.
  bool wake(std::optional<std::pair<IpAddress, uint32_t>> notified = std::nullopt);
  static constexpr std::chrono::milliseconds kNotifyGap{20};
  // The operator's retransfer (signerctl): the next refresh asks AXFR of
  // the primaries, whatever their serial; wakes the zone. Thread-safe.
  void retransfer();
  // The operator's notify (signerctl): announces the served serial to
  // every secondary again, on the zone's strand. Returns that serial, or
  // nullopt when nothing is served yet. Thread-safe.
  std::optional<uint32_t> notify_secondaries();
  // The operator's word on the keys (signerctl checkds, rollover, step):
  // checked against the keys as /status shows them, then queued for the
  // zone's strand, whose next key event (at once) takes it. The text says
  // what was asked; errors name the zone and why. Thread-safe.
  base::Result<std::string> key_command(const KeyCommand& command);
  // Whether an accepted NOTIFY naming `serial` gets a log line: one that
  // names a new serial does, others one a second at most; `folded` is how
  // many went unlogged since the last line (a flood must not fill the disk).
  bool log_notify(std::optional<uint32_t> serial, uint64_t& folded);

  const ZoneConfig& config() const noexcept { return config_; }
  const policy::Kasp& kasp() const noexcept { return kasp_; }
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

    // The engine's incremental result as the commit path takes it.
    static SignedChange of(dnssec::SignedUpdate update, std::chrono::steady_clock::duration signing,
                           bool whole_zone_pass = false) {
      return SignedChange{std::move(update.unsigned_next),
                          std::move(update.signed_next),
                          std::move(update.signed_diff),
                          update.signatures_made,
                          whole_zone_pass,
                          signing};
    }
  };

  // zone_runtime.cpp
  asio::awaitable<void> run();
  // Loads keys and the stored zone; publishes and announces what the store holds.
  base::Result<void> resume();
  void record_error(std::string message);
  // The TSIG key a peer is configured with: nullptr for none; an error when
  // the config names a key the running keyring does not hold (REVIEW H2):
  // never an unsigned exchange in place of a signed one.
  base::Result<const xfr::TsigKey*> tsig_key(const std::optional<dns::Name>& name) const;
  // "zsk 12345 (id 7)", as logs, audit lines and /status name a key.
  static std::string key_name(const store::KeyRecord& k);
  // The keys the records publish and sign with. Going insecure (a policy
  // without keys, e.g. the built-in "insecure"), no key is listed in CDS or
  // CDNSKEY: params_.cds_delete publishes the DELETE form instead for as
  // long as any key is published (RFC 8078 section 4).
  dnssec::ZoneKeys signing_keys(const std::vector<store::KeyRecord>& records) const;
  // Going insecure, once no key is left: the zone is served as the
  // primary's data with signerd's SOA, no DNSSEC record (sign() takes this
  // path when keys_ is empty).
  // `diff`, when given, is the change that made `next` from view_.
  SignedChange unsigned_change(std::shared_ptr<const dns::ZoneVersion> next, const dns::ZoneDiff* diff) const;
  std::string who() const;  // "zone example.com"

  // zone_refresh.cpp: one refresh from the primaries; true when one answered.
  asio::awaitable<bool> refresh_from_primaries();
  // Commits what a transfer brought. `took` is for the log.
  base::Result<void> apply_transfer(xfr::TransferResult& transfer, const std::string& peer,
                                    const std::string& took);
  void note_transfer(std::string_view kind, std::string_view result, const std::string& peer);
  // Past the SOA expire without a primary: say so (and keep serving).
  void check_upstream_expiry();

  // zone_commit.cpp: the commit path. `presigned`: the change signed
  // already (a slice signed off the strand), else sign() signs it.
  base::Result<void> commit(const ZoneChange& change, std::optional<SignedChange> presigned = std::nullopt);
  base::Result<SignedChange> sign(const ZoneChange& change);
  base::Result<SignedChange> sign_whole(std::shared_ptr<const dns::ZoneVersion> view);
  // The key rows as the version enacts them: transitions stamped at
  // `committed`, signature observations after a whole-zone pass.
  std::vector<store::KeyRecord> stamp_key_states(const KeySetChange& keys, const SignedChange& result,
                                                 base::TimePoint committed) const;
  // Commits the version (and `key_records`, when a key event) in one transaction.
  base::Result<void> store(const ZoneChange& change, const SignedChange& result,
                           const std::vector<store::KeyRecord>* key_records);
  void compact_if_due(const dns::ZoneDiff& diff, const SignedChange& result, base::TimePoint now);
  void adopt(const ZoneChange& change, SignedChange result);
  void publish(std::shared_ptr<const dns::ZoneVersion> signed_version,
               std::optional<dns::ZoneDiff> signed_diff);
  // Keeps the earliest RRSIG expiration (status, refresh timer) current
  // after `signed_diff` (nullptr: a whole new signed version).
  void track_expiry(const dns::ZoneDiff* signed_diff);

  // zone_resign.cpp: re-signs what expires within the refresh window (and,
  // with signatures_pending(), what other keys signed), a slice at a time,
  // each slice a new serial. A slice is signed off the strand, on the
  // zone pool, from a snapshot of the zone; the strand commits it, rebased
  // on the changes committed meanwhile. Returns when woken (a NOTIFY or a
  // stop) with the slice still signing, so that a change waits for no
  // signing, only for a slice's commit at most.
  asio::awaitable<void> refresh_signatures();
  struct SliceInFlight;
  // A key event, a DS round or an operator's command is due now.
  bool other_work_due() const;
  enum class Planned { started, nothing, pass_end };
  // Walks to the next names due and starts signing them off the strand.
  Planned plan_slice();
  // Commits the slice that finished signing (after starting the next one).
  void finish_slice();
  // The finished slice as a change of the current version.
  base::Result<SignedChange> rebase_slice(const SliceInFlight& slice, dnssec::SignedUpdate update,
                                          const dns::ZoneDiff& bump);
  // A commit (adopt()) while a slice signs: the slice keeps none of the
  // owners it changed, and nothing when the keys or the whole zone changed.
  void note_commit_for_slice(const ZoneChange& change, const SignedChange& result);
  // True while a slice signs off the strand (the zone loop waits for it before it ends).
  bool slice_signing() const;
  // Once no slice signs: the last slice's thread, which only posts to the strand after `done`.
  void join_slice_thread();
  // A walk reached the zone's end: the expiry scan, the log line, the
  // key pass's end (finish_key_pass).
  void end_of_pass();
  // True when some RRSIG expires within params_.refresh of `now`.
  bool refresh_due(base::TimePoint now) const;
  // True while a key signs the zone whose signatures are not yet known to
  // be complete, or one stopped signing whose signatures are not known to
  // be gone (a key event signed gradually: sign_change.hpp): the re-sign
  // walk then also takes names signed by other keys than the apex SOA's.
  bool signatures_pending() const;
  // A walk from the apex to the end with signatures_pending(): checks that
  // no RRSIG of other keys is left (else signs the zone whole once), then
  // records the signature observations (KASP.md 2.2) and runs the key event.
  void finish_key_pass();

  // zone_keys.cpp: the key event. Runs the key state machine at the
  // clock's now, creates the keys it asks for (HSM, then the store), and
  // commits what it decided: a new version when the publication changes
  // (through commit(), the key states in its transaction), the states
  // alone when only waits ended. Sets key_wakeup_.
  base::Result<void> key_event(const policy::Observations& observations = {});
  // key_event(), its failure recorded (and tried again in a minute).
  void run_key_event(const policy::Observations& observations = {});
  // The queued KeyCommands: checkds recorded as a DS round would
  // (record_operator_ds), rollover and step as the key event's observations.
  void run_key_commands();
  // checkds: the DS of every key waiting for it (or of key `tag`) seen
  // published or withdrawn now, stored with an audit line.
  void record_operator_ds(bool published, std::optional<uint16_t> tag);
  // The state machine's run with the keys it asked for created and
  // adopted; key_records_ then holds them.
  base::Result<policy::Evaluation> evaluate_keys(base::TimePoint now,
                                                 const policy::Observations& observations);
  base::Result<void> create_requested_keys(const std::vector<policy::KeyRequest>& requests,
                                           base::TimePoint now);
  // The KeySetChange that enacts `ev`, or nullopt when nothing changed.
  std::optional<KeySetChange> key_set_change(const policy::Evaluation& ev) const;
  // Writes the rows of `records` that differ from key_records_ and the
  // audit lines, in the caller's transaction (offline_lock held).
  base::Result<void> write_key_rows(const std::vector<store::KeyRecord>& records,
                                    const std::vector<std::string>& audit, base::TimePoint now);
  // Stores key rows and their audit lines without a zone change.
  base::Result<void> store_key_states(const KeySetChange& change);
  // Checks every key the zone serves is in the key store: a key whose
  // private half is missing is never rolled away silently (BIND #2596).
  base::Result<void> check_keys_present();
  void purge_keys(const std::vector<int64_t>& ids);
  void show_keys(const policy::Evaluation* ev);

  // zone_parent.cpp: one round of DS checks for every key whose DS is on
  // its way in or out; a unanimous round is stored as an observation and
  // the key event runs. The next round is due checkds-interval after the
  // last (at once when none was made since the wait began); nullopt when no
  // key waits or the zone has no parental agents.
  std::optional<base::TimePoint> parent_check_time(base::TimePoint now) const;
  asio::awaitable<void> check_parent();

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
  std::atomic<bool> wake_posted_{false};                     // a wake-up handler is queued on the strand
  base::LockGuarded<std::vector<KeyCommand>> key_commands_;  // for run_key_commands
  std::atomic<bool> key_commands_pending_{false};
  std::atomic<bool> retransfer_{false};  // the next refresh asks AXFR (retransfer())
  base::LockGuarded<std::optional<std::pair<IpAddress, uint32_t>>> pending_notify_;  // for that handler
  std::chrono::steady_clock::time_point last_notified_round_{};                      // strand only
  struct NotifyLog {
    std::chrono::steady_clock::time_point last{};
    std::optional<uint32_t> serial;
    uint64_t folded = 0;
  };
  base::LockGuarded<NotifyLog> notify_log_;
  std::atomic<uint32_t> announced_serial_{0};  // the newest serial announce() was called with

  // Touched only on the strand.
  std::shared_ptr<const dns::ZoneVersion> view_;    // upstream data, SOA serial = signed serial
  std::shared_ptr<const dns::ZoneVersion> signed_;  // what is served
  std::optional<dns::RRset> upstream_soa_;          // the primary's SOA as last transferred
  // Whether upstream_soa_'s serial is the primary's (stored with each
  // commit, REVIEW H1); false after resuming a store that never had it:
  // the SOA then stands in for the timers only, and the next transfer is
  // an AXFR rather than an IXFR from a serial the primary may not mean.
  bool upstream_serial_known_ = false;
  std::optional<base::TimePoint> last_contact_;  // last time a primary answered
  std::vector<std::shared_ptr<const dns::ZoneDiff>> journal_;
  size_t records_since_compact_ = 0;             // in the store's journal since its snapshot
  std::optional<uint32_t> earliest_expiration_;  // RRSIG wire time
  std::optional<dns::Name> refresh_from_;        // where the next refresh slice starts
  bool key_pass_from_apex_ = false;              // the walk began at the apex with signatures_pending()
  std::shared_ptr<SliceInFlight> slice_;         // a slice signing off the strand
  bool slice_failed_ = false;                    // refresh_signatures returns to the loop's pause
  std::thread slice_thread_;                     // signs slice_ (strand only: started and joined there)
  std::chrono::steady_clock::time_point pass_started_{};
  uint32_t pass_first_serial_ = 0;
  std::optional<std::pair<IpAddress, uint32_t>> notified_;  // primary and serial of the last NOTIFY
  std::vector<store::KeyRecord> key_records_;               // the zone's keys as stored
  std::optional<base::TimePoint> key_wakeup_;               // when the key state machine runs next
  bool keys_missing_ = false;                               // a served key is not in the key store
  std::optional<base::TimePoint> checkds_due_;              // next DS round (nullopt: at once when one waits)
  std::map<int64_t, std::string> parent_waits_;             // key id -> what the last DS round said

  std::atomic<std::shared_ptr<const xfr::ServedZone>> served_;
  base::LockGuarded<ZoneStatus> status_;
};

}  // namespace signerd
