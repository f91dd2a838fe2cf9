#pragma once
// ProcessSet: the live processes of one attempt (the running step and the sidecars), pumped
// by one poll loop: output goes to the LogSink as it is read, exits are noticed via pidfds,
// and another thread can interrupt the wait (cancel) through an eventfd.

#include <chrono>
#include <memory>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/subprocess.h"
#include "runners/host/unique_fd.h"

namespace baton::runners {

using SteadyClock = std::chrono::steady_clock;

/// One process whose output is forwarded to the sink under `sink_index`.
struct Proc {
  std::unique_ptr<Subprocess> sp;
  std::size_t sink_index = 0;
  bool discard_output = false;  // read (so it never blocks on a full pipe) but not forwarded
  UniqueFd copy_out, copy_err;  // stdoutConfig / stderrConfig files, when set
  bool exited() const { return sp->exit_code().has_value(); }
  bool pipes_open() { return sp->out().valid() || sp->err().valid(); }
};

/// The pumped set of processes; used from the attempt's thread only, except wake().
class ProcessSet {
 public:
  explicit ProcessSet(exec::LogSink& sink) : sink_(sink) {}
  /// Creates the wake-up eventfd.
  Status init();
  /// Interrupts a pump_once() in progress (thread-safe).
  void wake();

  /// Adds a started process; the reference stays valid until remove().
  Proc& add(std::unique_ptr<Proc> proc);
  /// Forgets `proc` (its Subprocess destructor kills and reaps it if still alive).
  void remove(Proc& proc);

  /// One poll round over every process: forwards output, reaps exits. Returns at `deadline`,
  /// on activity, or on wake().
  void pump_once(SteadyClock::time_point deadline);
  /// SIGTERM to each group, up to `grace` for them to exit, then SIGKILL and wait.
  void terminate(const std::vector<Proc*>& procs, std::chrono::milliseconds grace);
  /// After `proc` exited: kills what is left of its group and reads its pipes to EOF (bounded).
  void finish(Proc& proc);

 private:
  void read_stream(Proc& p, exec::Stream stream);

  exec::LogSink& sink_;
  UniqueFd wake_fd_;
  std::vector<std::unique_ptr<Proc>> procs_;
  bool copy_error_reported_ = false;
};

}  // namespace baton::runners
