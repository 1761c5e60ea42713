#include "signerd/zone_runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <span>
#include <utility>

#include "base/log.hpp"
#include "dns/serial.hpp"
#include "dns/soa.hpp"
#include "dns/wire.hpp"
#include "dns/zone_diff.hpp"
#include "dns/zone_diff_merge.hpp"
#include "dnssec/refresh_slice.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/sign_diff.hpp"
#include "dnssec/zone_signer.hpp"
#include "policy/serial_policy.hpp"
#include "signerd/asio_address.hpp"
#include "store/keys.hpp"
#include "store/zone_store.hpp"
#include "xfr/notify_sender.hpp"
#include "xfr/soa_query.hpp"
#include "xfr/transfer_in.hpp"

namespace signerd {
namespace {

using base::Errc;
using base::make_error;
using std::chrono::seconds;

// Journal entries kept in memory for IXFR out.
constexpr size_t kJournalEntries = 200;
// The store writes a fresh snapshot once the diffs since the last one hold
// an eighth of the zone's records (at least this many): a restart then
// replays little next to loading the snapshot, and writing a snapshot,
// which costs O(zone), stays rare next to the per-change work.
constexpr size_t kCompactMinRecords = 2000;
// When the SOA is unknown (no zone yet) or its timers are absurd.
constexpr seconds kDefaultRetry{30};
constexpr seconds kMinTimer{1};
constexpr seconds kMaxTimer{std::chrono::hours(24)};
// Back-off between rounds of NOTIFY to a secondary that does not answer
// (each round is xfr::NotifyRetry's attempts, about 31 s).
constexpr seconds kNotifyFirstPause{30};
constexpr seconds kNotifyMaxPause{std::chrono::minutes(10)};

std::optional<dns::RRset> soa_of(const dns::ZoneVersion& zone) {
  auto soa = zone.apex().find(dns::RRType::SOA);
  if (!soa) return std::nullopt;
  return soa->to_rrset(zone.origin(), zone.rclass());
}

// The SOA RRset with another serial.
base::Result<dns::RRset> with_serial(const dns::RRset& soa, uint32_t serial) {
  if (soa.size() != 1)
    return make_error(Errc::malformed, "SOA RRset holds " + std::to_string(soa.size()) + " RRs");
  auto rdata = dns::soa_with_serial(soa.rdatas()[0], serial);
  if (!rdata) return make_error(Errc::malformed, "malformed SOA RDATA");
  dns::RRset out(soa.owner(), soa.type(), soa.rclass(), soa.ttl());
  out.add(*rdata);
  return out;
}

seconds clamp_timer(uint32_t value) { return std::clamp(seconds{value}, kMinTimer, kMaxTimer); }

}  // namespace

namespace {

// RFC 4034 section 3.1.5: expirations compare in serial arithmetic.
void fold_expiration(std::span<const uint8_t> rrsig_rdata, std::optional<uint32_t>& earliest) {
  if (rrsig_rdata.size() < 12) return;
  const uint32_t expiration = dns::get_u32(rrsig_rdata.data() + 8);
  if (!earliest || static_cast<int32_t>(expiration - *earliest) < 0) earliest = expiration;
}

std::optional<uint32_t> earliest_expiration(const dns::ZoneVersion& zone) {
  std::optional<uint32_t> earliest;
  zone.for_each_rrset([&](const dns::NodeView&, const dns::RRsetView& rrset) {
    if (rrset.type() != dns::RRType::RRSIG) return;
    for (size_t i = 0; i < rrset.size(); ++i) fold_expiration(rrset.rdata(i), earliest);
  });
  return earliest;
}

std::string milliseconds_text(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", std::chrono::duration<double, std::milli>(d).count());
  return text;
}

std::optional<base::TimePoint> to_time(std::optional<uint32_t> expiration, base::TimePoint now) {
  if (!expiration) return std::nullopt;
  const auto now32 = static_cast<uint32_t>(now.time_since_epoch().count());
  return now + seconds{static_cast<int32_t>(*expiration - now32)};
}

}  // namespace

std::optional<base::TimePoint> earliest_signature_expiry(const dns::ZoneVersion& zone, base::TimePoint now) {
  return to_time(earliest_expiration(zone), now);
}

void ZoneRuntime::track_expiry(const dns::ZoneDiff* signed_diff) {
  // A full scan costs O(zone); after a diff only the added RRSIGs can lower
  // the earliest expiration. One the diff removed may have been it: the
  // value kept is then a little early, never late, and the refresh it
  // brings forward is a whole-zone pass that scans again.
  if (signed_diff == nullptr || !earliest_expiration_) {
    earliest_expiration_ = earliest_expiration(*signed_);
  } else {
    for (const auto& rrset : signed_diff->added)
      if (rrset.type() == dns::RRType::RRSIG)
        for (const auto& rdata : rrset.rdatas()) fold_expiration(rdata, earliest_expiration_);
  }
  const auto when = to_time(earliest_expiration_, ctx_.clock.now());
  status_.with_lock([&](ZoneStatus& s) { s.earliest_expiry = when; });
}

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
    if (signed_) {
      auto expiry = status_.with_lock([](const ZoneStatus& s) { return s.earliest_expiry; });
      if (expiry && *expiry <= ctx_.clock.now() + kasp_.signatures_refresh) co_await refresh_signatures();
    }
    const base::TimePoint next = next_wakeup(reached);
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
  // With `keep` the view's SOA is the primary's unless a signature refresh
  // bumped it; a primary that does not know the serial answers IXFR with
  // its whole zone, which is handled like an AXFR.
  upstream_soa_ = soa_of(*view_);
  publish(signed_, std::nullopt);
  status_.with_lock([&](ZoneStatus& s) { s.upstream_serial = view_->serial(); });
  track_expiry(nullptr);
  base::log::info(who() + ": resumed signed serial " + std::to_string(signed_->serial()) +
                  " from the store (" + std::to_string(signed_->record_count()) + " records, loaded in " +
                  milliseconds_text(std::chrono::steady_clock::now() - loading) + ")");
  // As BIND does when it loads a zone: a secondary that missed the NOTIFY
  // of the last commit (a kill between commit and answer, or it was down)
  // hears of the served serial now, not at its SOA retry timer.
  announce(signed_->serial());
  return base::ok();
}

