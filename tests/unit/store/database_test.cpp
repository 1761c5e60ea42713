#include "store/database.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <vector>

#include "store/keys.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

namespace signerd::store {
namespace {

using base::Errc;

const base::TimePoint kT0{std::chrono::seconds(1'700'000'000)};

dns::Name zone_name(const char* text) { return *dns::Name::from_text(text); }

KeyRecord sample_key(const std::string& ref) {
  KeyRecord k;
  k.zone = zone_name("example.com.");
  k.backend = KeyBackend::pem;
  k.ref = ref;
  k.algorithm = 13;
  k.key_tag = 12345;
  k.flags = 257;
  k.public_key = {1, 2, 3};
  k.created = kT0;
  return k;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(Database, OpenCreatesPrivateDirectoryAndFile) {
  test::TempDir tmp;
  const std::string path = tmp.file("state/sub/signerd.db");
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(tmp.file("state/sub")), 0700u);
  EXPECT_EQ(*db.schema_version(), kSchemaVersion);
}

TEST(Database, MigratesAnEmptyFile) {
  test::TempDir tmp;
  const std::string path = tmp.file("empty.db");
  std::ofstream(path).close();
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(*db.schema_version(), kSchemaVersion);
  EXPECT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
}

TEST(Database, ReopenReusesTheStore) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  int64_t id = 0;
  {
    SIGNERD_ASSERT_OPEN(db, path);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    auto added = add_key(db, sample_key("k1"));
    ASSERT_TRUE(added) << added.error().to_string();
    id = *added;
  }
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(*db.schema_version(), kSchemaVersion);
  auto keys = list_keys(db, zone_name("example.com."));
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].id, id);
  EXPECT_EQ((*keys)[0].ref, "k1");
}

TEST(Transaction, NotCommittedLeavesNoTrace) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    ASSERT_TRUE(add_key(db, sample_key("k1")));
    ASSERT_EQ(list_keys(db, zone_name("example.com."))->size(), 1u);
  }
  SIGNERD_ASSERT_OPEN(db, path);
  auto keys = list_keys(db, zone_name("example.com."));
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
}

// A transaction begun inside another joins it as a savepoint.
TEST(Transaction, NestedCommitIsDurableOnlyWithTheOuter) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    auto outer = Transaction::begin(db);
    ASSERT_TRUE(outer);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    {
      auto inner = Transaction::begin(db);
      ASSERT_TRUE(inner) << inner.error().to_string();
      ASSERT_TRUE(add_key(db, sample_key("k1")));
      ASSERT_TRUE(inner->commit());
    }
    EXPECT_EQ(list_keys(db, zone_name("example.com."))->size(), 1u);
    // The outer is dropped uncommitted: the inner's work goes with it.
  }
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_TRUE(list_keys(db, zone_name("example.com."))->empty());
}

TEST(Transaction, NestedRollbackUndoesOnlyItsOwnWork) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    auto outer = Transaction::begin(db);
    ASSERT_TRUE(outer);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    ASSERT_TRUE(add_key(db, sample_key("k1")));
    {
      auto inner = Transaction::begin(db);
      ASSERT_TRUE(inner);
      ASSERT_TRUE(add_key(db, sample_key("k2")));
    }  // not committed: rolled back to the savepoint
    {
      auto again = Transaction::begin(db);  // the savepoint was released: nesting works again
      ASSERT_TRUE(again);
      ASSERT_TRUE(add_key(db, sample_key("k3")));
      ASSERT_TRUE(again->commit());
    }
    ASSERT_TRUE(outer->commit());
  }
  SIGNERD_ASSERT_OPEN(db, path);
  auto keys = list_keys(db, zone_name("example.com."));
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].ref, "k1");
  EXPECT_EQ((*keys)[1].ref, "k3");
  EXPECT_TRUE(Transaction::begin(db));  // nothing left open
}

TEST(Transaction, CommittedSurvivesReopen) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    ASSERT_TRUE(add_key(db, sample_key("k1")));
    ASSERT_TRUE(tx->commit());
  }
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(list_keys(db, zone_name("example.com."))->size(), 1u);
}

TEST(Transaction, MovedFromDoesNotRollBack) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  auto tx = Transaction::begin(db);
  ASSERT_TRUE(tx);
  {
    Transaction moved = std::move(*tx);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    ASSERT_TRUE(moved.commit());
  }
  EXPECT_TRUE(Transaction::begin(db));  // no transaction left open
  EXPECT_EQ(*ensure_zone(db, zone_name("example.com."), kT0), 1);
}

