#pragma once
// Attempt: one TaskRun attempt on the host: each step, sidecar and probe is the process itself
// (see runners/host/README.md); the sequencing is AttemptBase's.

#include "runners/host/attempt_base.h"
#include "runners/host/host_runner.h"

namespace baton::runners {

/// A host TaskRun attempt.
class Attempt final : public AttemptBase {
 public:
  Attempt(exec::TaskInvocation inv, exec::LogSink& sink,
          std::function<void(exec::TaskOutcome)> on_done, const HostRunnerOptions& options,
          bool mount_namespace);

 private:
  Status prepare() override;
  Result<std::unique_ptr<Proc>> spawn(const exec::StepInvocation& s, ProcRole role,
                                      std::size_t index, const std::string& tag,
                                      std::size_t sink_index) override;

  HostRunnerOptions options_;
  bool mount_namespace_;
};

}  // namespace baton::runners
