// The whole pipeline into a real RunStore in a temp dir: logs read back masked, in order, per
// step and stream; the three flush triggers (size, step end, max delay); store errors; and 8
// runner threads writing different steps at once.
#include "engine/events/store_writer.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "tests/events/recording_consumer.h"
#include "tests/store/store_fixture.h"

namespace baton::events {
namespace {

using exec::Stream;
using namespace std::chrono_literals;

class StoreWriterTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_NE(store_, nullptr);
    task_run_id_ = start_task(make_run().id).id;
    ASSERT_FALSE(task_run_id_.empty());
  }

  /// All stored chunks of a step, in seq order.
  std::vector<store::LogChunk> logs(int step) {
    std::vector<store::LogChunk> out;
    for (;;) {
      auto page = store_->read_logs(task_run_id_, step, out.empty() ? 0 : out.back().seq + 1);
      EXPECT_TRUE(page.ok()) << store::testing::error_of(page);
      if (!page.ok() || page->empty()) return out;
      out.insert(out.end(), page->begin(), page->end());
    }
  }
  std::string text(int step, const char* stream = nullptr) {
    std::string all;
    for (const auto& c : logs(step)) {
      if (stream == nullptr || c.stream == stream) all += c.data;
    }
    return all;
  }
  /// Polls until the step has stored text (a deadline, not a sleep).
  bool eventually_stored(int step) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!logs(step).empty()) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  std::string task_run_id_;
  const SecretMasker masker_{{"s3cret-token", "other-secret"}};
};

TEST_F(StoreWriterTest, ReadsBackMaskedInOrderPerStepAndStream) {
  StoreLogWriter writer(*store_, task_run_id_);
  StepLogPipeline pipe(masker_, writer);
  pipe.on_step_started(0, "build");
  pipe.on_output(0, Stream::kStdout, "login with s3cret-");
  pipe.on_output(0, Stream::kStderr, "warn: other-sec");
  pipe.on_output(0, Stream::kStdout, "token ok\nline two\n");
  pipe.on_output(0, Stream::kStderr, "ret leaked\n");
  pipe.on_output(1, Stream::kStdout, "step one\nno newline s3cret-token");
  pipe.on_step_finished(0, {});
  pipe.on_step_finished(1, {});
  ASSERT_TRUE(writer.sync().ok());

  EXPECT_EQ(text(0, "stdout"), "login with *** ok\nline two\n");
  EXPECT_EQ(text(0, "stderr"), "warn: *** leaked\n");
  EXPECT_EQ(text(1), "step one\nno newline ***");
  for (const auto& c : logs(0)) EXPECT_GT(c.time, 1'600'000'000'000);  // line time in ms
  EXPECT_EQ(writer.dropped_bytes(), 0U);
}

TEST_F(StoreWriterTest, WrittenAfterMaxDelayWithoutStepEnd) {
  StoreLogWriterOptions opts;
  opts.flush_bytes = 1 << 30;
  opts.max_delay = 20ms;
  StoreLogWriter writer(*store_, task_run_id_, opts);
  writer.on_line(0, Stream::kStdout, Clock::now(), "only line\n");
  EXPECT_TRUE(eventually_stored(0));
  EXPECT_EQ(text(0), "only line\n");
}

TEST_F(StoreWriterTest, WrittenAtSizeThresholdWithoutStepEnd) {
  StoreLogWriterOptions opts;
  opts.flush_bytes = 1024;
  opts.max_delay = 1h;  // so only the size can trigger the write
  StoreLogWriter writer(*store_, task_run_id_, opts);
  const std::string line(600, 'x');
  writer.on_line(0, Stream::kStdout, Clock::now(), line + "\n");
  writer.on_line(0, Stream::kStdout, Clock::now(), line + "\n");
  EXPECT_TRUE(eventually_stored(0));
}

