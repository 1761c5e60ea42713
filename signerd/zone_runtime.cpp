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

void ZoneRuntime::wake(std::optional<std::pair<IpAddress, uint32_t>> notified) {
  woken_ = true;
  asio::post(strand_, [self = shared_from_this(), notified] {
    if (notified) self->notified_ = notified;
    self->wake_timer_.cancel();
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
  while (!stop_requested_ && !ctx_.stopping) {
    woken_ = false;
    const bool reached = co_await refresh_from_primaries();
    if (stop_requested_ || ctx_.stopping) break;
    if (signed_ && refresh_due(ctx_.clock.now())) co_await refresh_signatures();
    const base::TimePoint now = ctx_.clock.now();
    const auto expiry = expiration_time(earliest_expiration_, now);
    const base::TimePoint next =
        zone_timers(upstream_soa_, reached, expiry, kasp_.signatures_refresh, std::nullopt, now).next(now);
    status_.with_lock([&](ZoneStatus& s) { s.next_refresh = next; });
    if (woken_) continue;
    wake_timer_.expires_after(std::max(seconds{0}, next - ctx_.clock.now()));
    boost::system::error_code ec;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  base::log::info(who() + ": stopped");
}

base::Result<void> ZoneRuntime::resume() {
  // SoftHSM 2.6 fails key generation now and then (CKR_GENERAL_ERROR) while
  // other sessions sign: generate only while no zone signs.
  std::lock_guard signing(ctx_.signing_lock);
  std::lock_guard lock(ctx_.offline_lock);
  auto records = ensure_policy_keys(ctx_.offline, config_.name, kasp_, ctx_.clock.now());
  if (!records) return std::move(records).error();
  keys_ = zone_keys(ctx_.offline, *records);
  status_.with_lock([&](ZoneStatus& s) {
    s.keys.clear();
    for (const auto& k : *records)
      s.keys.push_back({k.key_tag, k.algorithm, std::string(policy::role_name(k.role)),
                        std::string(policy::summary(k.role, k.life))});
  });
  const auto loading = std::chrono::steady_clock::now();
  auto stored = store::load_zone(ctx_.offline.db, config_.name);
  if (!stored) return std::move(stored).error();
  if (!*stored) {
    base::log::info(who() + ": nothing stored yet; waiting for the first transfer");
    return base::ok();
  }
  view_ = (*stored)->unsigned_version;
  signed_ = (*stored)->signed_version;
  for (auto& d : (*stored)->journal) journal_.push_back(std::make_shared<const dns::ZoneDiff>(std::move(d)));
  if (adopt_served_salt(params_, *signed_)) base::log::info(who() + ": NSEC3 salt of the served zone kept");
  // With `keep` the view's SOA is the primary's unless a signature refresh
  // bumped it; a primary that does not know the serial answers IXFR with
  // its whole zone, which is handled like an AXFR.
  upstream_soa_ = apex_soa(*view_);
  publish(signed_, std::nullopt);
  status_.with_lock([&](ZoneStatus& s) { s.upstream_serial = view_->serial(); });
  track_expiry(nullptr);
  base::log::info(who() + ": resumed signed serial " + std::to_string(signed_->serial()) +
                  " from the store (" + std::to_string(signed_->record_count()) + " records, loaded in " +
                  base::milliseconds_text(std::chrono::steady_clock::now() - loading) + ")");
  // As BIND does when it loads a zone: a secondary that missed the NOTIFY
  // of the last commit (a kill between commit and answer, or it was down)
  // hears of the served serial now, not at its SOA retry timer.
  announce(signed_->serial());
  return base::ok();
}

}  // namespace signerd
