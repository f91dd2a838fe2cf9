#pragma once
// A RunObserver for runs nobody watches on a terminal (`baton serve`): each attempt's output goes
// runner → secret masker → lines → the run store, where the API and `baton logs` read it.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/sched/scheduler.h"

namespace baton::sched {

/// Stores step logs; reports attempts and notices through callbacks.
class StoreObserver : public RunObserver {
 public:
  struct Hooks {
    /// An attempt ended: its outcome state ("succeeded", "failed", …) and duration.
    std::function<void(const std::string& outcome, double seconds)> attempt_finished;
    /// A notice about the run (already masked).
    std::function<void(const std::string& text)> notice;
  };

  StoreObserver(store::RunStore& store, Hooks hooks);
  ~StoreObserver() override;

  exec::LogSink& log_sink(std::size_t task, int instance, const exec::TaskInvocation& inv,
                          const std::string& task_run_id,
                          const std::vector<std::string>& secrets) override;
  void release_sink(const exec::TaskInvocation& inv) override;
  void on_attempt_finished(std::size_t task, int instance, const exec::TaskInvocation& inv,
                           const exec::TaskOutcome& outcome, bool will_retry) override;
  void on_notice(const std::string& text) override;

 private:
  struct AttemptLogs;
  store::RunStore& store_;
  Hooks hooks_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<AttemptLogs>> sinks_;  // "<task run>#<attempt>"
  std::vector<std::string> secrets_;  // every secret seen so far, for notices
};

}  // namespace baton::sched
