#include "runners/kubernetes/kube_setup.h"

#include <stdlib.h>

#include <filesystem>

#include "runners/kubernetes/kube_runner.h"

namespace baton::runners::kube {

Result<KubeConfig> resolve_kube_config(const KubeRunnerConfig& config) {
  Result<KubeConfig> out = Fail("no Kubernetes connection");
  if (config.in_cluster) {
    out = in_cluster_config();
  } else {
    std::string path = config.kubeconfig;
    if (path.empty()) {
      if (const char* env = getenv("KUBECONFIG"); env && *env) {
        path = env;
        path = path.substr(0, path.find(':'));  // merging several files is not supported
      } else if (const char* home = getenv("HOME"); home && *home) {
        std::error_code ec;
        if (std::filesystem::exists(std::string(home) + "/.kube/config", ec))
          path = std::string(home) + "/.kube/config";
      }
    }
    if (!path.empty()) {
      out = load_kubeconfig(path, config.context);
    } else {
      out = in_cluster_config();
      if (!out.ok())
        return Fail(
            "kubernetes runner: no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) "
            "and " +
            out.error().message);
    }
  }
  if (!out.ok()) return Fail("kubernetes runner: " + out.error().message);
  if (!config.namespace_.empty()) out->namespace_ = config.namespace_;
  return out;
}

Result<std::unique_ptr<exec::Runner>> make_kubernetes_runner(const KubeRunnerConfig& config) {
  auto kc = resolve_kube_config(config);
  if (!kc.ok()) return kc.error();
  KubernetesRunnerOptions o;
  o.config = std::move(*kc);
  if (!config.shell_image.empty()) o.pod.shell_image = config.shell_image;
  o.keep_pods = config.keep_pods;
  if (config.connect_timeout.count() > 0) o.timeouts.connect = config.connect_timeout;
  if (config.request_timeout.count() > 0) o.timeouts.request = config.request_timeout;
  return std::unique_ptr<exec::Runner>(std::make_unique<KubernetesRunner>(std::move(o)));
}

}  // namespace baton::runners::kube
