#pragma once
// Runs the real `baton` executable for command tests: spawn, wait, capture output.

#include <string>
#include <vector>

namespace baton::testing {

/// Path of the built baton binary.
std::string baton_binary();

/// Output and status of a finished baton process.
struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

/// Runs baton with `args` and environment additions `env` ("K=V"), waits for it.
ProcessResult run_baton(const std::vector<std::string>& args, const std::vector<std::string>& env);

/// Starts baton in the background; returns its pid (output goes to `log_path`).
int spawn_baton(const std::vector<std::string>& args, const std::vector<std::string>& env,
                const std::string& log_path);

/// A fresh temporary directory.
std::string make_temp_dir();

/// Writes `text` to `path`.
void write_text(const std::string& path, const std::string& text);

/// Whether `path` exists, polling until `timeout_ms` passes.
bool wait_for_file(const std::string& path, int timeout_ms);

}  // namespace baton::testing
