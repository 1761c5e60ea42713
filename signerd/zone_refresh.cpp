// The refresh event: SOA query to the primaries in order, IXFR or AXFR
// from the first that has something newer, and the change it brings into
// the commit path (zone_runtime.hpp).
#include <algorithm>
#include <chrono>
#include <utility>

#include "base/log.hpp"
#include "base/text.hpp"
#include "dns/serial.hpp"
#include "dns/soa.hpp"
#include "dns/zone_diff_merge.hpp"
#include "policy/serial_policy.hpp"
#include "signerd/asio_address.hpp"
#include "signerd/zone_runtime.hpp"
#include "signerd/zone_steps.hpp"
#include "signerd/zone_timers.hpp"
#include "xfr/soa_query.hpp"
#include "xfr/transfer_in.hpp"

namespace signerd {

using base::Errc;
using base::make_error;
using std::chrono::seconds;

void ZoneRuntime::note_transfer(std::string_view kind, std::string_view result, const std::string& peer) {
  status_.with_lock([&](ZoneStatus& s) {
    s.last_transfer_kind = std::string(kind);
    s.last_transfer_result = std::string(result);
    s.last_transfer_peer = peer;
    s.last_transfer_time = ctx_.clock.now();
    if (kind != "up-to-date") ++s.transfers_in[{std::string(kind), result == "ok"}];
  });
}

void ZoneRuntime::retransfer() {
  retransfer_ = true;
  wake();
}

asio::awaitable<bool> ZoneRuntime::refresh_from_primaries() {
  const auto notified = std::exchange(notified_, std::nullopt);
  // The operator asked AXFR (retransfer()): no IXFR base, and a primary
  // with the serial we hold is asked all the same.
  const bool operator_axfr = retransfer_.exchange(false);
  std::string newer_not_taken;  // why a primary's newer serial was not taken this round
  auto taken = [this] {         // the primary's zone is held: no failed rounds any more
    status_.with_lock([](ZoneStatus& s) {
      s.failed_refreshes = 0;
      s.failed_refresh_reason.clear();
    });
  };
  for (const auto& primary : config_.primaries) {
    if (stop_requested_ || ctx_.stopping) co_return false;
    const std::string peer = primary.address.to_string();
    auto tsig = tsig_key(primary.key);
    if (!tsig) {
      record_error("primary " + peer + ": " + tsig.error().detail);
      continue;
    }
    const xfr::TsigKey* key = *tsig;
    const auto address = to_asio(primary.address.ip);
    const auto asked = std::chrono::steady_clock::now();
    base::Result<uint32_t> serial = make_error(Errc::not_found, "no SOA query yet");
    if (notified && notified->first == primary.address.ip && upstream_serial_known_ && view_ &&
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
    if (!operator_axfr && upstream_serial_known_ && view_ &&
        !dns::serial_lt(dns::soa_timers(upstream_soa_->rdatas()[0])->serial, *serial)) {
      note_transfer("up-to-date", "ok", peer);
      taken();
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
    if (view_ && upstream_serial_known_ && !operator_axfr) from = upstream_soa_;
    const auto answered = std::chrono::steady_clock::now();
    auto transfer = co_await xfr::transfer_in(asio::ip::tcp::endpoint(address, primary.address.port),
                                              config_.name, from, key, limits, ctx_.clock);
    // Where the time of a change goes, for operators and benchmarks.
    const std::string took = " (SOA query " + base::milliseconds_text(answered - asked) + ", transfer " +
                             base::milliseconds_text(std::chrono::steady_clock::now() - answered) + ")";
    if (!transfer) {
      record_error("transfer from " + peer + " failed: " + transfer.error().detail);
      note_transfer(from ? "ixfr" : "axfr", transfer.error().detail, peer);
      newer_not_taken = "transfer from " + peer + ": " + transfer.error().detail;
      continue;
    }
    if (transfer->dropped_dnssec > 0)
      base::log::warn(who() + ": dropped " + std::to_string(transfer->dropped_dnssec) +
                      " DNSSEC records from " + peer + " (signerd signs the zone itself)");
    auto applied = apply_transfer(*transfer, peer, took);
    if (!applied && transfer->kind == xfr::TransferResult::Kind::ixfr) {
      // The primary's diff does not fit what we hold (its journal was
      // rebuilt, a file edited under the same serial): as BIND does on
      // DNS_R_BADIXFR, take its whole zone once instead of asking the same
      // IXFR forever (REVIEW M1).
      base::log::warn(who() + ": the IXFR from " + peer + " does not apply to the zone held; asking AXFR");
      const auto axfr_asked = std::chrono::steady_clock::now();
      auto full = co_await xfr::transfer_in(asio::ip::tcp::endpoint(address, primary.address.port),
                                            config_.name, std::nullopt, key, limits, ctx_.clock);
      const std::string axfr_took =
          " (AXFR after IXFR " + base::milliseconds_text(std::chrono::steady_clock::now() - axfr_asked) + ")";
      if (!full) {
        record_error("transfer from " + peer + " failed: " + full.error().detail);
        note_transfer("axfr", full.error().detail, peer);
        newer_not_taken = "AXFR from " + peer + ": " + full.error().detail;
        continue;
      }
      applied = apply_transfer(*full, peer, axfr_took);
    }
    if (applied) {
      taken();
      co_return true;
    }
    newer_not_taken = "from " + peer + ": " + applied.error().detail;
  }
  if (!newer_not_taken.empty())
    status_.with_lock([&](ZoneStatus& s) {
      ++s.failed_refreshes;
      s.failed_refresh_reason = newer_not_taken;
    });
  check_upstream_expiry();
  co_return false;
}

base::Result<void> ZoneRuntime::apply_transfer(xfr::TransferResult& transfer, const std::string& peer,
                                               const std::string& took) {
  std::string kind;
  base::Result<void> done = base::ok();
  const base::TimePoint now = ctx_.clock.now();
  switch (transfer.kind) {
    case xfr::TransferResult::Kind::up_to_date: kind = "up-to-date"; break;
    case xfr::TransferResult::Kind::axfr: {
      kind = "axfr";
      auto upstream_soa = apex_soa(*transfer.full);
      if (!upstream_soa) {
        done = make_error(Errc::malformed, "transferred zone has no SOA");
        break;
      }
      const uint32_t serial =
          policy::next_serial(config_.serial, signed_ ? std::optional(signed_->serial()) : std::nullopt,
                              transfer.full->serial(), now);
      auto view = signing_view(transfer.full, serial);
      if (!view) {
        done = std::move(view).error();
        break;
      }
      // A whole new zone while we hold one: sign only the difference, so
      // unchanged signatures stay and secondaries can still use IXFR.
      ZoneChange change{dns::ZoneDiff{}, upstream_soa, "AXFR from " + peer + took, {}, std::nullopt};
      if (view_ && signed_) {
        change.content = dns::diff_versions(*view_, **view);
      } else {
        // The first signed version enacts the key states the state
        // machine takes for it (a first key: DNSKEY and signatures
        // introduced together, KASP.md section 1.4).
        change.content = std::move(*view);
        auto ev = evaluate_keys(now, {});
        if (!ev) {
          done = std::move(ev).error();
          break;
        }
        key_wakeup_ = ev->next_wakeup;
        change.keys = key_set_change(*ev);
        done = commit(change);
        show_keys(&*ev);
        break;
      }
      done = commit(change);
      break;
    }
    case xfr::TransferResult::Kind::ixfr: {
      kind = "ixfr";
      dns::ZoneDiff merged = dns::merge_diffs(transfer.diffs);
      std::optional<dns::RRset> new_soa;
      for (const auto& rrset : merged.added)
        if (rrset.type() == dns::RRType::SOA) new_soa = rrset;
      const uint32_t serial = policy::next_serial(config_.serial, signed_->serial(), transfer.serial, now);
      auto change = signing_change(*view_, std::move(merged), serial);
      if (!change) {
        done = std::move(change).error();
        break;
      }
      done = commit(ZoneChange{std::move(*change), new_soa, "IXFR from " + peer + took, {}, std::nullopt});
      break;
    }
  }
  note_transfer(kind, done ? "ok" : done.error().detail, peer);
  if (!done) record_error(kind + " from " + peer + " not applied: " + done.error().detail);
  return done;
}

void ZoneRuntime::check_upstream_expiry() {
  // No primary answered. SOA expire does not stop signing or serving: the
  // last zone stays and its signatures are kept fresh; say so loudly.
  if (!view_ || !last_contact_) return;
  const auto expire = bounded_soa_timer(dns::soa_timers(upstream_soa_->rdatas()[0])->expire);
  if (ctx_.clock.now() <= *last_contact_ + expire) return;
  base::log::warn(who() + ": no primary answered for longer than the SOA expire (" +
                  std::to_string(expire.count()) + " s); still serving and re-signing the last zone");
  status_.with_lock([&](ZoneStatus& s) {
    if (!s.expired_upstream) s.expired_upstream = *last_contact_ + expire;
  });
}

}  // namespace signerd