asio::awaitable<bool> ZoneRuntime::refresh_from_primaries() {
  const auto notified = std::exchange(notified_, std::nullopt);
  for (const auto& primary : config_.primaries) {
    if (stop_requested_ || ctx_.stopping) co_return false;
    const std::string peer = primary.address.to_string();
    const xfr::TsigKey* key = primary.key ? ctx_.keyring.find(*primary.key) : nullptr;
    const auto address = to_asio(primary.address.ip);
    const auto asked = std::chrono::steady_clock::now();
    base::Result<uint32_t> serial = make_error(Errc::not_found, "no SOA query yet");
    if (notified && notified->first == primary.address.ip && upstream_soa_ && view_ &&
        dns::serial_lt(dns::soa_timers(upstream_soa_->rdatas()[0])->serial, notified->second)) {
      serial = notified->second;  // the primary just told us; its IXFR answer has the last word
    } else {
      serial = co_await xfr::query_soa_serial(asio::ip::udp::endpoint(address, primary.address.port),
                                              config_.name, key, std::chrono::seconds(5), ctx_.clock);
    }
    if (!serial) {
      record_error("SOA query to " + peer + " failed: " + serial.error().detail);
      continue;
    }
    last_contact_ = ctx_.clock.now();
    status_.with_lock([](ZoneStatus& s) { s.expired_upstream.reset(); });
    if (upstream_soa_ && view_ &&
        !dns::serial_lt(dns::soa_timers(upstream_soa_->rdatas()[0])->serial, *serial)) {
      status_.with_lock([&](ZoneStatus& s) {
        s.last_transfer_kind = "up-to-date";
        s.last_transfer_result = "ok";
        s.last_transfer_peer = peer;
        s.last_transfer_time = ctx_.clock.now();
      });
      co_return true;
    }
    xfr::TransferLimits limits;
    // A transfer that trickles must not hold up the re-signing that runs
    // on this strand after it.
    limits.total_timeout = std::clamp(std::chrono::duration_cast<seconds>(kasp_.signatures_refresh / 4),
                                      seconds{60}, limits.total_timeout);
    limits.max_records = config_.max_records;
    limits.max_bytes = config_.max_transfer_bytes;
    std::optional<dns::RRset> from;
    if (view_) from = upstream_soa_;
    const auto answered = std::chrono::steady_clock::now();
    auto transfer = co_await xfr::transfer_in(asio::ip::tcp::endpoint(address, primary.address.port),
                                              config_.name, from, key, limits, ctx_.clock);
    // Where the time of a change goes, for operators and benchmarks.
    const std::string took = " (SOA query " + milliseconds_text(answered - asked) + ", transfer " +
                             milliseconds_text(std::chrono::steady_clock::now() - answered) + ")";
    if (!transfer) {
      record_error("transfer from " + peer + " failed: " + transfer.error().detail);
      status_.with_lock([&](ZoneStatus& s) {
        s.last_transfer_kind = from ? "ixfr" : "axfr";
        s.last_transfer_result = transfer.error().detail;
        s.last_transfer_peer = peer;
        s.last_transfer_time = ctx_.clock.now();
      });
      continue;
    }
    if (transfer->dropped_dnssec > 0)
      base::log::warn(who() + ": dropped " + std::to_string(transfer->dropped_dnssec) +
                      " DNSSEC records from " + peer + " (signerd signs the zone itself)");
    std::string kind;
    base::Result<void> done = base::ok();
    switch (transfer->kind) {
      case xfr::TransferResult::Kind::up_to_date: kind = "up-to-date"; break;
      case xfr::TransferResult::Kind::axfr:
        kind = "axfr";
        done = commit_full(transfer->full, "AXFR from " + peer + took);
        break;
      case xfr::TransferResult::Kind::ixfr: {
        kind = "ixfr";
        dns::ZoneDiff merged = dns::merge_diffs(transfer->diffs);
        std::optional<dns::RRset> new_soa;
        for (const auto& rrset : merged.added)
          if (rrset.type() == dns::RRType::SOA) new_soa = rrset;
        if (!new_soa) {
          done = make_error(Errc::malformed, "IXFR without a new SOA");
          break;
        }
        dns::ZoneDiff change;
        change.from = view_->serial();
        change.to =
            policy::next_serial(config_.serial, signed_->serial(), transfer->serial, ctx_.clock.now());
        for (auto& rrset : merged.removed)
          if (rrset.type() != dns::RRType::SOA) change.removed.push_back(std::move(rrset));
        for (auto& rrset : merged.added)
          if (rrset.type() != dns::RRType::SOA) change.added.push_back(std::move(rrset));
        change.removed.push_back(*soa_of(*view_));
        auto ours = with_serial(*new_soa, change.to);
        if (!ours) {
          done = std::move(ours).error();
          break;
        }
        change.added.push_back(std::move(*ours));
        done = commit_change(change, new_soa, "IXFR from " + peer + took);
        break;
      }
    }
    status_.with_lock([&](ZoneStatus& s) {
      s.last_transfer_kind = kind;
      s.last_transfer_result = done ? "ok" : done.error().detail;
      s.last_transfer_peer = peer;
      s.last_transfer_time = ctx_.clock.now();
    });
    if (!done) {
      record_error(kind + " from " + peer + " not applied: " + done.error().detail);
      continue;
    }
    co_return true;
  }
  // No primary answered. SOA expire does not stop signing or serving: the
  // last zone stays and its signatures are kept fresh; say so loudly.
  if (view_ && last_contact_) {
    const auto expire = clamp_timer(dns::soa_timers(upstream_soa_->rdatas()[0])->expire);
    if (ctx_.clock.now() > *last_contact_ + expire) {
      base::log::warn(who() + ": no primary answered for longer than the SOA expire (" +
                      std::to_string(expire.count()) + " s); still serving and re-signing the last zone");
      status_.with_lock([&](ZoneStatus& s) {
        if (!s.expired_upstream) s.expired_upstream = *last_contact_ + expire;
      });
    }
  }
  co_return false;
}