TEST(Database, NewerSchemaIsRefusedWithAClearMessage) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 99"));
  }
  auto db = Database::open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::unsupported);
  EXPECT_NE(db.error().detail.find(path), std::string::npos) << db.error().detail;
  EXPECT_NE(db.error().detail.find("schema version 99 is newer"), std::string::npos) << db.error().detail;
}

TEST(Database, FileThatIsNotSqliteIsRefusedByName) {
  test::TempDir tmp;
  const std::string path = tmp.file("zone.db");
  std::ofstream(path) << std::string(4096, 'x') << "$ORIGIN example.com.\n@ SOA ns hostmaster 1 2 3 4 5\n";
  auto db = Database::open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::malformed);
  EXPECT_NE(db.error().detail.find(path), std::string::npos) << db.error().detail;
  EXPECT_NE(db.error().detail.find("not a database"), std::string::npos) << db.error().detail;
}

TEST(Database, ShortGarbageFileIsRefused) {
  test::TempDir tmp;
  const std::string path = tmp.file("short.db");
  std::ofstream(path) << "hello";
  auto db = Database::open(path);
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().detail.find(path), std::string::npos) << db.error().detail;
}

TEST(Database, ForeignSqliteDatabaseIsNotMigrated) {
  test::TempDir tmp;
  const std::string path = tmp.file("other.db");
  const std::string cmd = "sqlite3 '" + path + "' 'CREATE TABLE t(x)' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "sqlite3 command-line tool not available";
  auto db = Database::open(path);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::malformed);
  EXPECT_NE(db.error().detail.find("not a signerd store"), std::string::npos) << db.error().detail;
}

TEST(Database, DirectoryInPlaceOfTheFileIsAnError) {
  test::TempDir tmp;
  auto db = Database::open(tmp.path());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::io);
}

TEST(Database, TwoHandlesSeeEachOthersCommits) {
  test::TempDir tmp;
  const std::string path = tmp.file("s.db");
  SIGNERD_ASSERT_OPEN(a, path);
  SIGNERD_ASSERT_OPEN(b, path);
  ASSERT_TRUE(ensure_zone(a, zone_name("example.com."), kT0));
  ASSERT_TRUE(add_key(a, sample_key("from-a")));
  {
    auto tx = Transaction::begin(b);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(add_key(b, sample_key("from-b")));
    // Not yet committed: a still reads the old snapshot.
    EXPECT_EQ(list_keys(a, zone_name("example.com."))->size(), 1u);
    ASSERT_TRUE(tx->commit());
  }
  auto seen_by_a = list_keys(a, zone_name("example.com."));
  auto seen_by_b = list_keys(b, zone_name("example.com."));
  ASSERT_TRUE(seen_by_a && seen_by_b);
  EXPECT_EQ(*seen_by_a, *seen_by_b);
  ASSERT_EQ(seen_by_a->size(), 2u);
  EXPECT_EQ((*seen_by_a)[1].ref, "from-b");
}

