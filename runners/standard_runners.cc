#include "runners/standard_runners.h"

#include <algorithm>

namespace baton::runners {

Result<std::unique_ptr<RunnerSet>> make_runner_set(const RunnersConfig& config) {
  const auto& known = exec::known_runner_names();
  if (std::find(known.begin(), known.end(), config.default_runner) == known.end()) {
    return Fail("unknown runner \"" + config.default_runner +
                "\"; this build has: " + exec::known_runner_list());
  }
  auto set = std::make_unique<RunnerSet>(config.default_runner);
  HostRunnerOptions host = config.host;
  set->add("host", [host]() -> Result<std::unique_ptr<exec::Runner>> {
    return std::unique_ptr<exec::Runner>(std::make_unique<HostRunner>(host));
  });
  PodmanRunnerOptions podman = config.podman;
  podman.images = config.images;
  set->add("podman", [podman]() -> Result<std::unique_ptr<exec::Runner>> {
    auto r = PodmanRunner::create(podman);
    if (!r.ok()) return r.error();
    return std::unique_ptr<exec::Runner>(std::move(*r));
  });
  kube::KubeRunnerConfig kube = config.kubernetes;
  set->add("kubernetes", [kube]() { return kube::make_kubernetes_runner(kube); });
  return set;
}

}  // namespace baton::runners
