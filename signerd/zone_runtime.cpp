#include "signerd/zone_runtime.hpp"

#include <chrono>
#include <utility>

#include "base/log.hpp"
#include "base/text.hpp"
#include "signerd/offline_context.hpp"
#include "signerd/zone_steps.hpp"
#include "signerd/zone_timers.hpp"
#include "store/keys.hpp"
#include "store/zone_store.hpp"

namespace signerd {

using std::chrono::seconds;

ZoneRuntime::ZoneRuntime(DaemonContext& ctx, ZoneConfig config, policy::Kasp kasp)
    : ctx_(ctx),
      config_(std::move(config)),
      kasp_(std::move(kasp)),
      params_(signing_params(kasp_)),
      strand_(asio::make_strand(ctx.zone_pool.get_executor())),
      wake_timer_(strand_) {
  params_.cds_delete = kasp_.keys.empty();
  status_.with_lock([&](ZoneStatus& s) {
    s.zone = config_.name.to_text();
    s.refresh_window = kasp_.signatures_refresh;
  });
}

std::string ZoneRuntime::who() const { return "zone " + config_.name.to_text(); }

void ZoneRuntime::start(std::function<void()> done) {
  asio::co_spawn(
      strand_, [self = shared_from_this()] { return self->run(); },
      [self = shared_from_this(), done = std::move(done)](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            base::log::error(self->who() + ": stopped by an unexpected error: " + ex.what());
          }
        }
        if (done) done();
      });
}

void ZoneRuntime::stop() {
  stop_requested_ = true;
  asio::post(strand_, [self = shared_from_this()] { self->wake_timer_.cancel(); });
}

bool ZoneRuntime::wake(std::optional<std::pair<IpAddress, uint32_t>> notified) {
  if (notified) pending_notify_.with_lock([&](auto& pending) { pending = notified; });
  woken_ = true;
  if (wake_posted_.exchange(true)) return false;
  asio::post(strand_, [self = shared_from_this()] {
    // Cleared before the serial is taken: a NOTIFY after this line posts
    // a handler of its own, one before it is taken here.
    self->wake_posted_ = false;
    if (auto n = self->pending_notify_.with_lock([](auto& p) { return std::exchange(p, std::nullopt); }))
      self->notified_ = n;
    self->wake_timer_.cancel();
  });
  return true;
}

bool ZoneRuntime::log_notify(std::optional<uint32_t> serial, uint64_t& folded) {
  const auto now = std::chrono::steady_clock::now();
  return notify_log_.with_lock([&](NotifyLog& l) {
    if (serial == l.serial && now - l.last < std::chrono::seconds(1)) {
      ++l.folded;
      return false;
    }
    folded = std::exchange(l.folded, 0);
    l.serial = serial;
    l.last = now;
    return true;
  });
}

ZoneStatus ZoneRuntime::status() const {
  return status_.with_lock([](const ZoneStatus& s) { return s; });
}

void ZoneRuntime::record_error(std::string message) {
  base::log::error(who() + ": " + message);
  status_.with_lock([&](ZoneStatus& s) {
    s.errors.push_back(std::move(message));
    if (s.errors.size() > 10) s.errors.erase(s.errors.begin());
  });
}

