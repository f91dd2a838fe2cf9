// StepLogPipeline with recording consumers: masking per (step, stream), lines out as soon as
// their newline arrives, flush on step end, fan-out order, masked notices and messages.
#include "engine/events/step_logs.h"

#include <gtest/gtest.h>

#include "tests/events/recording_consumer.h"

namespace baton::events {
namespace {

using exec::Stream;
using Events = std::vector<std::string>;
using testing::RecordingConsumer;

const SecretMasker& masker() {
  static const SecretMasker kMasker({"hunter2-pw"});
  return kMasker;
}

TEST(StepLogPipeline, LineGoesOutWhenItsNewlineArrives) {
  RecordingConsumer rec;
  StepLogPipeline pipe(masker(), rec);
  pipe.on_step_started(0, "build");
  pipe.on_output(0, Stream::kStdout, "first line\nsecond ");
  EXPECT_EQ(rec.events(), (Events{"started 0 build", "line 0 stdout first line\n"}));
  pipe.on_output(0, Stream::kStdout, "half\n");
  EXPECT_EQ(rec.events().back(), "line 0 stdout second half\n");
}

TEST(StepLogPipeline, SecretSplitAcrossWritesIsMaskedPerStream) {
  RecordingConsumer rec;
  StepLogPipeline pipe(masker(), rec);
  pipe.on_output(0, Stream::kStdout, "pw=hunt");
  pipe.on_output(0, Stream::kStderr, "err hunter2");  // a different stream: its own state
  pipe.on_output(1, Stream::kStdout, "er2-pw\n");     // a different step: no match across
  pipe.on_output(0, Stream::kStdout, "er2-pw done\n");
  pipe.on_output(0, Stream::kStderr, "-pw\n");
  EXPECT_EQ(rec.events(), (Events{"line 1 stdout er2-pw\n", "line 0 stdout pw=*** done\n",
                                  "line 0 stderr err ***\n"}));
}

TEST(StepLogPipeline, StepFinishFlushesHeldBytesFirstAndMasksMessage) {
  RecordingConsumer rec;
  StepLogPipeline pipe(masker(), rec);
  pipe.on_output(2, Stream::kStdout, "no newline, almost hunter2-p");
  pipe.on_output(2, Stream::kStderr, "oops");
  exec::StepOutcome outcome;
  outcome.reason = "Error";
  outcome.message = "bad password hunter2-pw";
  pipe.on_step_finished(2, outcome);
  EXPECT_EQ(rec.events(), (Events{"line 2 stdout no newline, almost hunter2-p",
                                  "line 2 stderr oops", "finished 2 Error bad password ***"}));
}

TEST(StepLogPipeline, NoticesMaskedAndFlushAtDestruction) {
  RecordingConsumer rec;
  {
    StepLogPipeline pipe(masker(), rec);
    pipe.on_notice("image ignored; env SECRET=hunter2-pw");
    pipe.on_output(0, Stream::kStdout, "tail");
  }
  EXPECT_EQ(rec.events(), (Events{"notice image ignored; env SECRET=***", "line 0 stdout tail"}));
}

TEST(FanOutConsumer, CallsEveryConsumerInOrder) {
  struct Tagger : LineConsumer {
    Tagger(Events& log, std::string tag) : log_(log), tag_(std::move(tag)) {}
    void on_step_started(std::size_t, const std::string& n) override { log_.push_back(tag_ + n); }
    void on_line(std::size_t, Stream, Clock::time_point, std::string_view l) override {
      log_.push_back(tag_ + std::string(l));
    }
    void on_step_finished(std::size_t, const exec::StepOutcome& o) override {
      log_.push_back(tag_ + o.reason);
    }
    void on_notice(std::string_view t) override { log_.push_back(tag_ + std::string(t)); }
    Events& log_;
    std::string tag_;
  };
  Events log;
  Tagger a(log, "a:"), b(log, "b:");
  FanOutConsumer fan;
  fan.add(a);
  fan.add(b);
  StepLogPipeline pipe(masker(), fan);
  pipe.on_step_started(0, "s");
  pipe.on_output(0, Stream::kStdout, "x\n");
  pipe.on_notice("n");
  exec::StepOutcome done;
  done.reason = "Completed";
  pipe.on_step_finished(0, done);
  EXPECT_EQ(log,
            (Events{"a:s", "b:s", "a:x\n", "b:x\n", "a:n", "b:n", "a:Completed", "b:Completed"}));
}

}  // namespace
}  // namespace baton::events
