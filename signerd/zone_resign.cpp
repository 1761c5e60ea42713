// The re-sign event: signatures that come within signatures-refresh of
// expiry, or that keys no longer signing made (a key event signed
// gradually), are re-signed in slices, each a serial of its own through the
// commit path. A slice is signed off the zone's strand from a snapshot and
// committed on it, rebased on what changed meanwhile, so that a change from
// the primary waits for no signing, only for a slice's commit at most
// (README "Incremental signing").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>

#include "base/log.hpp"
#include "base/text.hpp"
#include "dnssec/refresh_slice.hpp"
#include "dnssec/slice_rebase.hpp"
#include "policy/serial_policy.hpp"
#include "signerd/zone_runtime.hpp"
#include "signerd/zone_steps.hpp"
#include "store/keys.hpp"

namespace signerd {

bool ZoneRuntime::refresh_due(base::TimePoint now) const {
  const auto when = expiration_time(earliest_expiration_, now);
  return when && *when <= now + params_.refresh;
}

// A slice's names. The strand's part of a slice (its rebase and its
// commit, some 8,000 records at two RRsets a name) takes 10-20 ms at this
// size, which is what a change may wait for; the signing is off the
// strand. Larger slices sign a little faster and make a change wait longer
// (4,000 names: 82 % of the engine's rate instead of 72 %, p99 103 ms
// instead of 40 ms at 100,000 names; tests/bench/README.md).
constexpr size_t kSliceNames = 1000;

struct ZoneRuntime::SliceInFlight {
  // The snapshot it signs, and that snapshot's SOA bump.
  std::shared_ptr<const dns::ZoneVersion> view, signed_version;
  dns::ZoneDiff bump;
  std::vector<dns::Name> names;
  std::optional<dns::Name> start;  // where the walk stood before it (a failed slice is walked again)
  bool key_pass = false, first_of_pass = false, ends_pass = false;
  // Strand only: what commits since the snapshot changed.
  std::set<dns::Name> touched;  // owners of their signed diffs
  bool invalidated = false;     // keys or the whole zone changed: the slice is dropped
  // Written off the strand before `done`.
  std::optional<base::Result<std::optional<dnssec::SignedUpdate>>> result;
  std::chrono::steady_clock::duration signing{};
  std::atomic<bool> done{false};
};

asio::awaitable<void> ZoneRuntime::refresh_signatures() {
  // Each call makes a step (a commit or a new slice) before it looks for
  // a NOTIFY: a flood of them cannot starve the refresh (REVIEW H3).
  for (;;) {
    if (slice_ && slice_->done.load(std::memory_order_acquire)) finish_slice();
    if (std::exchange(slice_failed_, false)) co_return;
    if (!slice_) {
      const Planned planned = plan_slice();
      if (planned == Planned::pass_end) end_of_pass();
      if (planned != Planned::started) co_return;
    }
    // The zone loop's other work does not wait for the walk's end (minutes
    // at 1M names): a key event, a DS round, an operator's command.
    if (stop_requested_ || ctx_.stopping || woken_ || other_work_due()) co_return;
    if (slice_->done.load(std::memory_order_acquire)) continue;
    // The slice's end, a NOTIFY or a stop cancels the wait (all on this strand).
    wake_timer_.expires_after(std::chrono::seconds(10));
    boost::system::error_code ec;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

bool ZoneRuntime::other_work_due() const {
  const base::TimePoint now = ctx_.clock.now();
  const auto round = parent_check_time(now);
  return (key_wakeup_ && *key_wakeup_ <= now) || (round && *round <= now) || key_commands_pending_ ||
         retransfer_;
}

ZoneRuntime::Planned ZoneRuntime::plan_slice() {
  const base::TimePoint now = ctx_.clock.now();
  const bool key_pass = signatures_pending();
  if (!key_pass && !refresh_due(now) && !refresh_from_) return Planned::nothing;
  const auto due = static_cast<uint32_t>((now + params_.refresh).time_since_epoch().count());
  for (;;) {
    const bool first_of_pass = !refresh_from_;
    const std::optional<dns::Name> start = refresh_from_;
    auto slice = dnssec::next_refresh_slice(
        *view_, *signed_, params_.denial, due, refresh_from_, kSliceNames, kSliceNames * 16,
        key_pass ? dnssec::StaleSigners::due : dnssec::StaleSigners::ignore);
    if (!slice) {
      record_error("signature refresh failed: " + slice.error().detail);
      return Planned::nothing;
    }
    if (first_of_pass) {
      key_pass_from_apex_ = key_pass;
      pass_started_ = std::chrono::steady_clock::now();
      pass_first_serial_ = signed_->serial();
    }
    refresh_from_ = slice->next;
    if (slice->names.empty()) {
      if (!refresh_from_) return Planned::pass_end;
      continue;
    }
    auto bump = soa_bump(
        *view_, policy::next_serial(config_.serial, signed_->serial(), view_->serial(), ctx_.clock.now()));
    if (!bump) {
      record_error("signature refresh failed: " + bump.error().detail);
      return Planned::nothing;
    }
    auto in_flight = std::make_shared<SliceInFlight>();
    in_flight->view = view_;
    in_flight->signed_version = signed_;
    in_flight->bump = std::move(*bump);
    in_flight->names = std::move(slice->names);
    in_flight->start = start;
    in_flight->key_pass = key_pass;
    in_flight->first_of_pass = first_of_pass;
    in_flight->ends_pass = !refresh_from_;
    slice_ = in_flight;
    // On a thread of its own, neither the strand (the zone's changes go on
    // meanwhile) nor the zone pool (whose two threads a slice waiting for
    // the signing lock would take from every zone: REVIEW M4). The last
    // slice's thread has set `done` and only posts to the strand: joined
    // at once.
    if (slice_thread_.joinable()) slice_thread_.join();
    slice_thread_ = std::thread([this, in_flight, keys = keys_, params = params_, now] {
      const auto started = std::chrono::steady_clock::now();
      {
        std::lock_guard lock(ctx_.signing_lock);
        auto session = dnssec::SigningSession::open(keys, ctx_.signing_workers);
        if (!session) {
          in_flight->result.emplace(std::move(session).error());
        } else {
          in_flight->result.emplace(dnssec::sign_change(*in_flight->view, *in_flight->signed_version,
                                                        in_flight->bump, keys, params, now, &*session,
                                                        in_flight->names));
        }
      }
      in_flight->signing = std::chrono::steady_clock::now() - started;
      auto self = weak_from_this().lock();  // none: the zone is being destroyed
      in_flight->done.store(true, std::memory_order_release);
      if (self) asio::post(strand_, [self] { self->wake_timer_.cancel(); });
    });
    return Planned::started;
  }
}

void ZoneRuntime::finish_slice() {
  const std::shared_ptr<SliceInFlight> done = std::move(slice_);
  // The next slice signs while this one commits; its snapshot is this
  // version, so it is rebased on this commit in turn.
  const Planned next = done->ends_pass ? Planned::nothing : plan_slice();
  auto& result = *done->result;
  bool committed = false;
  if (!result) {
    record_error("signature refresh failed: " + result.error().detail);
  } else if (!*result) {
    // The snapshot's keys and params are the zone's: sign_change never
    // declines a refresh. Should it, the walk comes by again.
    base::log::warn(who() + ": a refresh slice needed the whole zone; it is walked again");
  } else if (!done->invalidated) {
    // As it is when nothing was committed since its snapshot, else carried
    // onto the current version with the current version's SOA bump.
    dns::ZoneDiff bump = std::move(done->bump);
    base::Result<SignedChange> signed_change = base::make_error(base::Errc::conflict, "unset");
    if (view_ == done->view && signed_ == done->signed_version) {
      signed_change = SignedChange::of(std::move(**result), done->signing);
    } else if (auto rebased_bump = soa_bump(*view_, policy::next_serial(config_.serial, signed_->serial(),
                                                                        view_->serial(), ctx_.clock.now()));
               !rebased_bump) {
      signed_change = std::move(rebased_bump).error();
    } else {
      bump = std::move(*rebased_bump);
      signed_change = rebase_slice(*done, std::move(**result), bump);
    }
    if (!signed_change) {
      record_error("signature refresh failed: " + signed_change.error().detail);
    } else {
      if (config_.serial == policy::SerialPolicy::keep && done->first_of_pass)
        base::log::warn(who() + ": signatures near expiry and no change from the primary: serial " +
                        std::to_string(signed_change->signed_next->serial()) +
                        " (and the refresh's next slices) published ahead of the primary's");
      const ZoneChange change{std::move(bump), std::nullopt,
                              done->key_pass ? "re-signing with the zone's keys" : "signature refresh",
                              done->names, std::nullopt};
      if (auto stored = commit(change, std::move(*signed_change)); !stored) {
        record_error("signature refresh failed: " + stored.error().detail);
      } else {
        committed = true;
      }
    }
  }
  if (committed) {
    if (done->ends_pass || next == Planned::pass_end) end_of_pass();
    return;
  }
  // Dropped (a key event restarted the walk) or failed. A failed slice's
  // names are walked again, after the zone loop's pause (an HSM or a disk
  // that fails must not spin the walk), and the slice after it goes too.
  if (done->invalidated) return;
  if (slice_) slice_->invalidated = true;
  refresh_from_ = done->start;
  slice_failed_ = true;
}

base::Result<ZoneRuntime::SignedChange> ZoneRuntime::rebase_slice(const SliceInFlight& slice,
                                                                  dnssec::SignedUpdate update,
                                                                  const dns::ZoneDiff& bump) {
  if (!session_) {
    auto opened = dnssec::SigningSession::open(keys_);
    if (!opened) return std::move(opened).error();
    session_ = std::move(*opened);
  }
  auto rebased = dnssec::rebase_slice(update.signed_diff, slice.touched, *view_, *signed_, bump, keys_,
                                      params_, ctx_.clock.now(), &*session_);
  if (!rebased) {
    session_.reset();
    return std::move(rebased).error();
  }
  SignedChange out = SignedChange::of(std::move(*rebased), slice.signing);
  out.signatures_made += update.signatures_made;  // the slice's, besides the apex's
  return out;
}

void ZoneRuntime::note_commit_for_slice(const ZoneChange& change, const SignedChange& result) {
  if (!slice_) return;
  if (!result.signed_diff || result.whole_zone_pass || change.keys) {
    slice_->invalidated = true;
    return;
  }
  for (const auto& r : result.signed_diff->removed) slice_->touched.insert(r.owner());
  for (const auto& r : result.signed_diff->added) slice_->touched.insert(r.owner());
}

bool ZoneRuntime::slice_signing() const { return slice_ && !slice_->done.load(std::memory_order_acquire); }

void ZoneRuntime::join_slice_thread() {
  if (slice_thread_.joinable()) slice_thread_.join();
}

ZoneRuntime::~ZoneRuntime() {
  if (!slice_thread_.joinable()) return;
  if (slice_thread_.get_id() == std::this_thread::get_id()) {
    slice_thread_.detach();  // the thread's last reference: it ends right after this
  } else {
    slice_thread_.join();
  }
}

void ZoneRuntime::end_of_pass() {
  track_expiry(nullptr);  // a pass is complete: scan for the earliest again
  if (signed_->serial() != pass_first_serial_)
    base::log::info(who() + ": signature refresh: serials " + std::to_string(pass_first_serial_) + " to " +
                    std::to_string(signed_->serial()) + " in " +
                    base::milliseconds_text(std::chrono::steady_clock::now() - pass_started_));
  if (std::exchange(key_pass_from_apex_, false) && signatures_pending()) finish_key_pass();
}

namespace {

// The signature observation a key waits for: its zone signatures complete
// (it signs, ZRRSIG rumoured) or gone (it stopped, ZRRSIG unretentive).
enum class Awaited { none, complete, gone };
Awaited awaited_signatures(const store::KeyRecord& k) {
  if (!policy::has_record(k.role, policy::Record::zrrsig)) return Awaited::none;
  const policy::RecordState z = k.life.state(policy::Record::zrrsig);
  if (z == policy::RecordState::rumoured && !k.life.signatures.complete) return Awaited::complete;
  if (z == policy::RecordState::unretentive && !k.life.signatures.gone) return Awaited::gone;
  return Awaited::none;
}

}  // namespace

bool ZoneRuntime::signatures_pending() const {
  return std::any_of(key_records_.begin(), key_records_.end(),
                     [](const store::KeyRecord& k) { return awaited_signatures(k) != Awaited::none; });
}

void ZoneRuntime::finish_key_pass() {
  if (auto stale = dnssec::first_stale_signature(*signed_)) {
    // Not expected: the walk reaches every name and its NSEC3 owner. Never
    // count signatures complete that are not; sign the zone whole once.
    base::log::warn(who() + ": after the re-signing walk " + stale->to_text() +
                    " still holds RRSIGs of other keys; re-signing the whole zone");
    auto change = soa_bump(
        *view_, policy::next_serial(config_.serial, signed_->serial(), view_->serial(), ctx_.clock.now()));
    if (!change) {
      record_error("re-signing the whole zone: " + change.error().detail);
      return;
    }
    KeySetChange same{keys_, key_records_, {}, {}};
    ZoneChange whole{std::move(*change),
                     std::nullopt,
                     "re-signing with the zone's keys (whole zone)",
                     {},
                     std::move(same)};
    whole.whole_zone = true;
    if (auto done = commit(whole); !done) record_error("re-signing the whole zone: " + done.error().detail);
    run_key_event();
    return;
  }
  // The zone as served holds the RRSIGs of exactly its signers: the
  // observation the ZRRSIG waits count from (policy/key_timing.cpp).
  KeySetChange seen{keys_, key_records_, {}, {}};
  const base::TimePoint now = ctx_.clock.now();
  for (auto& k : seen.records) {
    const Awaited awaited = awaited_signatures(k);
    if (awaited == Awaited::none) continue;
    const bool complete = awaited == Awaited::complete;
    (complete ? k.life.signatures.complete : k.life.signatures.gone) = now;
    seen.audit.push_back("signatures of " + key_name(k) +
                         (complete ? " complete: every RRset is signed by it" : " gone from the zone") +
                         " (serial " + std::to_string(signed_->serial()) + ")");
  }
  if (auto stored = store_key_states(seen); !stored) {
    record_error("recording the re-signing walk's end: " + stored.error().detail);
    return;
  }
  for (const auto& line : seen.audit) base::log::info(who() + ": " + line);
  key_records_ = std::move(seen.records);
  run_key_event();
}

}  // namespace signerd
