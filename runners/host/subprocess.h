#pragma once
// Subprocess: one child process in its own process group, with stdout/stderr pipes and an
// exit descriptor to poll. Passive, like ninja's: the owner polls the descriptors and calls
// back. subprocess.cc is the only file of Baton that calls fork/exec/waitpid/kill.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/unique_fd.h"

namespace baton::runners {

/// A bind mount set up in the child's private mount namespace before exec.
struct BindMount {
  std::string source;  // host directory
  std::string target;  // where the process sees it; created (mkdir -p) when missing
  bool read_only = false;
};

/// What to run and how.
struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in PATH from `env`
  std::vector<std::string> env;   // "KEY=VALUE", the complete environment
  std::string cwd;                // working directory ("" = inherit)
  bool create_cwd = false;        // mkdir -p the cwd (after the mounts) when missing
  bool mount_namespace = false;   // unshare(CLONE_NEWNS) and apply `mounts`
  std::vector<BindMount> mounts;  // applied in order
  /// PR_SET_PDEATHSIG(SIGKILL): the child dies when the *thread* that spawned it exits (also
  /// when the whole engine is killed). Only for owners whose spawning thread outlives the child
  /// (the host runner's attempt thread waits for its steps); see runners/host/README.md.
  bool die_with_thread = false;
};

/// A started child process. Destroying a live one kills its group and reaps it.
class Subprocess {
 public:
  /// Starts the child (clone+exec, see subprocess.cc). Fails (with the child reaped) when any
  /// setup step or exec fails.
  static Result<std::unique_ptr<Subprocess>> spawn(const SpawnSpec& spec);
  /// Whether this process may create private mount namespaces (a forked probe; root needed).
  static bool mount_namespace_works();
  /// Crash recovery: SIGKILLs the process group recorded as `id` by an earlier engine process
  /// if it still runs: its leader with the same start time (a recycled pid is left alone), or
  /// members of the group whose leader is gone. Waits (bounded) until they are dead. Returns
  /// what it killed, as a sentence, or "" when nothing of it was left.
  static std::string kill_leftover(const exec::ProcessIdentity& id);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  /// Read ends of the child's stdout/stderr (non-blocking); -1 once closed by the owner.
  UniqueFd& out() { return out_; }
  UniqueFd& err() { return err_; }
  /// Readable when the child exits (a pidfd); -1 when the kernel has no pidfd support.
  int exit_fd() const { return exit_fd_.get(); }

  /// Reaps the child if it has exited. Returns its exit code (128+signal when killed).
  std::optional<int> try_wait();
  /// The exit code once reaped.
  std::optional<int> exit_code() const { return exit_code_; }
  /// Sends `sig` to the whole process group (also reaches leftovers after the leader exits).
  void signal_group(int sig);

 private:
  Subprocess() = default;
  pid_t pid_ = -1;
  UniqueFd out_, err_, exit_fd_;
  std::optional<int> exit_code_;
};

}  // namespace baton::runners