base::Result<void> ZoneRuntime::commit_full(std::shared_ptr<const dns::ZoneVersion> upstream,
                                            std::string_view why) {
  auto upstream_soa = soa_of(*upstream);
  if (!upstream_soa) return make_error(Errc::malformed, "transferred zone has no SOA");
  const base::TimePoint now = ctx_.clock.now();
  const uint32_t serial = policy::next_serial(
      config_.serial, signed_ ? std::optional(signed_->serial()) : std::nullopt, upstream->serial(), now);
  // The signing view: the primary's data with our serial in the SOA.
  dns::ZoneDiff rewrite{upstream->serial(), serial, {*upstream_soa}, {}};
  auto ours = with_serial(*upstream_soa, serial);
  if (!ours) return std::move(ours).error();
  rewrite.added.push_back(std::move(*ours));
  std::shared_ptr<const dns::ZoneVersion> view = upstream;
  if (serial != upstream->serial()) {
    auto rewritten = dns::apply_diff(*upstream, rewrite);
    if (!rewritten) return std::move(rewritten).error();
    view = std::move(*rewritten);
  }
  if (view_ && signed_) {
    // A whole new zone while we hold one: sign only the difference, so
    // unchanged signatures stay and secondaries can still use IXFR.
    dns::ZoneDiff change = dns::diff_versions(*view_, *view);
    return commit_change(change, upstream_soa, why);
  }
  std::shared_ptr<const dns::ZoneVersion> signed_version;
  {
    std::lock_guard lock(ctx_.signing_lock);
    auto signed_zone = dnssec::sign_zone(*view, keys_, params_, now, ctx_.signing_workers);
    if (!signed_zone) return std::move(signed_zone).error();
    signed_version = std::move(*signed_zone);
  }
  {
    std::lock_guard lock(ctx_.offline_lock);
    auto saved = store::save_snapshot(ctx_.offline.db, *view, *signed_version, now);
    if (!saved) return std::move(saved).error();
  }
  view_ = view;
  signed_ = signed_version;
  upstream_soa_ = upstream_soa;
  journal_.clear();
  publish(signed_, std::nullopt);
  status_.with_lock([&](ZoneStatus& s) { s.upstream_serial = upstream->serial(); });
  track_expiry(nullptr);
  base::log::info(who() + ": " + std::string(why) + ": signed serial " + std::to_string(serial) +
                  " published (" + std::to_string(signed_->record_count()) + " records)");
  announce(serial);
  return base::ok();
}

