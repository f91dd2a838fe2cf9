#include "engine/store/migrations.h"

#include <gtest/gtest.h>

#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::TempDir;

std::vector<std::string> tables(Database& db) {
  return db
      .query_strings(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
          "'sqlite_%' ORDER BY name")
      .value();
}

TEST(MigrationsTest, EmbeddedFilesAreNumberedFromOne) {
  auto m = numbered_migrations(embedded_migrations());
  ASSERT_TRUE(m.ok()) << error_of(m);
  ASSERT_FALSE(m->empty());
  EXPECT_EQ(m->front().version, 1);
  EXPECT_EQ(m->front().file, "0001_initial.sql");
  EXPECT_NE(m->front().sql.find("CREATE TABLE runs"), std::string::npos);
}

TEST(MigrationsTest, RejectsGapsDuplicatesAndBadNames) {
  struct Case {
    std::vector<EmbeddedMigration> files;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{{"0001_a.sql", ""}, {"0003_c.sql", ""}}, "expected version 2"},
      {{{"0001_a.sql", ""}, {"0001_b.sql", ""}}, "expected version 2"},
      {{{"0002_a.sql", ""}}, "expected version 1"},
      {{{"initial.sql", ""}}, "NNNN_description"},
      {{{"0001.sql", ""}}, "NNNN_description"},
  };
  for (const auto& c : cases) {
    auto m = numbered_migrations(c.files);
    ASSERT_FALSE(m.ok()) << c.files.front().file;
    EXPECT_NE(m.error().message.find(c.expect), std::string::npos) << m.error().message;
  }
}

TEST(MigrationsTest, FromEmptyCreatesEveryTableAndIsIdempotent) {
  TempDir dir;
  auto db = Database::open(dir.file("s.db"));
  ASSERT_TRUE(db.ok());
  auto v = migrate(**db);
  ASSERT_TRUE(v.ok()) << error_of(v);
  const int newest = numbered_migrations(embedded_migrations()).value().back().version;
  EXPECT_EQ(*v, newest);
  EXPECT_EQ((*db)->query_int("PRAGMA user_version").value(), newest);
  const std::vector<std::string> expected = {"events", "log_chunks", "run_results",  "runs",
                                             "spans",  "steps",      "task_results", "task_runs"};
  auto have = tables(**db);
  for (const auto& t : expected) {
    EXPECT_NE(std::find(have.begin(), have.end(), t), have.end()) << t;
  }
  // Again on the same and on a re-opened connection: nothing to do, nothing fails.
  EXPECT_EQ(migrate(**db).value(), newest);
  db = Database::open(dir.file("s.db"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(migrate(**db).value(), newest);
  EXPECT_EQ(tables(**db), have);
}

TEST(MigrationsTest, AppliesOnlyPendingOnesInOrder) {
  TempDir dir;
  auto db = Database::open(dir.file("s.db"));
  ASSERT_TRUE(db.ok());
  std::vector<Migration> one = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
  ASSERT_EQ(migrate(**db, one).value(), 1);
  std::vector<Migration> two = one;
  two.push_back({2, "0002_b.sql", "INSERT INTO a VALUES (2); CREATE TABLE b (y INTEGER);"});
  ASSERT_EQ(migrate(**db, two).value(), 2);
  EXPECT_EQ((*db)->query_int("SELECT count(*) FROM a").value(), 1);  // 0001 did not run again
  EXPECT_EQ(tables(**db), (std::vector<std::string>{"a", "b"}));
}

TEST(MigrationsTest, FailedMigrationRollsBackWholly) {
  TempDir dir;
  auto db = Database::open(dir.file("s.db"));
  ASSERT_TRUE(db.ok());
  std::vector<Migration> bad = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER); SELEKT;"}};
  auto v = migrate(**db, bad);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("0001_a.sql"), std::string::npos) << v.error().message;
  EXPECT_EQ((*db)->query_int("PRAGMA user_version").value(), 0);
  EXPECT_TRUE(tables(**db).empty());
}

TEST(MigrationsTest, RefusesStoreFromNewerBinary) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  {
    auto store = RunStore::open(path);
    ASSERT_TRUE(store.ok()) << error_of(store);
  }
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->exec("PRAGMA user_version = 999").ok());
  }
  auto store = RunStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "schema_too_new");
  EXPECT_NE(store.error().message.find("999"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace baton::store
