// The one commit path (shared/DESIGN.md "Data flow" steps 3 to 5): a
// change is signed, the unsigned diff, the signed diff and the serial are
// committed in one transaction, the new version is published by an atomic
// swap and announced. Changes from the primary, refresh slices and key
// events all take it.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <utility>

#include "base/log.hpp"
#include "base/text.hpp"
#include "dns/soa.hpp"
#include "dnssec/sign_change.hpp"
#include "dnssec/sign_diff.hpp"
#include "signerd/zone_runtime.hpp"
#include "signerd/zone_steps.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"
#include "store/zone_store.hpp"

namespace signerd {
namespace {

// Journal entries kept in memory for IXFR out.
constexpr size_t kJournalEntries = 200;
// The store writes a fresh snapshot once the diffs since the last one hold
// an eighth of the zone's records (at least this many): a restart then
// replays little next to loading the snapshot, and writing a snapshot,
// which costs O(zone), stays rare next to the per-change work.
constexpr size_t kCompactMinRecords = 2000;

size_t records_in(const dns::ZoneDiff& diff) {
  size_t n = 0;
  for (const auto& rrset : diff.removed) n += rrset.size();
  for (const auto& rrset : diff.added) n += rrset.size();
  return n;
}

}  // namespace

base::Result<void> ZoneRuntime::commit(const ZoneChange& change, std::optional<SignedChange> presigned) {
  // A key event signs with its new key set; the old one stays if it fails.
  std::optional<dnssec::ZoneKeys> previous_keys;
  if (change.keys) {
    previous_keys = std::exchange(keys_, change.keys->signing);
    session_.reset();
  }
  auto restore_keys = [&] {
    if (!previous_keys) return;
    keys_ = std::move(*previous_keys);
    session_.reset();
  };
  auto signed_change = presigned ? base::Result<SignedChange>(std::move(*presigned)) : sign(change);
  if (!signed_change) {
    restore_keys();
    return std::move(signed_change).error();
  }
  std::optional<std::vector<store::KeyRecord>> key_records;
  if (change.keys) key_records = stamp_key_states(*change.keys, *signed_change, ctx_.clock.now());
  const auto stored_at = std::chrono::steady_clock::now();
  if (auto stored = store(change, *signed_change, key_records ? &*key_records : nullptr); !stored) {
    restore_keys();
    return stored;
  }
  const auto committed = std::chrono::steady_clock::now() - stored_at;
  const std::string how = !signed_change->signed_diff
                              ? std::to_string(signed_change->signed_next->record_count()) + " records, " +
                                    std::to_string(signed_change->signatures_made) +
                                    " signatures made, signing " +
                                    base::milliseconds_text(signed_change->signing)
                              : std::to_string(signed_change->signatures_made) + " signatures made, " +
                                    (signed_change->whole_zone_pass ? "whole-zone pass" : "incremental") +
                                    ", signing " + base::milliseconds_text(signed_change->signing) +
                                    ", commit " + base::milliseconds_text(committed);
  adopt(change, std::move(*signed_change));
  if (key_records) {
    key_records_ = std::move(*key_records);
    // New signers: the next re-signing walk starts at the apex, so that
    // its end means the whole zone was walked with these keys.
    refresh_from_.reset();
    key_pass_from_apex_ = false;
  }
  base::log::info(who() + ": " + change.why + ": signed serial " + std::to_string(signed_->serial()) +
                  " published (" + how + ")");
  if (change.keys)
    for (const auto& line : change.keys->audit) base::log::info(who() + ": " + line);
  announce(signed_->serial());
  return base::ok();
}

std::vector<store::KeyRecord> ZoneRuntime::stamp_key_states(const KeySetChange& keys,
                                                            const SignedChange& result,
                                                            base::TimePoint committed) const {
  std::vector<store::KeyRecord> records = keys.records;
  auto find = [&](int64_t id) -> store::KeyRecord* {
    for (auto& r : records)
      if (r.id == id) return &r;
    return nullptr;
  };
  // A state is entered when the version that serves it is committed and
  // offered (KASP.md section 2.2), not when it was decided before signing.
  for (const auto& t : keys.transitions)
    if (store::KeyRecord* r = find(t.key_id); r && r->life.state(t.record) == t.to)
      r->life.set(t.record, t.to, committed);
  // A whole-zone pass leaves every RRset signed by exactly the keys that
  // sign the zone: the signatures of a key coming in are complete, those
  // of a key going out gone, as of this version (the ZRRSIG waits count
  // from here instead of an assumed re-signing delay).
  if (result.whole_zone_pass) {
    for (auto& r : records) {
      if (!policy::has_record(r.role, policy::Record::zrrsig)) continue;
      const policy::RecordState z = r.life.state(policy::Record::zrrsig);
      if (z == policy::RecordState::rumoured && !r.life.signatures.complete)
        r.life.signatures.complete = committed;
      if (z == policy::RecordState::unretentive && !r.life.signatures.gone)
        r.life.signatures.gone = committed;
    }
  }
  return records;
}

base::Result<ZoneRuntime::SignedChange> ZoneRuntime::sign(const ZoneChange& change) {
  if (const auto* whole = std::get_if<std::shared_ptr<const dns::ZoneVersion>>(&change.content))
    return sign_whole(*whole);
  const auto& diff = std::get<dns::ZoneDiff>(change.content);
  if (keys_.keys.empty() && kasp_.keys.empty()) {
    auto next = dns::apply_diff(*view_, diff);
    if (!next) return std::move(next).error();
    return unsigned_change(std::move(*next), &diff);
  }
  const base::TimePoint now = ctx_.clock.now();
  const auto started = std::chrono::steady_clock::now();
  // The signing lock keeps one zone at a time on the signing workers: a
  // refresh slice or a whole-zone pass takes it, a change signed on this
  // thread alone does not, so that it never waits behind a slice being
  // signed off the strand (zone_resign.cpp).
  std::unique_lock lock(ctx_.signing_lock, std::defer_lock);
  // The fast path signs only what the change touches (and re-signs there
  // what is due for refresh); a whole-zone pass when the change needs the
  // whole zone (new keys, ZONEMD, a new denial TTL: sign_change.hpp).
  // A refresh slice signs thousands of RRsets: on every signing worker.
  std::optional<dnssec::SigningSession> slice_session;
  if (!change.refresh.empty()) {
    lock.lock();
    auto opened = dnssec::SigningSession::open(keys_, ctx_.signing_workers);
    if (!opened) return std::move(opened).error();
    slice_session = std::move(*opened);
  } else if (!session_) {
    auto opened = dnssec::SigningSession::open(keys_);
    if (!opened) return std::move(opened).error();
    session_ = std::move(*opened);
  }
  // A key event signs its new keys into the apex and what it reaches; the
  // walk of zone_resign.cpp brings the rest over, a slice at a time.
  const auto key_change = change.keys ? dnssec::KeyChange::gradual : dnssec::KeyChange::whole_zone;
  auto fast =
      change.whole_zone
          ? base::Result<std::optional<dnssec::SignedUpdate>>(std::optional<dnssec::SignedUpdate>{})
          : dnssec::sign_change(*view_, *signed_, diff, keys_, params_, now,
                                slice_session ? &*slice_session : &*session_, change.refresh, key_change);
  if (!fast) {
    if (!slice_session) session_.reset();  // the next change opens a fresh one
    return std::move(fast).error();
  }
  if (*fast) return SignedChange::of(std::move(**fast), std::chrono::steady_clock::now() - started);
  if (!lock.owns_lock()) lock.lock();
  auto whole = dnssec::sign_diff(*view_, *signed_, diff, keys_, params_, now, ctx_.signing_workers);
  if (!whole) return std::move(whole).error();
  return SignedChange::of(std::move(*whole), std::chrono::steady_clock::now() - started, true);
}

ZoneRuntime::SignedChange ZoneRuntime::unsigned_change(std::shared_ptr<const dns::ZoneVersion> next,
                                                       const dns::ZoneDiff* diff) const {
  SignedChange out;
  // The served version is the view itself. From a signed one (the last
  // step of going insecure) the diff takes every DNSSEC record out: a
  // whole-zone pass, O(zone) once; later the served version is the view,
  // so a change's own diff is the served diff.
  const bool was_signed = signed_ && signed_->apex().find(dns::RRType::DNSKEY).has_value();
  if (signed_) out.signed_diff = was_signed || diff == nullptr ? dns::diff_versions(*signed_, *next) : *diff;
  out.whole_zone_pass = was_signed;
  out.unsigned_next = next;
  out.signed_next = std::move(next);
  return out;
}

base::Result<ZoneRuntime::SignedChange> ZoneRuntime::sign_whole(
    std::shared_ptr<const dns::ZoneVersion> view) {
  if (keys_.keys.empty() && kasp_.keys.empty()) return unsigned_change(std::move(view), nullptr);
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard lock(ctx_.signing_lock);
  auto signed_zone = dnssec::sign_zone(*view, keys_, params_, ctx_.clock.now(), ctx_.signing_workers);
  if (!signed_zone) return std::move(signed_zone).error();
  SignedChange out;
  // A whole zone is signed afresh: every RRSIG in it was made now.
  (*signed_zone)->for_each_rrset([&](const dns::NodeView&, const dns::RRsetView& rrset) {
    if (rrset.type() == dns::RRType::RRSIG) out.signatures_made += rrset.size();
  });
  out.unsigned_next = std::move(view);
  out.signed_next = std::move(*signed_zone);
  out.whole_zone_pass = true;
  out.signing = std::chrono::steady_clock::now() - started;
  return out;
}

base::Result<void> ZoneRuntime::store(const ZoneChange& change, const SignedChange& result,
                                      const std::vector<store::KeyRecord>* key_records) {
  const base::TimePoint now = ctx_.clock.now();
  std::lock_guard lock(ctx_.offline_lock);
  store::Database& db = ctx_.offline.db;
  // The version, the key states it enacts and their audit lines: one
  // transaction (save_snapshot and append_update nest in it).
  auto tx = store::Transaction::begin(db);
  if (!tx) return std::move(tx).error();
  if (!result.signed_diff) {
    SIGNERD_TRY(store::save_snapshot(db, *result.unsigned_next, *result.signed_next, now));
  } else {
    SIGNERD_TRY(store::append_update(db, config_.name, std::get<dns::ZoneDiff>(change.content),
                                     *result.signed_diff, now));
  }
  // The primary's serial whose data this version holds: the IXFR base
  // after a restart (REVIEW H1).
  const std::optional<dns::RRset>& upstream = change.upstream_soa ? change.upstream_soa : upstream_soa_;
  if (upstream && (change.upstream_soa || upstream_serial_known_))
    SIGNERD_TRY(store::set_upstream_serial(db, config_.name, dns::soa_timers(upstream->rdatas()[0])->serial));
  if (key_records != nullptr) SIGNERD_TRY(write_key_rows(*key_records, change.keys->audit, now));
  SIGNERD_TRY(tx->commit());
  if (result.signed_diff) compact_if_due(std::get<dns::ZoneDiff>(change.content), result, now);
  return base::ok();
}

void ZoneRuntime::compact_if_due(const dns::ZoneDiff& diff, const SignedChange& result, base::TimePoint now) {
  records_since_compact_ += records_in(diff) + records_in(*result.signed_diff);
  if (records_since_compact_ < std::max(kCompactMinRecords, result.signed_next->record_count() / 8)) return;
  // A snapshot costs O(zone) on the strand (seconds at 1M names): not in
  // the middle of a re-signing walk, whose serials would have a change
  // wait behind it many times; the first commit after the walk writes it.
  if (slice_ || refresh_from_) return;
  records_since_compact_ = 0;
  if (auto compacted =
          store::compact(ctx_.offline.db, config_.name, *result.unsigned_next, *result.signed_next, now);
      !compacted)
    base::log::warn(who() + ": store compaction failed (the journal still holds every change): " +
                    compacted.error().detail);
  if (auto pruned = store::prune_journal(ctx_.offline.db, config_.name, kJournalEntries, 1ull << 30,
                                         std::chrono::hours(24 * 30), now);
      !pruned)
    base::log::warn(who() + ": pruning the stored journal failed: " + pruned.error().detail);
}

void ZoneRuntime::adopt(const ZoneChange& change, SignedChange result) {
  note_commit_for_slice(change, result);
  view_ = std::move(result.unsigned_next);
  signed_ = std::move(result.signed_next);
  if (change.upstream_soa) {
    upstream_soa_ = change.upstream_soa;
    upstream_serial_known_ = true;
  }
  const bool whole = result.whole_zone_pass || !result.signed_diff;
  if (!result.signed_diff) journal_.clear();
  track_expiry(whole ? nullptr : &*result.signed_diff);
  publish(signed_, std::move(result.signed_diff));
  status_.with_lock([&](ZoneStatus& s) {
    if (upstream_soa_ && upstream_serial_known_)
      s.upstream_serial = dns::soa_timers(upstream_soa_->rdatas()[0])->serial;
    s.signatures_made += result.signatures_made;
  });
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

void ZoneRuntime::track_expiry(const dns::ZoneDiff* signed_diff) {
  // A full scan costs O(zone); after a diff only the added RRSIGs can lower
  // the earliest expiration. One the diff removed may have been it: the
  // value kept is then a little early, never late, and the refresh it
  // brings forward is a whole-zone pass that scans again.
  if (signed_diff == nullptr || !earliest_expiration_)
    earliest_expiration_ = earliest_expiration(*signed_);
  else
    fold_added_expirations(*signed_diff, earliest_expiration_);
  const auto when = expiration_time(earliest_expiration_, ctx_.clock.now());
  status_.with_lock([&](ZoneStatus& s) { s.earliest_expiry = when; });
}

}  // namespace signerd
