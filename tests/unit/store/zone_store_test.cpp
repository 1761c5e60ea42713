#include "store/zone_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dns/zone_diff.hpp"
#include "store_test_util.hpp"
#include "zone_test_zones.hpp"

namespace signerd::store {
namespace {

using std::chrono::seconds;
using test::corner_zone_text;
using test::dump;
using test::zone_from_text;
using Version = std::shared_ptr<const dns::ZoneVersion>;

const base::TimePoint kT0{seconds(1'800'000'000)};

dns::Name zone_name() { return *dns::Name::from_text("example."); }

// Unsigned serial n pairs with signed serial 1000 + n; the "signed" zone
// differs from the unsigned one (extra RRSIG groups) as a real one would.
Version unsigned_v(uint32_t serial, int variant) { return zone_from_text(corner_zone_text(serial, variant)); }
Version signed_v(uint32_t serial, int variant) {
  std::string text = corner_zone_text(1000 + serial, variant);
  text += "ns1 300 RRSIG A 13 2 300 20300101000000 20200101000000 12345 example. " +
          std::string(variant % 2 ? "AAEC" : "AwQF") + "\n";
  return zone_from_text(text);
}

class ZoneStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.file("signerd.db"));
    ASSERT_TRUE(db) << db.error().to_string();
    db_ = std::make_unique<Database>(std::move(*db));
    for (int v = 0; v <= 3; ++v) {
      u_.push_back(unsigned_v(static_cast<uint32_t>(v + 1), v));
      s_.push_back(signed_v(static_cast<uint32_t>(v + 1), v));
      ASSERT_TRUE(u_.back() && s_.back());
    }
  }

  void reopen() {
    db_.reset();
    auto db = Database::open(dir_.file("signerd.db"));
    ASSERT_TRUE(db) << db.error().to_string();
    db_ = std::make_unique<Database>(std::move(*db));
  }

  StoredZone load() {
    auto z = load_zone(*db_, zone_name());
    EXPECT_TRUE(z) << z.error().to_string();
    EXPECT_TRUE(z && *z);
    return z && *z ? std::move(**z) : StoredZone{};
  }

  // Appends the step from version i to i + 1.
  Result<void> step(size_t i, base::TimePoint when) {
    return append_update(*db_, zone_name(), dns::diff_versions(*u_[i], *u_[i + 1]),
                         dns::diff_versions(*s_[i], *s_[i + 1]), when);
  }

  test::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::vector<Version> u_, s_;
};

TEST_F(ZoneStoreTest, UnknownZoneLoadsAsNothing) {
  auto z = load_zone(*db_, zone_name());
  ASSERT_TRUE(z) << z.error().to_string();
  EXPECT_FALSE(*z);
  EXPECT_TRUE(list_zones(*db_)->empty());
}

TEST_F(ZoneStoreTest, SnapshotSurvivesReopenRecordForRecord) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  reopen();
  StoredZone z = load();
  ASSERT_TRUE(z.unsigned_version && z.signed_version);
  EXPECT_EQ(dump(*z.unsigned_version), dump(*u_[0]));
  EXPECT_EQ(dump(*z.signed_version), dump(*s_[0]));
  EXPECT_TRUE(z.journal.empty());
  EXPECT_EQ(*list_zones(*db_), std::vector<std::string>{"example."});
}

// The point of the store: what a restart rebuilds equals applying every
// diff in turn, and the journal is the signed diffs, oldest first.
TEST_F(ZoneStoreTest, UpdatesReplayedOnLoadEqualApplyingEachDiff) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  Version expect_u = u_[0];
  Version expect_s = s_[0];
  std::vector<dns::ZoneDiff> signed_diffs;
  for (size_t i = 0; i + 1 < u_.size(); ++i) {
    auto r = step(i, kT0 + seconds(i + 1));
    ASSERT_TRUE(r) << r.error().to_string();
    signed_diffs.push_back(dns::diff_versions(*s_[i], *s_[i + 1]));
    expect_u = *dns::apply_diff(*expect_u, dns::diff_versions(*u_[i], *u_[i + 1]));
    expect_s = *dns::apply_diff(*expect_s, signed_diffs.back());
  }
  reopen();
  StoredZone z = load();
  ASSERT_TRUE(z.unsigned_version && z.signed_version);
  EXPECT_EQ(dump(*z.unsigned_version), dump(*expect_u));
  EXPECT_EQ(dump(*z.signed_version), dump(*expect_s));
  EXPECT_EQ(dump(*z.signed_version), dump(*s_.back()));
  EXPECT_EQ(z.signed_version->serial(), 1004u);
  ASSERT_EQ(z.journal.size(), signed_diffs.size());
  for (size_t i = 0; i < signed_diffs.size(); ++i) {
    EXPECT_EQ(z.journal[i].from, signed_diffs[i].from);
    EXPECT_EQ(z.journal[i].to, signed_diffs[i].to);
    EXPECT_EQ(z.journal[i].removed, signed_diffs[i].removed);
    EXPECT_EQ(z.journal[i].added, signed_diffs[i].added);
  }
}

