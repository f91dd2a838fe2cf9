#pragma once
// TaskInvocation -> one core/v1 Pod (pure). Steps run in order as init containers, sidecars are
// native sidecars placed before them, results come back through a final collector container's
// log. The layout and its consequences are in runners/kubernetes/README.md.

#include <string>

#include "engine/exec/runner.h"

namespace baton::runners::kube {

using Json = exec::Json;

/// Knobs of pod generation.
struct PodOptions {
  std::string namespace_;  // empty: the invocation's namespace
  /// Image of the helper containers (step directory setup, results collector): needs `sh`,
  /// `mkdir`, `chmod`, `cat`, `wc`.
  std::string shell_image = "busybox:1.36";
};

/// Labels tying a pod to its run; the runner finds a pod again with them after a restart.
inline constexpr const char* kRunLabel = "baton.dev/run";
inline constexpr const char* kTaskRunLabel = "baton.dev/task-run";
inline constexpr const char* kAttemptLabel = "baton.dev/attempt";

/// The container running step `i` ("step-<name>").
std::string step_container(const exec::TaskInvocation& inv, std::size_t i);
/// The native sidecar container of sidecar `i` ("sidecar-<name>").
std::string sidecar_container(const exec::TaskInvocation& inv, std::size_t i);
/// The collector container, or "" when the pod has none (nothing to read back).
std::string collector_container(const exec::TaskInvocation& inv);
/// Whether the last step is the pod's main container (no collector needed).
bool last_step_is_main(const exec::TaskInvocation& inv);

/// A Kubernetes label value for `s`: itself when valid, else a truncated form with a hash.
std::string label_value(const std::string& s);
/// The pod name of an attempt: "<taskrun>-pod", "-retry<n>" on retries (Tekton's names).
std::string pod_name(const exec::TaskInvocation& inv);
/// `baton.dev/run=..,baton.dev/task-run=..,baton.dev/attempt=..` for list/watch.
std::string label_selector(const exec::TaskInvocation& inv);

/// `baton.dev/run=..,baton.dev/task-run=..`: every attempt's pod of this TaskRun.
std::string task_run_selector(const exec::TaskInvocation& inv);

/// The Pod of `inv`.
Json make_pod(const exec::TaskInvocation& inv, const PodOptions& options = {});

}  // namespace baton::runners::kube
