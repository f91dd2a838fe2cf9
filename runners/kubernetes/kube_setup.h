#pragma once
// How `baton run` / `baton serve` configure the Kubernetes runner, and where the connection
// comes from: an explicit kubeconfig, else $KUBECONFIG (its first path), else ~/.kube/config,
// else the in-cluster service account (client-go's order).

#include <chrono>
#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/kubernetes/kube_config.h"

namespace baton::runners::kube {

/// User-facing settings (CLI flags, serve config `kubernetes:`).
struct KubeRunnerConfig {
  std::string kubeconfig;   // a file; "" = $KUBECONFIG / ~/.kube/config / in-cluster
  std::string context;      // "" = current-context
  std::string namespace_;   // "" = the context's (or the service account's) namespace
  bool in_cluster = false;  // only the in-cluster service account
  std::string shell_image;  // helper containers' image; "" = busybox:1.36
  bool keep_pods = false;   // leave finished pods on the cluster
  std::chrono::milliseconds connect_timeout{0}, request_timeout{0};  // 0: KubeTimeouts' default
};

/// The connection `config` resolves to.
Result<KubeConfig> resolve_kube_config(const KubeRunnerConfig& config);

/// A KubernetesRunner for `config` (fails with a clear message when no connection resolves).
Result<std::unique_ptr<exec::Runner>> make_kubernetes_runner(const KubeRunnerConfig& config);

}  // namespace baton::runners::kube
