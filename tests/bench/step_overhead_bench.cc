// Per-step overhead of the host runner vs. a bare spawn+wait of `true` (the same fork/exec
// Subprocess, no namespace, pipes or sink), printing both. The bench itself never forks:
// subprocess.cc stays the only file that does.
#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "runners/host/host_runner.h"
#include "runners/host/subprocess.h"

namespace {

using namespace baton;
using SteadyClock = std::chrono::steady_clock;

class NullSink final : public exec::LogSink {
 public:
  void on_output(std::size_t, exec::Stream, std::string_view) override {}
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}
};

double bare_spawn_us(int n) {
  runners::SpawnSpec spec;
  spec.argv = {"/bin/true"};
  spec.env = {"PATH=/usr/bin:/bin"};
  const auto t0 = SteadyClock::now();
  for (int i = 0; i < n; ++i) {
    auto p = runners::Subprocess::spawn(spec);
    if (!p) {
      std::fprintf(stderr, "spawn: %s\n", p.error().message.c_str());
      return -1;
    }
    while (!(*p)->try_wait()) {
      pollfd fd{(*p)->exit_fd(), POLLIN, 0};
      (void)::poll(&fd, 1, 10);
    }
  }
  return std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count() / n;
}

double runner_step_us(runners::HostRunner& runner, int n, const std::string& dir, bool script) {
  exec::TaskInvocation inv;
  inv.task_run_name = "bench";
  inv.work_dir = dir;
  for (int i = 0; i < n; ++i) {
    exec::StepInvocation s;
    s.name = "s" + std::to_string(i);
    if (script)
      s.script = "true";
    else
      s.command = {"/bin/true"};
    inv.steps.push_back(s);
  }
  NullSink sink;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false, ok = false;
  const auto t0 = SteadyClock::now();
  auto exec = runner.start(inv, sink, [&](exec::TaskOutcome o) {
    std::lock_guard lock(mu);
    done = true;
    ok = o.succeeded;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  const double us = std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count() / n;
  return ok ? us : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 300;
  const auto tmp = std::filesystem::temp_directory_path() / "baton-step-bench";
  std::filesystem::remove_all(tmp);
  std::printf("steps: %d\n", n);
  std::printf("bare spawn+wait of /bin/true:          %8.1f us/step\n", bare_spawn_us(n));
  runners::HostRunner ns_runner;
  std::printf("host runner, command, namespaces=%d:   %8.1f us/step\n",
              ns_runner.mount_namespaces(),
              runner_step_us(ns_runner, n, (tmp / "a").string(), false));
  std::printf("host runner, script (bash), namespaces=%d: %8.1f us/step\n",
              ns_runner.mount_namespaces(),
              runner_step_us(ns_runner, n, (tmp / "b").string(), true));
  runners::HostRunnerOptions plain;
  plain.use_mount_namespace = false;
  runners::HostRunner plain_runner(plain);
  std::printf("host runner, command, no namespaces:   %8.1f us/step\n",
              runner_step_us(plain_runner, n, (tmp / "c").string(), false));
  std::filesystem::remove_all(tmp);
  return 0;
}