base::Result<void> ZoneRuntime::commit_change(const dns::ZoneDiff& change,
                                              std::optional<dns::RRset> upstream_soa, std::string_view why,
                                              std::span<const dns::Name> refresh) {
  const base::TimePoint now = ctx_.clock.now();
  dnssec::SignedUpdate update;
  // The fast path signs only what the change touches (and re-signs there
  // what is due for refresh); a whole-zone pass when the change needs the
  // whole zone (new keys, ZONEMD, a new denial TTL: sign_change.hpp).
  bool whole_zone = false;
  const auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(ctx_.signing_lock);
    // A refresh slice signs thousands of RRsets: on every signing worker.
    std::optional<dnssec::SigningSession> slice_session;
    if (!refresh.empty()) {
      auto opened = dnssec::SigningSession::open(keys_, ctx_.signing_workers);
      if (!opened) return std::move(opened).error();
      slice_session = std::move(*opened);
    } else if (!session_) {
      auto opened = dnssec::SigningSession::open(keys_);
      if (!opened) return std::move(opened).error();
      session_ = std::move(*opened);
    }
    auto fast = dnssec::sign_change(*view_, *signed_, change, keys_, params_, now,
                                    slice_session ? &*slice_session : &*session_, refresh);
    if (!fast) {
      if (!slice_session) session_.reset();  // the next change opens a fresh one
      return std::move(fast).error();
    }
    if (*fast) {
      update = std::move(**fast);
    } else {
      whole_zone = true;
      auto signed_update =
          dnssec::sign_diff(*view_, *signed_, change, keys_, params_, now, ctx_.signing_workers);
      if (!signed_update) return std::move(signed_update).error();
      update = std::move(*signed_update);
    }
  }
  const auto signed_at = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(ctx_.offline_lock);
    auto appended = store::append_update(ctx_.offline.db, config_.name, change, update.signed_diff, now);
    if (!appended) return std::move(appended).error();
    for (const dns::ZoneDiff* diff : {&change, static_cast<const dns::ZoneDiff*>(&update.signed_diff)}) {
      for (const auto& rrset : diff->removed) records_since_compact_ += rrset.size();
      for (const auto& rrset : diff->added) records_since_compact_ += rrset.size();
    }
    if (records_since_compact_ >= std::max(kCompactMinRecords, update.signed_next->record_count() / 8)) {
      records_since_compact_ = 0;
      if (auto compacted =
              store::compact(ctx_.offline.db, config_.name, *update.unsigned_next, *update.signed_next, now);
          !compacted)
        base::log::warn(who() + ": store compaction failed (the journal still holds every change): " +
                        compacted.error().detail);
      (void)store::prune_journal(ctx_.offline.db, config_.name, kJournalEntries, 1ull << 30,
                                 std::chrono::hours(24 * 30), now);
    }
  }
  const auto committed_at = std::chrono::steady_clock::now();
  view_ = update.unsigned_next;
  signed_ = update.signed_next;
  if (upstream_soa) upstream_soa_ = std::move(upstream_soa);
  track_expiry(whole_zone ? nullptr : &update.signed_diff);
  publish(signed_, std::move(update.signed_diff));
  status_.with_lock([&](ZoneStatus& s) {
    if (upstream_soa_) s.upstream_serial = dns::soa_timers(upstream_soa_->rdatas()[0])->serial;
    s.signatures_made += update.signatures_made;
  });
  base::log::info(who() + ": " + std::string(why) + ": signed serial " + std::to_string(signed_->serial()) +
                  " published (" + std::to_string(update.signatures_made) + " signatures made, " +
                  (whole_zone ? "whole-zone pass" : "incremental") + ", signing " +
                  milliseconds_text(signed_at - started) + ", commit " +
                  milliseconds_text(committed_at - signed_at) + ")");
  announce(signed_->serial());
  return base::ok();
}

