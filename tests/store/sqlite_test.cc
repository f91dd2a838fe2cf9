#include "engine/store/sqlite.h"

#include <gtest/gtest.h>

#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::TempDir;

std::unique_ptr<Database> open_db(const std::string& path, DatabaseOptions options = {}) {
  auto db = Database::open(path, options);
  EXPECT_TRUE(db.ok()) << error_of(db);
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(DatabaseTest, OpensWithWalForeignKeysAndSynchronous) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  EXPECT_EQ(db->query_strings("PRAGMA journal_mode").value(), std::vector<std::string>{"wal"});
  EXPECT_EQ(db->query_int("PRAGMA foreign_keys").value(), 1);
  EXPECT_EQ(db->query_int("PRAGMA synchronous").value(), 1);  // NORMAL
  EXPECT_EQ(db->query_int("PRAGMA busy_timeout").value(), 5000);

  DatabaseOptions full;
  full.synchronous_full = true;
  full.busy_timeout_ms = 250;
  auto db2 = open_db(dir.file("a.db"), full);
  ASSERT_TRUE(db2);
  EXPECT_EQ(db2->query_int("PRAGMA synchronous").value(), 2);  // FULL
  EXPECT_EQ(db2->query_int("PRAGMA busy_timeout").value(), 250);
}

TEST(DatabaseTest, OpenFailureNamesThePath) {
  TempDir dir;
  auto db = Database::open(dir.file("missing/dir/x.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("missing/dir/x.db"), std::string::npos) << db.error().message;
}

TEST(DatabaseTest, ErrorsCarryMessageAndSql) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  auto bad = db->prepare("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("SELEKT 1"), std::string::npos);

  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->exec("INSERT INTO t VALUES ('x')").ok());
  auto dup = db->exec("INSERT INTO t VALUES ('x')");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "constraint");
  EXPECT_NE(dup.error().message.find("UNIQUE"), std::string::npos) << dup.error().message;
}

TEST(DatabaseTest, BindsByIndexAndNameAndReadsColumnsExactly) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)").ok());
  const std::string binary("a\0b\xff\n", 5);
  {
    auto ins = db->prepare("INSERT INTO t VALUES (:i, :s, ?3, ?4)");
    ASSERT_TRUE(ins.ok()) << error_of(ins);
    ASSERT_TRUE(ins->bind(":i", std::int64_t{-42}).ok());
    ASSERT_TRUE(ins->bind(":s", "text").ok());
    ASSERT_TRUE(ins->bind_blob(3, binary).ok());
    ASSERT_TRUE(ins->bind_null(4).ok());
    ASSERT_TRUE(ins->run().ok());
    EXPECT_FALSE(ins->bind(":nope", std::int64_t{1}).ok());
  }
  auto sel = db->prepare("SELECT i, s, b, n, length(b), typeof(b) FROM t");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(sel->step().value());
  EXPECT_EQ(sel->column_int64(0), -42);
  EXPECT_EQ(sel->column_bytes(1), "text");
  EXPECT_EQ(sel->column_bytes(2), binary);
  EXPECT_TRUE(sel->is_null(3));
  EXPECT_EQ(sel->column_opt_text(3), std::nullopt);
  EXPECT_EQ(sel->column_int64(4), 5);
  EXPECT_EQ(sel->column_bytes(5), "blob");
  EXPECT_FALSE(sel->step().value());
}

TEST(DatabaseTest, EmptyBlobIsNotNull) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (b BLOB NOT NULL)").ok());
  auto ins = db->prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->bind(1, Blob{""}).ok());
  ASSERT_TRUE(ins->run().ok()) << "an empty blob must not bind as NULL";
  EXPECT_EQ(db->query_strings("SELECT typeof(b) FROM t").value(), std::vector<std::string>{"blob"});
}

TEST(DatabaseTest, CachedStatementIsReusedAndNestedUseGetsItsOwn) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2)").ok());
  const char* sql = "SELECT i FROM t ORDER BY i";
  auto outer = db->prepare(sql);
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(outer->step().value());
  {
    // Same SQL while the cached statement is mid-iteration: must not disturb it.
    auto inner = db->prepare(sql);
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(inner->step().value());
    EXPECT_EQ(inner->column_int64(0), 1);
  }
  ASSERT_TRUE(outer->step().value());
  EXPECT_EQ(outer->column_int64(0), 2);
}

TEST(DatabaseTest, StatementIsResetOnDestruction) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (7), (8)").ok());
  for (int round = 0; round < 3; ++round) {
    auto s = db->prepare("SELECT i FROM t ORDER BY i");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->step().value());
    EXPECT_EQ(s->column_int64(0), 7) << "round " << round;  // starts over every time
  }
}

TEST(TransactionTest, RollsBackUnlessCommitted) {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER)").ok());
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(db->query_int("SELECT count(*) FROM t").value(), 0);
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(tx->commit().ok());
    EXPECT_FALSE(tx->commit().ok());
  }
  EXPECT_EQ(db->query_int("SELECT count(*) FROM t").value(), 1);
}

TEST(TransactionTest, SecondWriterGetsBusyAfterTimeout) {
  TempDir dir;
  DatabaseOptions quick;
  quick.busy_timeout_ms = 10;
  auto a = open_db(dir.file("a.db"), quick);
  auto b = open_db(dir.file("a.db"), quick);
  ASSERT_TRUE(a && b);
  auto tx = Transaction::begin(*a);
  ASSERT_TRUE(tx.ok());
  auto other = Transaction::begin(*b);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "busy") << other.error().message;
  // A reader still sees the last committed snapshot while the writer holds the lock (WAL).
  auto read = Transaction::begin_read(*b);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(b->query_int("SELECT 1").value(), 1);
}

}  // namespace
}  // namespace baton::store
