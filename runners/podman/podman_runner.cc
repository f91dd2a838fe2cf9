#include "runners/podman/podman_runner.h"

#include "runners/podman/podman_attempt.h"
#include "runners/podman/podman_cli.h"

namespace baton::runners {

Result<std::unique_ptr<PodmanRunner>> PodmanRunner::create(PodmanRunnerOptions options) {
  auto runner = std::make_unique<PodmanRunner>(std::move(options));
  auto argv = runner->podman_argv();
  argv.push_back("version");
  auto r = run_cli(argv, std::chrono::seconds(30));
  if (!r) return Fail("podman runner: cannot run " + argv.at(0) + ": " + r.error().message);
  if (r->exit_code != 0) {
    return Fail("podman runner: `" + argv.at(0) + " version` failed (exit code " +
                std::to_string(r->exit_code) + "): " + last_line(r->err) +
                " (scripts/podman-setup.sh configures podman for this machine)");
  }
  return runner;
}

std::vector<std::string> PodmanRunner::podman_argv() const {
  std::vector<std::string> argv{options_.podman};
  argv.insert(argv.end(), options_.global_args.begin(), options_.global_args.end());
  return argv;
}

std::unique_ptr<exec::Execution> PodmanRunner::start(
    const exec::TaskInvocation& inv, exec::LogSink& sink,
    std::function<void(exec::TaskOutcome)> on_done) {
  return pool_.launch(
      std::make_shared<PodmanAttempt>(inv, sink, std::move(on_done), options_, podman_argv()),
      "podman");
}

}  // namespace baton::runners
