// The `baton` executable: a thin dispatcher over subcommands.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/cmd/commands.h"

namespace {

const char kUsage[] =
    "usage: baton <command> [options]\n"
    "\n"
    "commands:\n"
    "  validate FILE...   check Tekton YAML (Task, Pipeline, PipelineRun, TaskRun, StepAction)\n"
    "  run FILE...        run the PipelineRuns and TaskRuns in FILE(s) on this machine\n"
    "  serve              run as a service: webhooks, queue, REST API, dashboard, metrics\n"
    "  runs               list past runs (local store, or --server URL)\n"
    "  logs RUN           print a run's logs (local store, or --server URL [-f])\n"
    "  retry RUN          retry a run on a server (--failed: only what failed)\n"
    "  cancel RUN         cancel a run on a server\n"
    "  approve RUN TASK   approve (or --reject) an approval gate on a server\n"
    "  token create       create a bearer token for the serve API\n"
    "  builtin NAME       run a native task (git-clone, gitops-update, trivy-summary)\n"
    "  trivy-summary FILE count a Trivy JSON report's findings, fail at a severity\n"
    "  version            print the version\n"
    "\n"
    "Run `baton <command> --help` for a command's options.\n";

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// The sanitizer build's own copy of tests/lsan.supp (third-party leaks only), so it also holds
// where LSAN_OPTIONS does not reach: `baton` run by a step as /ko-app/git-init or a built-in
// task gets the step's environment, not the test's.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpcre2-8.so\n"; }
#endif

int main(int argc, char** argv) {
  // Multi-call: a symlink named git-init (e.g. /ko-app/git-init, where the catalog's git-clone
  // task calls Tekton's git-init) runs the native clone with git-init's flags.
  if (argc > 0) {
    const char* slash = std::strrchr(argv[0], '/');
    if (std::strcmp(slash ? slash + 1 : argv[0], "git-init") == 0) {
      std::vector<std::string> args{"git-init"};
      args.insert(args.end(), argv + 1, argv + argc);
      return baton::cmd::run_builtin(args);
    }
  }
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "validate") return baton::cmd::run_validate(args);
  if (cmd == "run") return baton::cmd::run_run(args);
  if (cmd == "serve") return baton::cmd::run_serve(args);
  if (cmd == "token") return baton::cmd::run_token(args);
  // runs/logs read the local store unless --server names a `baton serve` to ask.
  const bool remote = std::find(args.begin(), args.end(), "--server") != args.end();
  if (cmd == "runs") return remote ? baton::cmd::run_client(cmd, args) : baton::cmd::run_runs(args);
  if (cmd == "logs") return remote ? baton::cmd::run_client(cmd, args) : baton::cmd::run_logs(args);
  if (cmd == "retry" || cmd == "cancel" || cmd == "approve") {
    return baton::cmd::run_client(cmd, args);
  }
  if (cmd == "builtin") return baton::cmd::run_builtin(args);
  if (cmd == "trivy-summary") return baton::cmd::run_trivy_summary(args);
  if (cmd == "version" || cmd == "--version") {
    std::puts("baton " BATON_VERSION);
    return 0;
  }
  std::fprintf(stderr, "baton: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
