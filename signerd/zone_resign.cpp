// The re-sign event: signatures that come within signatures-refresh of
// expiry are re-signed in slices, each slice a serial of its own through
// the commit path, so that a change from the primary waits for one slice,
// not for a whole-zone pass (README "Incremental signing").
#include <algorithm>
#include <chrono>

#include "base/log.hpp"
#include "base/text.hpp"
#include "dnssec/refresh_slice.hpp"
#include "policy/serial_policy.hpp"
#include "signerd/zone_runtime.hpp"
#include "signerd/zone_steps.hpp"
#include "store/keys.hpp"

namespace signerd {

bool ZoneRuntime::refresh_due(base::TimePoint now) const {
  const auto when = expiration_time(earliest_expiration_, now);
  return when && *when <= now + params_.refresh;
}

asio::awaitable<void> ZoneRuntime::refresh_signatures() {
  const auto started = std::chrono::steady_clock::now();
  const uint32_t first = signed_->serial();
  // The first slice runs even when a NOTIFY came meanwhile: a steady
  // stream of them would otherwise starve the refresh until signatures
  // expire (REVIEW H3); later slices yield to a change.
  for (bool first_slice = true; !stop_requested_ && !ctx_.stopping && (first_slice || !woken_) &&
                                (refresh_due(ctx_.clock.now()) || signatures_pending());
       first_slice = false) {
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
                    base::milliseconds_text(std::chrono::steady_clock::now() - started) +
                    (refresh_from_ ? " (to be continued after a change)" : ""));
  }
}

base::Result<bool> ZoneRuntime::refresh_slice() {
  const base::TimePoint now = ctx_.clock.now();
  // A slice is at most a sixteenth of the zone (at least 1,000 names), so
  // that a change from the primary waits for a sixteenth of a whole-zone
  // pass at most, and a pass makes 16 serials or so.
  const size_t max_names = std::max<size_t>(1000, view_->node_count() / 16);
  const bool key_pass = signatures_pending();
  auto slice = dnssec::next_refresh_slice(
      *view_, *signed_, params_.denial,
      static_cast<uint32_t>((now + params_.refresh).time_since_epoch().count()), refresh_from_, max_names,
      max_names * 16, key_pass ? dnssec::StaleSigners::due : dnssec::StaleSigners::ignore);
  if (!slice) return std::move(slice).error();
  const bool first_of_pass = !refresh_from_;
  if (first_of_pass) key_pass_from_apex_ = key_pass;
  refresh_from_ = slice->next;
  if (!slice->names.empty()) SIGNERD_TRY(commit_slice(slice->names, first_of_pass, key_pass));
  if (!refresh_from_) {
    track_expiry(nullptr);  // a pass is complete: scan for the earliest again
    if (std::exchange(key_pass_from_apex_, false) && signatures_pending()) finish_key_pass();
  }
  return refresh_from_.has_value();
}

bool ZoneRuntime::signatures_pending() const {
  return std::any_of(key_records_.begin(), key_records_.end(), [](const store::KeyRecord& k) {
    if (!policy::has_record(k.role, policy::Record::zrrsig)) return false;
    const policy::RecordState z = k.life.state(policy::Record::zrrsig);
    return (z == policy::RecordState::rumoured && !k.life.signatures.complete) ||
           (z == policy::RecordState::unretentive && !k.life.signatures.gone);
  });
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
    if (!policy::has_record(k.role, policy::Record::zrrsig)) continue;
    const policy::RecordState z = k.life.state(policy::Record::zrrsig);
    if (z == policy::RecordState::rumoured && !k.life.signatures.complete) {
      k.life.signatures.complete = now;
      seen.audit.push_back("signatures of " + key_name(k) +
                           " complete: every RRset is signed by it (serial " +
                           std::to_string(signed_->serial()) + ")");
    } else if (z == policy::RecordState::unretentive && !k.life.signatures.gone) {
      k.life.signatures.gone = now;
      seen.audit.push_back("signatures of " + key_name(k) + " gone from the zone (serial " +
                           std::to_string(signed_->serial()) + ")");
    }
  }
  if (auto stored = store_key_states(seen); !stored) {
    record_error("recording the re-signing walk's end: " + stored.error().detail);
    return;
  }
  for (const auto& line : seen.audit) base::log::info(who() + ": " + line);
  key_records_ = std::move(seen.records);
  run_key_event();
}

base::Result<void> ZoneRuntime::commit_slice(std::span<const dns::Name> names, bool first_of_pass,
                                             bool key_pass) {
  const uint32_t serial =
      policy::next_serial(config_.serial, signed_->serial(), view_->serial(), ctx_.clock.now());
  auto change = soa_bump(*view_, serial);
  if (!change) return std::move(change).error();
  if (config_.serial == policy::SerialPolicy::keep && first_of_pass)
    base::log::warn(who() + ": signatures near expiry and no change from the primary: serial " +
                    std::to_string(serial) +
                    " (and the refresh's next slices) published ahead of the primary's");
  return commit(ZoneChange{std::move(*change), std::nullopt,
                           key_pass ? "re-signing with the zone's keys" : "signature refresh", names,
                           std::nullopt});
}

}  // namespace signerd
