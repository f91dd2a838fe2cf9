#include "engine/store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::TempDir;

TEST(WalCheckpointerTest, CheckpointsOnItsOwnThreadOnceTheWalIsLongEnough) {
  TempDir dir;
  const std::string path = dir.file("c.db");
  auto db = Database::open(path);
  ASSERT_TRUE(db.ok()) << error_of(db);
  auto checkpointer = WalCheckpointer::start(**db, {}, /*pages=*/8);
  ASSERT_TRUE(checkpointer.ok()) << error_of(checkpointer);
  ASSERT_TRUE((*db)->exec("CREATE TABLE t (v BLOB)").ok());
  const auto size_before = std::filesystem::file_size(path);
  const std::string row(4000, 'x');  // about a page per row
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*db)->exec("INSERT INTO t VALUES ('" + row + "')").ok());
  }
  EXPECT_EQ((*checkpointer)->checkpoints(), 0u) << "under the threshold: no checkpoint yet";
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE((*db)->exec("INSERT INTO t VALUES ('" + row + "')").ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*checkpointer)->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE((*checkpointer)->checkpoints(), 1u);
  // The checkpoint copied WAL pages into the database file (the writer never did: its hook
  // only signals).
  EXPECT_GT(std::filesystem::file_size(path), size_before);
  checkpointer->reset();  // the writer checkpoints by itself again
  EXPECT_EQ((*db)->query_int("SELECT count(*) FROM t").value(), 20);
}

}  // namespace
}  // namespace baton::store
