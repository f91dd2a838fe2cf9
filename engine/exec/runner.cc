#include "engine/exec/runner.h"

namespace baton::exec {
const char* to_string(Stream s) { return s == Stream::kStdout ? "stdout" : "stderr"; }

const std::vector<std::string>& known_runner_names() {
  // The one list that the CLI, the serve config and runners::RunnerSet agree on.
  static const std::vector<std::string> names{"host", "podman", "kubernetes"};
  return names;
}

std::string known_runner_list() {
  std::string out;
  for (const auto& n : known_runner_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace baton::exec
