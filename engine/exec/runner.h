#pragma once
// The Runner interface: how the scheduler hands one TaskRun attempt to an execution backend
// (host processes, podman, Kubernetes). Everything in a TaskInvocation is already resolved:
// params substituted, step templates merged, StepActions inlined, workspaces given host paths.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton::exec {

using Clock = std::chrono::system_clock;
using Json = nlohmann::json;

/// A workspace made available to the TaskRun.
struct WorkspaceMount {
  std::string name;
  std::string host_path;   // directory on this machine backing the workspace
  std::string mount_path;  // where steps see it (default /workspace/<name>)
  bool read_only = false;
};

/// One resolved step (or sidecar) to run.
struct StepInvocation {
  std::string name;               // unique within the TaskRun; "step-<i>" when the author gave none
  std::string image;              // recorded; the host runner does not use it
  std::string image_pull_policy;  // "" (runner's default) | Always | IfNotPresent | Never
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string script;  // non-empty: written to a file and run (Tekton's shebang rule)
  std::string working_dir;
  std::vector<std::pair<std::string, std::string>> env;  // in order, resolved values
  std::optional<std::chrono::milliseconds> timeout;
  std::string on_error;                   // "" / "stopAndFail" (default) or "continue"
  std::string stdout_path, stderr_path;   // stdoutConfig/stderrConfig: also copy output here
  std::vector<std::string> result_names;  // step results (/tekton/steps/<name>/results/<r>)
  Json security_context;                  // for runners that can honour it
  Json compute_resources;
  std::vector<WorkspaceMount> mounts;  // this step's own volumeMounts (after the TaskRun's)
  /// Sidecars: a readiness/startup probe command; steps start once it exits 0.
  std::vector<std::string> ready_command;
  std::chrono::milliseconds ready_timeout{60'000};
};

/// Everything a runner needs to execute one TaskRun attempt.
struct TaskInvocation {
  std::string run_id;         // PipelineRun or standalone TaskRun id
  std::string task_run_name;  // e.g. "build-pipeline-run-abc-build"
  int attempt = 0;            // 0 for the first try, then the retry count
  std::string work_dir;       // a fresh directory owned by this attempt (runner's scratch)
  std::vector<StepInvocation> steps;
  std::vector<StepInvocation> sidecars;
  std::vector<WorkspaceMount> workspaces;
  std::vector<std::string> result_names;                       // task results to read back
  std::optional<std::chrono::milliseconds> timeout;            // whole TaskRun
  std::vector<std::pair<std::string, std::string>> extra_env;  // e.g. TRACEPARENT
  Json pod_template;
  std::string service_account_name;
  std::string namespace_ = "default";  // the run's namespace
  Json volumes;  // the task's and the pod template's Kubernetes volumes (array), as written
  /// The Kubernetes view of each mount, for runners that build pods; key: pod_volume_key().
  struct PodVolume {
    std::string volume;  // the pod volume backing the mount
    Json source;         // workspaces: the binding as a volume source; null: one of `volumes`
    std::string sub_path;
  };
  std::map<std::string, PodVolume> pod_volumes;
  /// Which runner executes this attempt ("host", "podman", ...); "" means the default one.
  /// From the `baton.dev/runner` annotation of the run, or of its taskRunSpecs entry.
  std::string runner;
};

/// Output stream of a step.
enum class Stream { kStdout, kStderr };

/// Final state of one step, as Tekton reports it in `status.steps[].terminated`.
struct StepOutcome {
  std::string name;
  bool started = false;
  int exit_code = -1;
  // Completed | Error | TimeoutExceeded (step timeout) | Skipped (not started after a failure)
  // | TaskRunTimeout | TaskRunCancelled
  std::string reason;
  std::string message;
  Clock::time_point started_at{}, finished_at{};
  std::map<std::string, std::string> results;  // step results
};

/// Final state of a TaskRun attempt.
struct TaskOutcome {
  bool succeeded = false;
  // Succeeded | Failed | TaskRunTimeout | TaskRunCancelled | TaskRunResultLargerThanAllowedLimit
  // | InternalError
  std::string reason;
  std::string message;
  std::vector<StepOutcome> steps;
  std::map<std::string, std::string> results;  // raw bytes of /tekton/results/<name>
  Clock::time_point started_at{}, finished_at{};
};

/// A process a runner started for a step or sidecar, recorded (run store) so that a later engine
/// process can stop it if this one dies first. `start_time` (field 22 of /proc/<pid>/stat) and
/// `boot_id` tell the same process from a later one that reuses the pid.
struct ProcessIdentity {
  std::int64_t pid = 0;
  std::int64_t pgid = 0;  // the step's own process group (its leader is `pid`)
  std::uint64_t start_time = 0;
  std::string boot_id;  // /proc/sys/kernel/random/boot_id
};

/// Receives live output and step transitions. Called from runner threads; implementations
/// must be thread-safe and must not block for long (they buffer and hand off).
class LogSink {
 public:
  virtual ~LogSink() = default;
  /// A chunk of a step's output, as soon as it is read (no line buffering guarantee).
  virtual void on_output(std::size_t step_index, Stream stream, std::string_view bytes) = 0;
  virtual void on_step_started(std::size_t step_index, const std::string& step_name) = 0;
  virtual void on_step_finished(std::size_t step_index, const StepOutcome& outcome) = 0;
  /// A runner-level notice (e.g. "image ignored by the host runner").
  virtual void on_notice(std::string_view text) = 0;
  /// The process of step (or sidecar, `steps.size() + j`) `index` runs as `id`. Called on the
  /// spawning thread right after the start; the sink may block briefly to make it durable.
  virtual void on_process_started(std::size_t /*index*/, const ProcessIdentity& /*id*/) {}
};

/// A running TaskRun attempt.
class Execution {
 public:
  virtual ~Execution() = default;
  /// Stops the TaskRun: kills every process it started. on_done still fires exactly once,
  /// with reason TaskRunCancelled (or TaskRunTimeout when `timeout` is true).
  virtual void cancel(bool timeout = false) = 0;
};

/// An execution backend.
class Runner {
 public:
  virtual ~Runner() = default;
  /// Starts `inv`. `on_done` is called exactly once, from any thread, when the attempt ends.
  /// `sink` must outlive the execution (until on_done returns).
  virtual std::unique_ptr<Execution> start(const TaskInvocation& inv, LogSink& sink,
                                           std::function<void(TaskOutcome)> on_done) = 0;
  virtual const char* name() const = 0;
};

}  // namespace baton::exec

namespace baton::exec {
/// The key of a mount in TaskInvocation::pod_volumes (its name and where it is mounted).
inline std::string pod_volume_key(const WorkspaceMount& m) { return m.name + "@" + m.mount_path; }
/// "stdout" / "stderr".
const char* to_string(Stream s);
/// The annotation (on a PipelineRun/TaskRun or a taskRunSpecs entry) that picks the runner.
inline constexpr const char* kRunnerAnnotation = "baton.dev/runner";
/// Names of the runners this build has, in the order they are listed to users.
const std::vector<std::string>& known_runner_names();
/// known_runner_names() joined with ", " (for error messages).
std::string known_runner_list();
}  // namespace baton::exec