bool ZoneRuntime::refresh_due(base::TimePoint now) const {
  const auto when = to_time(earliest_expiration_, now);
  return when && *when <= now + params_.refresh;
}

asio::awaitable<void> ZoneRuntime::refresh_signatures() {
  const auto started = std::chrono::steady_clock::now();
  const uint32_t first = signed_->serial();
  while (!stop_requested_ && !ctx_.stopping && !woken_ && refresh_due(ctx_.clock.now())) {
    auto more = refresh_slice();
    if (!more) {
      record_error("signature refresh failed: " + more.error().detail);
      co_return;
    }
    if (!*more) break;
    // Let a NOTIFY or a stop that came meanwhile be seen (wake() posts to
    // this strand before it sets nothing else).
    co_await asio::post(strand_, asio::use_awaitable);
  }
  if (signed_->serial() != first) {
    base::log::info(who() + ": signature refresh: serials " + std::to_string(first) + " to " +
                    std::to_string(signed_->serial()) + " in " +
                    milliseconds_text(std::chrono::steady_clock::now() - started) +
                    (refresh_from_ ? " (to be continued after a change)" : ""));
  }
}

base::Result<bool> ZoneRuntime::refresh_slice() {
  const base::TimePoint now = ctx_.clock.now();
  // A slice is at most a sixteenth of the zone (at least 1,000 names), so
  // that a change from the primary waits for a sixteenth of a whole-zone
  // pass at most, and a pass makes 16 serials or so.
  const size_t max_names = std::max<size_t>(1000, view_->node_count() / 16);
  auto slice =
      dnssec::next_refresh_slice(*view_, *signed_, params_.denial,
                                 static_cast<uint32_t>((now + params_.refresh).time_since_epoch().count()),
                                 refresh_from_, max_names, max_names * 16);
  if (!slice) return std::move(slice).error();
  const bool first_of_pass = !refresh_from_;
  refresh_from_ = slice->next;
  if (!slice->names.empty()) SIGNERD_TRY(commit_slice(slice->names, first_of_pass));
  if (!refresh_from_) track_expiry(nullptr);  // a pass is complete: scan for the earliest again
  return refresh_from_.has_value();
}

