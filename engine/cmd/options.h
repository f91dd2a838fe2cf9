#pragma once
// Command-line options of `baton run`.

#include <map>
#include <string>
#include <vector>

#include "engine/sched/facts.h"

namespace baton::cmd {

/// Parsed `baton run` options.
struct RunOptions {
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> params;
  std::map<std::string, std::string> workspaces;
  std::vector<std::string> catalogs;
  std::string output_format;  // "", yaml, json
  std::string home;           // $BATON_HOME or ~/.baton
  std::string store_path;
  std::size_t parallel = 0;
  bool quiet = false;
  std::string runner = "host";  // default runner (a run's baton.dev/runner annotation wins)
  std::string image_map_file;   // --image-map: YAML mapping image -> local image (podman)
  std::string kubeconfig, kube_context, kube_namespace;  // kubernetes runner connection
  bool kube_keep_pods = false;                           // leave finished pods on the cluster
  sched::StopRequest cancel_mode = sched::StopRequest::kCancelledRunFinally;
};

/// Parses args; returns -1 to go on, or an exit code (help printed: 0, usage error: 2).
int parse_run_options(const std::vector<std::string>& args, const char* help, RunOptions& out);

/// $BATON_HOME, or ~/.baton.
std::string baton_home();

}  // namespace baton::cmd