TEST_F(StoreWriterTest, WrittenWhenStepFinishes) {
  StoreLogWriterOptions opts;
  opts.max_delay = 1h;
  StoreLogWriter writer(*store_, task_run_id_, opts);
  writer.on_line(3, Stream::kStderr, Clock::now(), "short\n");
  writer.on_step_finished(3, {});
  EXPECT_TRUE(eventually_stored(3));
}

TEST_F(StoreWriterTest, SameMillisecondLinesShareAChunkOtherwiseNot) {
  StoreLogWriterOptions opts;
  opts.max_delay = 1h;
  StoreLogWriter writer(*store_, task_run_id_, opts);
  const Clock::time_point t0(1'700'000'000'000ms);
  writer.on_line(0, Stream::kStdout, t0, "a\n");
  writer.on_line(0, Stream::kStdout, t0, "b\n");
  writer.on_line(0, Stream::kStderr, t0, "c\n");
  writer.on_line(0, Stream::kStdout, t0 + 1ms, "d\n");
  ASSERT_TRUE(writer.sync().ok());
  const auto chunks = logs(0);
  ASSERT_EQ(chunks.size(), 3U);
  EXPECT_EQ(chunks[0].data, "a\nb\n");
  EXPECT_EQ(chunks[0].time, 1'700'000'000'000);
  EXPECT_EQ(chunks[1].stream, "stderr");
  EXPECT_EQ(chunks[2].data, "d\n");
  EXPECT_EQ(chunks[2].time, 1'700'000'000'001);
  EXPECT_EQ(writer.batches_written(), 1U);
}

TEST_F(StoreWriterTest, StoreErrorReportedAndLoggingGoesOn) {
  StoreLogWriter writer(*store_, "tr-does-not-exist");
  writer.on_line(0, Stream::kStdout, Clock::now(), "lost\n");
  const Status s = writer.sync();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(writer.dropped_bytes(), 5U);
  writer.on_line(0, Stream::kStdout, Clock::now(), "still accepted\n");
  EXPECT_FALSE(writer.sync().ok());
  EXPECT_EQ(writer.dropped_bytes(), 20U);
}

// 8 runner threads, one step each, random chunk sizes with the secret cut anywhere; a small
// pending limit also exercises backpressure. Every step must read back exactly, masked.
TEST_F(StoreWriterTest, EightThreadsFeedingDifferentStepsAtOnce) {
  constexpr int kThreads = 8;
  constexpr int kLines = 400;
  StoreLogWriterOptions opts;
  opts.flush_bytes = 4096;
  opts.max_pending_bytes = 16 * 1024;
  StoreLogWriter writer(*store_, task_run_id_, opts);
  testing::RecordingConsumer recorder;  // checks the consumer never sees overlapping calls
  FanOutConsumer fan({&writer, &recorder});
  StepLogPipeline pipe(masker_, fan);

  auto step_text = [](int step, bool masked) {
    std::string all;
    for (int i = 0; i < kLines; ++i) {
      all += "step " + std::to_string(step) + " line " + std::to_string(i) +
             " key=" + (masked ? "***" : "s3cret-token") + "\n";
    }
    return all;
  };
  std::vector<std::thread> threads;
  for (int step = 0; step < kThreads; ++step) {
    threads.emplace_back([&, step] {
      std::mt19937 rng(static_cast<unsigned>(step));
      const std::string all = step_text(step, false);
      pipe.on_step_started(static_cast<std::size_t>(step), "s" + std::to_string(step));
      for (std::size_t at = 0; at < all.size();) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 50)(rng);
        pipe.on_output(static_cast<std::size_t>(step), Stream::kStdout, all.substr(at, n));
        at += n;
      }
      pipe.on_step_finished(static_cast<std::size_t>(step), {});
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(writer.sync().ok());
  for (int step = 0; step < kThreads; ++step) {
    EXPECT_EQ(text(step), step_text(step, true)) << "step " << step;
  }
  EXPECT_EQ(recorder.events().size(), static_cast<std::size_t>(kThreads * (kLines + 2)));
}

}  // namespace
}  // namespace baton::events