asio::awaitable<void> ZoneRuntime::run() {
  if (auto resumed = resume(); !resumed) {
    record_error("cannot start: " + resumed.error().detail);
    co_return;
  }
  asio::steady_timer gap_timer(strand_);
  while (!stop_requested_ && !ctx_.stopping) {
    if (notified_) {
      // At most one NOTIFY-started round per kNotifyGap: a flood cannot
      // turn into a query or a transfer per packet at the primary.
      const auto since = std::chrono::steady_clock::now() - last_notified_round_;
      if (since < kNotifyGap) {
        gap_timer.expires_after(kNotifyGap - since);
        boost::system::error_code ec;
        co_await gap_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      last_notified_round_ = std::chrono::steady_clock::now();
    }
    woken_ = false;
    const bool reached = co_await refresh_from_primaries();
    if (stop_requested_ || ctx_.stopping) break;
    if (signed_ && (slice_ || refresh_from_ || refresh_due(ctx_.clock.now()) || signatures_pending()))
      co_await refresh_signatures();
    if (key_commands_pending_.exchange(false)) run_key_commands();
    if (key_wakeup_ && *key_wakeup_ <= ctx_.clock.now()) run_key_event();
    if (auto round = parent_check_time(ctx_.clock.now()); round && *round <= ctx_.clock.now())
      co_await check_parent();
    if (stop_requested_ || ctx_.stopping) break;
    const base::TimePoint now = ctx_.clock.now();
    const auto expiry = expiration_time(earliest_expiration_, now);
    // The key slot: the state machine's next event, or the next DS round.
    std::optional<base::TimePoint> keys = key_wakeup_;
    if (auto round = parent_check_time(now)) keys = std::min(keys.value_or(*round), *round);
    // A re-signing walk that a change interrupted goes on.
    if (signed_ && (slice_ || refresh_from_ || signatures_pending())) keys = now;
    const base::TimePoint next =
        zone_timers(upstream_soa_, reached, expiry, kasp_.signatures_refresh, keys, now).next(now);
    status_.with_lock([&](ZoneStatus& s) { s.next_refresh = next; });
    if (woken_) continue;
    wake_timer_.expires_after(std::max(seconds{0}, next - ctx_.clock.now()));
    boost::system::error_code ec;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  // A slice still signing on the zone pool holds the HSM: it ends first.
  while (slice_signing()) {
    wake_timer_.expires_after(std::chrono::milliseconds(10));
    boost::system::error_code ec;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  join_slice_thread();
  base::log::info(who() + ": stopped");
}

base::Result<const xfr::TsigKey*> ZoneRuntime::tsig_key(const std::optional<dns::Name>& name) const {
  if (!name) return static_cast<const xfr::TsigKey*>(nullptr);
  if (const xfr::TsigKey* key = ctx_.keyring.find(*name)) return key;
  return base::make_error(base::Errc::not_found,
                          "TSIG key " + name->to_text() + " is not loaded (keys are read at start)");
}

base::Result<void> ZoneRuntime::resume() {
  {
    std::lock_guard lock(ctx_.offline_lock);
    auto records = store::list_keys(ctx_.offline.db, config_.name);
    if (!records) return std::move(records).error();
    key_records_ = std::move(*records);
  }
  if (auto present = check_keys_present(); !present) record_error(present.error().detail);
  keys_ = signing_keys(key_records_);
  show_keys(nullptr);
  const auto loading = std::chrono::steady_clock::now();
  auto stored = [&] {
    std::lock_guard lock(ctx_.offline_lock);
    return store::load_zone(ctx_.offline.db, config_.name);
  }();
  if (!stored) return std::move(stored).error();
  if (!*stored) {
    base::log::info(who() + ": nothing stored yet; waiting for the first transfer");
    // The keys are made ahead of need; the first signing enacts their states.
    run_key_event();
    return base::ok();
  }
  view_ = (*stored)->unsigned_version;
  signed_ = (*stored)->signed_version;
  for (auto& d : (*stored)->journal) journal_.push_back(std::make_shared<const dns::ZoneDiff>(std::move(d)));
  if (adopt_served_salt(params_, *signed_)) base::log::info(who() + ": NSEC3 salt of the served zone kept");
  // The view's SOA carries signerd's serial (a refresh slice, `increment`
  // or `unixtime` move it); the primary's was stored beside it (REVIEW H1).
  upstream_soa_ = apex_soa(*view_);
  upstream_serial_known_ = false;
  if (const auto upstream = (*stored)->upstream_serial; upstream && upstream_soa_) {
    if (auto soa = soa_with_serial(*upstream_soa_, *upstream)) {
      upstream_soa_ = std::move(*soa);
      upstream_serial_known_ = true;
    }
  }
  if (!upstream_serial_known_)
    base::log::info(who() +
                    ": the primary's serial was not stored (a store from before schema 4); "
                    "the next transfer is an AXFR");
  publish(signed_, std::nullopt);
  status_.with_lock([&](ZoneStatus& s) {
    s.upstream_serial = upstream_serial_known_ ? (*stored)->upstream_serial : std::nullopt;
  });
  track_expiry(nullptr);
  base::log::info(who() + ": resumed signed serial " + std::to_string(signed_->serial()) +
                  " from the store (" + std::to_string(signed_->record_count()) + " records, loaded in " +
                  base::milliseconds_text(std::chrono::steady_clock::now() - loading) + ")");
  // As BIND does when it loads a zone: a secondary that missed the NOTIFY
  // of the last commit (a kill between commit and answer, or it was down)
  // hears of the served serial now, not at its SOA retry timer.
  announce(signed_->serial());
  run_key_event();
  return base::ok();
}

void ZoneRuntime::run_key_event(const policy::Observations& observations) {
  if (auto done = key_event(observations); !done) {
    record_error("key event: " + done.error().detail);
    // Not a spin: try again in a minute (a key store back, a disk with room).
    key_wakeup_ = ctx_.clock.now() + std::chrono::minutes(1);
  }
}

}  // namespace signerd
