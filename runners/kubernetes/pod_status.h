#pragma once
// Pure mapping of a Pod's status (and the collector's log) to Tekton's step and TaskRun
// outcomes.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "engine/exec/runner.h"

namespace baton::runners::kube {

using Json = exec::Json;

/// What the collector container printed: task results, step results, recorded exit codes.
struct CollectedResults {
  std::map<std::string, std::string> results;                              // task results
  std::map<std::string, std::map<std::string, std::string>> step_results;  // step -> name -> bytes
  std::map<std::string, int> exit_codes;                                   // onError: continue
};

/// Parses the collector's framed output ("baton-result KIND NAME LEN\n<bytes>\n" records).
Result<CollectedResults> parse_collected(std::string_view log);

/// The status of container `name` (init or regular), or nullptr.
const Json* container_status(const Json& pod, const std::string& name);
/// Whether the container has started (running or terminated).
bool container_started(const Json& pod, const std::string& name);
/// Whether the container has terminated.
bool container_terminated(const Json& pod, const std::string& name);
/// Pod phase Succeeded/Failed.
bool pod_finished(const Json& pod);

/// Why the attempt stopped when the runner stopped it; empty when the pod ran its course.
struct StopCause {
  std::string reason;    // TaskRunCancelled | TaskRunTimeout | "" ; pod deleted by someone else
  bool deleted = false;  // the pod disappeared (DELETED event or gone on re-list)
};

/// The TaskRun outcome of `inv` from the last pod state seen and the collector's output.
exec::TaskOutcome outcome_of(const exec::TaskInvocation& inv, const Json& pod,
                             const CollectedResults& collected, const StopCause& stop,
                             std::size_t max_result_bytes);

/// Parses RFC 3339 ("2024-01-02T03:04:05Z"); nullopt when malformed.
std::optional<exec::Clock::time_point> parse_time(const std::string& s);

}  // namespace baton::runners::kube