// The second check (the signed serial) fails only after the journal row is
// inserted: the rollback must take that row away too.
TEST_F(ZoneStoreTest, ConflictingUpdateChangesNothing) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  auto before = load();
  auto again = step(0, kT0);  // from serials 1/1001, but the store is at 2/1002
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, base::Errc::conflict);
  EXPECT_NE(again.error().detail.find("does not continue the stored 2/1002"), std::string::npos)
      << again.error().detail;
  // Unsigned continues, signed does not.
  auto half = append_update(*db_, zone_name(), dns::diff_versions(*u_[1], *u_[2]),
                            dns::diff_versions(*s_[0], *s_[1]), kT0);
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().code, base::Errc::conflict);
  reopen();
  auto after = load();
  EXPECT_EQ(dump(*after.unsigned_version), dump(*before.unsigned_version));
  EXPECT_EQ(dump(*after.signed_version), dump(*before.signed_version));
  EXPECT_EQ(after.journal.size(), 1u);
  ASSERT_TRUE(step(1, kT0));  // the right continuation still goes in
  EXPECT_EQ(load().signed_version->serial(), 1003u);
}

// A failure half-way through a snapshot (injected by a trigger once the
// journal is deleted and the unsigned snapshot written) leaves the previous
// state whole, in this connection and after a reopen.
TEST_F(ZoneStoreTest, FailureHalfWayThroughASnapshotLeavesThePreviousState) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  const auto before = load();
  ASSERT_TRUE(
      db_->exec("CREATE TEMP TRIGGER fail_signed BEFORE INSERT ON zone_snapshot_chunks "
                "WHEN (SELECT kind FROM zone_snapshots WHERE id = NEW.snapshot_id) = 'signed' "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"));
  auto r = save_snapshot(*db_, *u_[3], *s_[3], kT0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("injected failure"), std::string::npos) << r.error().detail;
  EXPECT_FALSE(compact(*db_, zone_name(), *u_[1], *s_[1], kT0));
  for (bool reopened : {false, true}) {
    if (reopened) reopen();
    auto after = load();
    ASSERT_TRUE(after.signed_version) << reopened;
    EXPECT_EQ(dump(*after.unsigned_version), dump(*before.unsigned_version));
    EXPECT_EQ(dump(*after.signed_version), dump(*before.signed_version));
    EXPECT_EQ(after.journal.size(), 1u);
  }
  ASSERT_TRUE(compact(*db_, zone_name(), *u_[1], *s_[1], kT0));  // the trigger went with the connection
}

// A reader (transfers out, a status page) loads while the signer holds the
// write lock, and sees the last commit, not the writer's pending rows.
TEST_F(ZoneStoreTest, LoadSeesTheLastCommitWhileAWriterIsBusy) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  SIGNERD_ASSERT_OPEN(writer, dir_.file("signerd.db"));
  auto tx = Transaction::begin(writer);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(writer.exec("DELETE FROM zone_journal"));
  ASSERT_TRUE(writer.exec("UPDATE zone_state SET signed_serial = 7"));
  StoredZone z = load();
  ASSERT_TRUE(z.signed_version);
  EXPECT_EQ(z.signed_version->serial(), 1001u);
}

TEST_F(ZoneStoreTest, UpdateOfAZoneWithoutSnapshotIsNotFound) {
  auto r = step(0, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::Errc::not_found);
}

