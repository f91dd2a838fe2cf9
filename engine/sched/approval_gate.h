#pragma once
// Manual approval gates: the custom task `taskRef: {apiVersion: baton.dev/v1alpha1, kind:
// Approval}` (the Pipeline stays valid Tekton: custom task refs are part of its API). The plan
// gives such a task a one-step spec whose image is kApprovalImage; ApprovalGate, a Runner
// decorator, runs those attempts itself: it waits for decide() (the API's approve/reject) or
// the TaskRun timeout, and hands every other attempt to the real runner.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "engine/exec/runner.h"
#include "engine/model/types.h"

namespace baton::sched {

/// The marker image of an approval gate's step.
inline constexpr char kApprovalImage[] = "baton.dev/approval";

/// Whether a pipeline task is an approval gate.
bool is_approval_task(const model::PipelineTask& task);
/// The spec of an approval gate: param `approvers` (comma-separated token names, "" = any
/// operator), one step that the ApprovalGate runs.
model::TaskSpec approval_task_spec();

/// What decide() did.
enum class ApprovalDecision { kDecided, kNotWaiting, kNotAnApprover };

/// Runs approval gates; every other attempt goes to `inner`. Thread-safe.
class ApprovalGate : public exec::Runner {
 public:
  explicit ApprovalGate(exec::Runner& inner);
  ~ApprovalGate() override;

  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return inner_.name(); }

  /// Approves or rejects the waiting attempt of TaskRun `task_run_name` of run `run_id`.
  /// `actor` is "token:<name>"; it must be one of the gate's approvers when it names any.
  ApprovalDecision decide(const std::string& run_id, const std::string& task_run_name, int attempt,
                          bool approve, const std::string& actor, const std::string& message);

  struct Waiting;
  using Key = std::tuple<std::string, std::string, int>;
  /// Ends a waiting attempt (once; later calls do nothing).
  void finish(const Key& key, bool succeeded, const std::string& reason,
              const std::string& message);

 private:
  void watch_deadlines();

  exec::Runner& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, std::shared_ptr<Waiting>> waiting_;
  bool stop_ = false;
  std::thread timer_;
};

}  // namespace baton::sched
