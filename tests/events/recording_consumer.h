#pragma once
// A LineConsumer that records every call, and fails the test if two calls ever overlap.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "engine/events/step_logs.h"

namespace baton::events::testing {

/// Records events as text lines: "line 0 stdout <bytes>", "started 0 build", ...
class RecordingConsumer : public LineConsumer {
 public:
  void on_step_started(std::size_t step, const std::string& name) override {
    record("started " + std::to_string(step) + " " + name);
  }
  void on_line(std::size_t step, exec::Stream stream, Clock::time_point,
               std::string_view line) override {
    record("line " + std::to_string(step) + " " + exec::to_string(stream) + " " +
           std::string(line));
  }
  void on_step_finished(std::size_t step, const exec::StepOutcome& outcome) override {
    record("finished " + std::to_string(step) + " " + outcome.reason + " " + outcome.message);
  }
  void on_notice(std::string_view text) override { record("notice " + std::string(text)); }

  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  void record(std::string event) {
    EXPECT_FALSE(in_call_.exchange(true)) << "consumer called concurrently";
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(event));
    }
    in_call_ = false;
  }

  std::atomic<bool> in_call_{false};
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

}  // namespace baton::events::testing