TEST_F(ZoneStoreTest, SaveSnapshotReplacesStateAndClearsTheJournal) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  ASSERT_TRUE(step(1, kT0));
  ASSERT_TRUE(save_snapshot(*db_, *u_[3], *s_[3], kT0));  // an AXFR in
  StoredZone z = load();
  EXPECT_TRUE(z.journal.empty());
  EXPECT_EQ(dump(*z.signed_version), dump(*s_[3]));
  // Names compare case-insensitively: the same zone, one row.
  auto upper = zone_from_text(corner_zone_text(5), "EXAMPLE.");
  ASSERT_TRUE(save_snapshot(*db_, *unsigned_v(5, 0), *upper, kT0));
  EXPECT_EQ(*list_zones(*db_), std::vector<std::string>{"example."});
  EXPECT_EQ(load().signed_version->serial(), 5u);
  auto other = zone_from_text("@ 60 SOA ns hm 1 2 3 4 5\n@ 60 NS ns.example.\n", "other.");
  EXPECT_EQ(save_snapshot(*db_, *u_[0], *other, kT0).error().code, base::Errc::invalid_argument);
}

// REVIEW.md H1: the primary's serial is not the unsigned version's (that
// carries signerd's serial), so a restart must find it stored.
TEST_F(ZoneStoreTest, UpstreamSerialIsKeptAcrossUpdatesSnapshotsAndReopen) {
  EXPECT_EQ(set_upstream_serial(*db_, zone_name(), 7).error().code, base::Errc::not_found);
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  EXPECT_EQ(load().upstream_serial, std::nullopt);  // never said: unknown, not 0
  {
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(step(0, kT0));
    ASSERT_TRUE(set_upstream_serial(*db_, zone_name(), 103));
    ASSERT_TRUE(tx->commit());
  }
  reopen();
  EXPECT_EQ(load().upstream_serial, 103u);
  ASSERT_TRUE(compact(*db_, zone_name(), *u_[1], *s_[1], kT0));
  EXPECT_EQ(load().upstream_serial, 103u);
  {
    // Rolled back with the update it belongs to.
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(step(1, kT0));
    ASSERT_TRUE(set_upstream_serial(*db_, zone_name(), 104));
  }
  EXPECT_EQ(load().upstream_serial, 103u);
  EXPECT_EQ(load().signed_version->serial(), s_[1]->serial());
  ASSERT_TRUE(set_upstream_serial(*db_, zone_name(), 4'294'967'295u));
  EXPECT_EQ(load().upstream_serial, 4'294'967'295u);
}

TEST_F(ZoneStoreTest, CompactKeepsTheJournalAndPruneDropsOnlyWhatTheSnapshotHolds) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0 + seconds(10)));
  ASSERT_TRUE(step(1, kT0 + seconds(20)));
  auto stale = compact(*db_, zone_name(), *u_[1], *s_[1], kT0);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, base::Errc::conflict);
  ASSERT_TRUE(compact(*db_, zone_name(), *u_[2], *s_[2], kT0 + seconds(30)));
  ASSERT_TRUE(step(2, kT0 + seconds(40)));
  reopen();
  StoredZone z = load();
  EXPECT_EQ(dump(*z.signed_version), dump(*s_[3]));
  EXPECT_EQ(dump(*z.unsigned_version), dump(*u_[3]));
  ASSERT_EQ(z.journal.size(), 3u);  // two before the snapshot, one after

  // One entry allowed: only the two inside the snapshot may go.
  ASSERT_TRUE(prune_journal(*db_, zone_name(), 1, UINT64_MAX, seconds(1'000'000), kT0 + seconds(50)));
  z = load();
  ASSERT_EQ(z.journal.size(), 1u);
  EXPECT_EQ(z.journal[0].from, 1003u);
  EXPECT_EQ(dump(*z.signed_version), dump(*s_[3]));

  // Age: nothing inside the snapshot is left, so the newest entry stays.
  ASSERT_TRUE(prune_journal(*db_, zone_name(), 0, 0, seconds(0), kT0 + seconds(1000)));
  EXPECT_EQ(load().journal.size(), 1u);
  ASSERT_TRUE(compact(*db_, zone_name(), *u_[3], *s_[3], kT0 + seconds(60)));
  ASSERT_TRUE(prune_journal(*db_, zone_name(), 10, UINT64_MAX, seconds(1000), kT0 + seconds(100)));
  EXPECT_EQ(load().journal.size(), 1u);  // young and few: kept
  ASSERT_TRUE(prune_journal(*db_, zone_name(), 10, 1, seconds(1000), kT0 + seconds(100)));
  EXPECT_TRUE(load().journal.empty());  // over the byte budget
  EXPECT_EQ(dump(*load().signed_version), dump(*s_[3]));
}

