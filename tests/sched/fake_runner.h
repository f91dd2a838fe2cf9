#pragma once
// A Runner for scheduler tests: attempts stay "running" until the test ends them, so a test can
// see how many run at once and decide each outcome. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/exec/runner.h"

namespace baton::sched::testing {

/// One attempt the scheduler started.
struct FakeAttempt {
  exec::TaskInvocation inv;
  std::function<void(exec::TaskOutcome)> on_done;
};

/// Holds attempts until finish_one()/finish_all() ends them.
class FakeRunner : public exec::Runner {
 public:
  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return "fake"; }

  /// Task run names that fail (on every attempt before `succeed_from_attempt`).
  void fail(const std::string& task_run_name, int succeed_from_attempt = 1000);
  /// Results an attempt of `task_run_name` reports on success.
  void results(const std::string& task_run_name, std::map<std::string, std::string> r);

  /// Waits (up to 10 s) for a running attempt and ends the oldest; false on timeout.
  bool finish_one();
  /// Ends the oldest running attempt if there is one, waiting at most 10 ms; false if none.
  bool finish_one_if_running();
  /// Attempts running now.
  std::size_t running() const;
  /// Most attempts that ever ran at once.
  std::size_t max_running() const;
  /// Every attempt started so far, in order.
  std::vector<exec::TaskInvocation> started() const;

 private:
  bool finish_within(std::chrono::milliseconds wait);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<FakeAttempt> running_;
  std::size_t max_running_ = 0;
  std::vector<exec::TaskInvocation> started_;
  std::map<std::string, int> fail_until_;
  std::map<std::string, std::map<std::string, std::string>> results_;
};

}  // namespace baton::sched::testing