// Each migration re-reads the version under the write lock, so processes
// that start together on a fresh file do not apply it twice.
TEST(Database, ConcurrentOpensOfAFreshFileAllSucceed) {
  test::TempDir tmp;
  const std::string path = tmp.file("fresh.db");
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (auto& error : errors) {
    threads.emplace_back([&path, &error] {
      auto db = Database::open(path);
      if (!db) error = db.error().to_string();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(*db.schema_version(), kSchemaVersion);
}

// A store written by a v2 signerd: keys with v1's one-word state. The keys
// table is replaced by v1's own DDL (a released schema, kept here as it
// shipped) and the version set back to 2; opening it again migrates.
TEST(Database, Version2KeyStatesBecomeLifecycles) {
  test::TempDir tmp;
  const std::string path = tmp.file("v2.db");
  {
    SIGNERD_ASSERT_OPEN(db, path);
    ASSERT_TRUE(ensure_zone(db, zone_name("example.com."), kT0));
    ASSERT_TRUE(db.exec(R"sql(
DROP TABLE keys;
CREATE TABLE keys (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  zone_id    INTEGER NOT NULL REFERENCES zones(id) ON DELETE RESTRICT,
  backend    TEXT NOT NULL CHECK (backend IN ('pkcs11', 'pem')),
  ref        TEXT NOT NULL,
  algorithm  INTEGER NOT NULL CHECK (algorithm BETWEEN 0 AND 255),
  role       TEXT NOT NULL CHECK (role IN ('ksk', 'zsk', 'csk')),
  flags      INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 65535),
  key_tag    INTEGER NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
  public_key BLOB NOT NULL,
  state      TEXT NOT NULL,
  created    INTEGER NOT NULL,
  published  INTEGER,
  active     INTEGER,
  retired    INTEGER,
  removed    INTEGER,
  UNIQUE (zone_id, ref)
) STRICT;
INSERT INTO keys (zone_id, backend, ref, algorithm, role, flags, key_tag, public_key, state, created,
                  published, active)
  VALUES (1, 'pkcs11', 'pkcs11:object=csk', 13, 'csk', 257, 1, x'01', 'active', 1700000000, 1700000010,
          1700000020),
         (1, 'pkcs11', 'pkcs11:object=zsk', 13, 'zsk', 256, 2, x'02', 'published', 1700000000, 1700000030,
          NULL),
         (1, 'pkcs11', 'pkcs11:object=old', 13, 'zsk', 256, 3, x'03', 'removed', 1700000000, NULL, NULL);
ALTER TABLE zone_state DROP COLUMN upstream_serial;
PRAGMA user_version = 2;
)sql"));
  }
  SIGNERD_ASSERT_OPEN(db, path);
  EXPECT_EQ(*db.schema_version(), kSchemaVersion);
  auto keys = list_keys(db, zone_name("example.com."));
  ASSERT_TRUE(keys) << keys.error().to_string();
  ASSERT_EQ(keys->size(), 3u);
  using policy::Record;
  using policy::RecordState;
  const auto& csk = (*keys)[0].life;
  EXPECT_EQ(csk.goal, policy::Goal::omnipresent);
  EXPECT_EQ(csk.state(Record::dnskey), RecordState::omnipresent);
  EXPECT_EQ(csk.state(Record::krrsig), RecordState::omnipresent);
  EXPECT_EQ(csk.state(Record::zrrsig), RecordState::omnipresent);
  EXPECT_EQ(csk.state(Record::ds), RecordState::hidden);  // never looked for at the parent
  EXPECT_EQ(csk.changed(Record::dnskey), kT0 + std::chrono::seconds(10));
  EXPECT_EQ(csk.changed(Record::zrrsig), kT0 + std::chrono::seconds(20));
  EXPECT_EQ(csk.planned.publish, kT0 + std::chrono::seconds(10));
  EXPECT_EQ(policy::summary(policy::Role::csk, csk), "active");
  const auto& zsk = (*keys)[1].life;
  EXPECT_EQ(zsk.state(Record::dnskey), RecordState::omnipresent);
  EXPECT_EQ(zsk.state(Record::zrrsig), RecordState::hidden);
  EXPECT_EQ(policy::summary(policy::Role::zsk, zsk), "published");
  EXPECT_EQ(policy::summary(policy::Role::zsk, (*keys)[2].life), "removed");
}

TEST(Statement, BindErrorIsReportedByStep) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  auto stmt = Statement::prepare(db, "SELECT ?1");
  ASSERT_TRUE(stmt);
  auto row = stmt->bind(7, int64_t{1}).step();
  ASSERT_FALSE(row);
  EXPECT_NE(row.error().detail.find("parameter 7"), std::string::npos) << row.error().detail;
}

TEST(Statement, BadSqlIsAnInternalError) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  auto stmt = Statement::prepare(db, "SELEC nothing");
  ASSERT_FALSE(stmt);
  EXPECT_EQ(stmt.error().code, Errc::internal);
}

TEST(Statement, EmptyTextAndBlobStayValuesNotNull) {
  test::TempDir tmp;
  SIGNERD_ASSERT_OPEN(db, tmp.file("s.db"));
  auto stmt = Statement::prepare(db, "SELECT ?1 IS NULL, ?2 IS NULL");
  ASSERT_TRUE(stmt);
  stmt->bind(1, std::string_view()).bind(2, std::span<const uint8_t>());
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_int(0), 0);
  EXPECT_EQ(stmt->column_int(1), 0);
}

}  // namespace
}  // namespace signerd::store
