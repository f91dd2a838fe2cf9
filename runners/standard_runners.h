#pragma once
// The runners this build offers, assembled into one RunnerSet for `baton run` and `baton serve`.
// A new backend registers itself in make_runner_set() and in exec::known_runner_names().

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/common/result.h"
#include "runners/host/host_runner.h"
#include "runners/kubernetes/kube_setup.h"
#include "runners/podman/image_map.h"
#include "runners/podman/podman_runner.h"
#include "runners/runner_set.h"

namespace baton::runners {

/// What the runners are configured with (CLI flags or the serve config).
struct RunnersConfig {
  std::string default_runner = "host";  // for attempts whose TaskInvocation::runner is ""
  HostRunnerOptions host;
  PodmanRunnerOptions podman;  // its `images` are replaced by `images` below
  /// Image map of the podman runner: reference or prefix ("docker.io/library/*", "*") -> image.
  ImageMap images;
  /// Where the Kubernetes runner connects (kubeconfig/context/namespace or in-cluster).
  kube::KubeRunnerConfig kubernetes;
};

/// Every known runner, built lazily on first use; fails when `default_runner` is unknown.
Result<std::unique_ptr<RunnerSet>> make_runner_set(const RunnersConfig& config);

}  // namespace baton::runners
