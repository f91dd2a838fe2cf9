#pragma once
// Short podman commands run to completion (image exists/pull, rm -f, ps), with their output
// captured. Long-lived ones (a step's `podman run`) go through the attempt's ProcessSet instead.

#include <chrono>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace baton::runners {

/// How a command ended.
struct CliOutput {
  int exit_code = -1;  // 128+signal when killed (also at the deadline)
  std::string out, err;
  bool timed_out = false;
};

/// Runs argv (argv[0] looked up in PATH) with the engine's environment, stdin /dev/null.
/// Fails only when it cannot be started.
Result<CliOutput> run_cli(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The engine's own environment as KEY=VALUE strings (podman needs PATH, HOME, XDG_*).
std::vector<std::string> engine_environment();

/// The last non-empty line of `text` (podman prints its error there), trimmed.
std::string last_line(const std::string& text);

}  // namespace baton::runners