base::Result<void> ZoneRuntime::commit_slice(std::span<const dns::Name> names, bool first_of_pass) {
  const uint32_t serial =
      policy::next_serial(config_.serial, signed_->serial(), view_->serial(), ctx_.clock.now());
  dns::ZoneDiff change{view_->serial(), serial, {}, {}};
  auto soa = soa_of(*view_);
  auto ours = with_serial(*soa, serial);
  if (!ours) return std::move(ours).error();
  change.removed.push_back(*soa);
  change.added.push_back(std::move(*ours));
  if (config_.serial == policy::SerialPolicy::keep && first_of_pass)
    base::log::warn(who() + ": signatures near expiry and no change from the primary: serial " +
                    std::to_string(serial) +
                    " (and the refresh's next slices) published ahead of the primary's");
  return commit_change(change, std::nullopt, "signature refresh", names);
}

void ZoneRuntime::publish(std::shared_ptr<const dns::ZoneVersion> signed_version,
                          std::optional<dns::ZoneDiff> signed_diff) {
  if (signed_diff) {
    journal_.push_back(std::make_shared<const dns::ZoneDiff>(std::move(*signed_diff)));
    if (journal_.size() > kJournalEntries) journal_.erase(journal_.begin());
  }
  auto served = std::make_shared<xfr::ServedZone>();
  served->signed_version = signed_version;
  served->journal = journal_;
  served_.store(std::move(served));
  status_.with_lock([&](ZoneStatus& s) {
    s.signed_serial = signed_version->serial();
    s.versions_published += 1;
  });
}

void ZoneRuntime::announce(uint32_t serial) {
  announced_serial_ = serial;
  for (const auto& peer : config_.notify) {
    const xfr::TsigKey* key = peer.key ? ctx_.keyring.find(*peer.key) : nullptr;
    asio::ip::udp::endpoint endpoint(to_asio(peer.address.ip), peer.address.port);
    asio::co_spawn(ctx_.io, notify_until_answered(endpoint, key, serial, peer.address.to_string()),
                   asio::detached);
  }
}

asio::awaitable<void> ZoneRuntime::notify_until_answered(asio::ip::udp::endpoint endpoint,
                                                         const xfr::TsigKey* key, uint32_t serial,
                                                         std::string name) {
  // Keeps the runtime alive while the coroutine runs on the network thread.
  auto self = shared_from_this();
  // RFC 1996 section 3.6 retries a few times; a secondary that stays
  // silent (down, restarting) is asked again, with back-off, until it
  // answers or a newer serial supersedes this one, so that it never waits
  // for its SOA retry timer (an hour in many zones). A restart announces
  // the served serial again (resume), so nothing owed is lost with the
  // process.
  std::chrono::seconds pause = kNotifyFirstPause;
  asio::steady_timer timer(ctx_.io);
  for (;;) {
    auto result =
        co_await xfr::send_notify(endpoint, config_.name, serial, key, xfr::NotifyRetry{}, ctx_.clock);
    NotifyStatus n{name, serial, result.answered, result.answered ? "answered" : result.error,
                   ctx_.clock.now()};
    status_.with_lock([&](ZoneStatus& s) {
      std::erase_if(s.last_notify, [&](const NotifyStatus& old) { return old.peer == name; });
      s.last_notify.push_back(std::move(n));
    });
    if (result.answered) co_return;
    const bool superseded = announced_serial_.load() != serial;
    if (superseded || stop_requested_ || ctx_.stopping) co_return;
    base::log::warn(who() + ": NOTIFY for serial " + std::to_string(serial) + " to " + name +
                    " not answered (" + result.error + "); asking again in " + std::to_string(pause.count()) +
                    " s");
    timer.expires_after(pause);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (announced_serial_.load() != serial || stop_requested_ || ctx_.stopping) co_return;
    pause = std::min(pause * 2, kNotifyMaxPause);
  }
}

base::TimePoint ZoneRuntime::next_wakeup(bool primary_reached) const {
  const base::TimePoint now = ctx_.clock.now();
  base::TimePoint next = now + kDefaultRetry;
  if (upstream_soa_) {
    auto timers = dns::soa_timers(upstream_soa_->rdatas()[0]);
    next = now + clamp_timer(primary_reached ? timers->refresh : timers->retry);
  }
  auto expiry = status_.with_lock([](const ZoneStatus& s) { return s.earliest_expiry; });
  if (expiry) next = std::min(next, std::max(now + kMinTimer, *expiry - kasp_.signatures_refresh));
  return next;
}

}  // namespace signerd
