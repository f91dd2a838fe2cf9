// RunStore: log chunks.
#include <gtest/gtest.h>

#include "engine/store/run_store.h"
#include "tests/store/store_fixture.h"

namespace baton::store {
namespace {

using testing::error_of;
using testing::StoreTest;

using LogsTest = StoreTest;

TEST_F(LogsTest, AppendAssignsPerStepSeqsAndReadResumes) {
  auto run = make_run();
  auto tr = start_task(run.id);
  clock_ = 77;
  std::vector<LogChunk> batch = {
      {0, "stdout", 0, "line 1\n", 0},
      {1, "stderr", 5, std::string("bin\0\xff", 5), 0},
      {0, "stdout", 0, "line 2\n", 0},
  };
  auto seqs = store_->append_logs(tr.id, batch);
  ASSERT_TRUE(seqs.ok()) << error_of(seqs);
  EXPECT_EQ(*seqs, (std::vector<std::int64_t>{1, 1, 2}));
  auto more = store_->append_logs(tr.id, std::vector<LogChunk>{{0, "stdout", 0, "line 3", 0}});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(*more, std::vector<std::int64_t>{3});

  auto step0 = store_->read_logs(tr.id, 0, 1);
  ASSERT_TRUE(step0.ok()) << error_of(step0);
  ASSERT_EQ(step0->size(), 3U);
  EXPECT_EQ((*step0)[0].data, "line 1\n");
  EXPECT_EQ((*step0)[0].time, 77);
  EXPECT_EQ((*step0)[2].data, "line 3");
  EXPECT_EQ((*step0)[2].seq, 3);
  auto resumed = store_->read_logs(tr.id, 0, 3).value();
  ASSERT_EQ(resumed.size(), 1U);
  EXPECT_EQ(resumed[0].data, "line 3");
  EXPECT_EQ(store_->read_logs(tr.id, 0, 1, 2)->size(), 2U);

  auto step1 = store_->read_logs(tr.id, 1, 0).value();
  ASSERT_EQ(step1.size(), 1U);
  EXPECT_EQ(step1[0].data, std::string("bin\0\xff", 5));
  EXPECT_EQ(step1[0].stream, "stderr");
  EXPECT_EQ(step1[0].time, 5);

  auto events = store_->list_events(run.id, 0).value();
  ASSERT_EQ(events.back().type, "log.appended");
  EXPECT_NE(events.back().payload.find("\"last_seq\":{\"0\":3}"), std::string::npos)
      << events.back().payload;
}

TEST_F(LogsTest, BadChunkRollsBackTheWholeBatch) {
  auto run = make_run();
  auto tr = start_task(run.id);
  std::vector<LogChunk> batch = {{0, "stdout", 0, "ok", 0}, {0, "stdweird", 0, "bad", 0}};
  EXPECT_FALSE(store_->append_logs(tr.id, batch).ok());
  EXPECT_TRUE(store_->read_logs(tr.id, 0, 0)->empty());
  EXPECT_EQ(store_->append_logs("tr-missing", batch).error().code, "not_found");
}

}  // namespace
}  // namespace baton::store
