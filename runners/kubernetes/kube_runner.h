#pragma once
// KubernetesRunner: each TaskRun attempt becomes one Pod (pod_spec.h) created through the
// Kubernetes REST API (kube_client.h), followed by a watch, with each container's log streamed
// in step order. Pods carry labels naming the run, TaskRun and attempt: starting an attempt
// whose pod exists already (an engine restart) attaches to it instead of creating another.

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/exec/runner.h"
#include "runners/kubernetes/kube_client.h"
#include "runners/kubernetes/kube_config.h"
#include "runners/kubernetes/pod_spec.h"

namespace baton::runners::kube {

class KubeExecution;

/// Tunables of the Kubernetes runner.
struct KubernetesRunnerOptions {
  KubeConfig config;
  PodOptions pod;                                  // pod.namespace_ empty: the config's namespace
  KubeTimeouts timeouts;                           // client-side limits of every API call
  int watch_timeout_seconds = 300;                 // one watch request; then it is re-opened
  std::chrono::milliseconds reconnect_delay{200};  // after a dropped watch or a failed call
  std::size_t max_result_bytes = 1 << 20;
  /// Leave finished pods on the cluster (for `kubectl logs`); by default a pod is deleted once
  /// its outcome has been handed to on_done.
  bool keep_pods = false;
};

/// The Kubernetes exec::Runner.
class KubernetesRunner final : public exec::Runner {
 public:
  explicit KubernetesRunner(KubernetesRunnerOptions options);
  /// Stops following every attempt (their on_done: InternalError) without deleting pods:
  /// a restarted engine attaches to them again.
  ~KubernetesRunner() override;

  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return "kubernetes"; }

 private:
  KubernetesRunnerOptions options_;
  std::mutex mu_;
  std::vector<std::shared_ptr<KubeExecution>> executions_;
};

}  // namespace baton::runners::kube