TEST_F(ZoneStoreTest, PruneByAgeDropsOldEntriesOnly) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  ASSERT_TRUE(step(1, kT0 + seconds(100)));
  ASSERT_TRUE(compact(*db_, zone_name(), *u_[2], *s_[2], kT0 + seconds(100)));
  ASSERT_TRUE(prune_journal(*db_, zone_name(), 100, UINT64_MAX, seconds(50), kT0 + seconds(120)));
  auto z = load();
  ASSERT_EQ(z.journal.size(), 1u);
  EXPECT_EQ(z.journal[0].to, 1003u);
}

TEST_F(ZoneStoreTest, CorruptedSnapshotChunkIsMalformedNamingTheZone) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  ASSERT_TRUE(
      db_->exec("UPDATE zone_snapshot_chunks SET data = substr(data, 1, length(data) - 5) "
                "WHERE snapshot_id = (SELECT signed_snapshot FROM zone_state)"));
  auto z = load_zone(*db_, zone_name());
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, base::Errc::malformed);
  EXPECT_NE(z.error().detail.find("zone example. signed snapshot: offset"), std::string::npos)
      << z.error().detail;
}

TEST_F(ZoneStoreTest, MissingChunkOrCorruptJournalIsMalformed) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  ASSERT_TRUE(db_->exec("UPDATE zone_snapshots SET chunks = chunks + 1"));
  auto z = load_zone(*db_, zone_name());
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, base::Errc::malformed);
  EXPECT_NE(z.error().detail.find("snapshot chunks do not run"), std::string::npos) << z.error().detail;
  ASSERT_TRUE(db_->exec("UPDATE zone_snapshots SET chunks = chunks - 1"));
  ASSERT_TRUE(load_zone(*db_, zone_name()));

  ASSERT_TRUE(db_->exec("UPDATE zone_journal SET signed_diff = substr(signed_diff, 1, 30)"));
  z = load_zone(*db_, zone_name());
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, base::Errc::malformed);
  EXPECT_NE(z.error().detail.find("zone example. journal entry 1 signed diff: offset"), std::string::npos)
      << z.error().detail;
}

// A journal that decodes but does not apply (here: one that claims to
// remove an RR the snapshot lacks) is refused, not silently merged.
TEST_F(ZoneStoreTest, JournalThatDoesNotApplyIsMalformed) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  dns::ZoneDiff ud = dns::diff_versions(*u_[0], *u_[1]);
  dns::ZoneDiff sd = dns::diff_versions(*s_[0], *s_[1]);
  dns::RRset ghost(*dns::Name::from_text("ghost.example."), dns::RRType::A, dns::RRClass::IN, 60);
  ghost.add(std::vector<uint8_t>{192, 0, 2, 7});
  sd.removed.push_back(ghost);
  ASSERT_TRUE(append_update(*db_, zone_name(), ud, sd, kT0));
  auto z = load_zone(*db_, zone_name());
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, base::Errc::malformed);
  EXPECT_NE(z.error().detail.find("removes an RR that is not present: ghost.example. A"), std::string::npos)
      << z.error().detail;
}

TEST_F(ZoneStoreTest, RemovedZoneIsGone) {
  ASSERT_TRUE(save_snapshot(*db_, *u_[0], *s_[0], kT0));
  ASSERT_TRUE(step(0, kT0));
  ASSERT_TRUE(remove_zone(*db_, *dns::Name::from_text("EXAMPLE.")));
  EXPECT_TRUE(list_zones(*db_)->empty());
  auto z = load_zone(*db_, zone_name());
  ASSERT_TRUE(z);
  EXPECT_FALSE(*z);
  auto again = remove_zone(*db_, zone_name());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, base::Errc::not_found);
  // Cascades took snapshots, chunks and journal with the zone.
  for (const char* table : {"zone_snapshots", "zone_snapshot_chunks", "zone_journal"}) {
    auto stmt = Statement::prepare(*db_, std::string("SELECT count(*) FROM ") + table);
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(*stmt->step());
    EXPECT_EQ(stmt->column_int(0), 0) << table;
  }
}

}  // namespace
}  // namespace signerd::store
