// A `baton run --runner podman` killed by SIGKILL mid-step leaves its container running (conmon
// owns it, not the engine). The next command that opens the store (`baton runs`) recovers the
// run and removes that container, found by its baton.dev/run label; other containers stay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "runners/podman/podman_cli.h"
#include "tests/cmd/baton_process.h"
#include "tests/runners/podman_support.h"
#include "tests/serve/serve_fixture.h"

namespace baton::runners {
namespace {

using Clock = std::chrono::steady_clock;

const char kTaskRun[] = R"yaml(
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: long-step}
spec:
  taskSpec:
    steps:
      - name: wait
        image: busybox
        script: |
          echo step-is-running
          sleep 60
)yaml";

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> added(const std::vector<std::string>& before) {
  std::vector<std::string> out;
  for (const auto& c : testing::baton_containers()) {
    if (std::find(before.begin(), before.end(), c) == before.end()) out.push_back(c);
  }
  return out;
}

TEST(PodmanOrphans, NextStartRemovesTheContainerOfAKilledRun) {
  ASSERT_EQ(testing::ensure_test_images(), "");
  const std::string dir = baton::testing::make_temp_dir();
  baton::testing::write_text(dir + "/images.yaml",
                             std::string("\"*\": ") + testing::kBaseImage + "\n");
  baton::testing::write_text(dir + "/run.yaml", kTaskRun);
  const std::vector<std::string> env = {"BATON_HOME=" + dir + "/home", "NO_COLOR=1"};
  const auto before = testing::baton_containers();
  // Another container with a baton.dev/run label of a run this store does not know: the
  // recovery must leave it alone.
  const std::string foreign = "baton-orphans-test-foreign-" + std::to_string(::getpid());
  auto made = run_cli({"podman", "--runtime", "runc", "create", "--name", foreign, "--label",
                       "baton.dev/run=run-not-in-this-store", testing::kBaseImage, "true"});
  ASSERT_TRUE(made && made->exit_code == 0) << (made ? made->err : made.error().message);
  struct Cleanup {
    std::string foreign;
    std::vector<std::string> before;
    ~Cleanup() {
      auto left = added(before);
      std::vector<std::string> rm{"podman", "rm", "-f", "-t", "0", foreign};
      rm.insert(rm.end(), left.begin(), left.end());
      (void)run_cli(rm);
    }
  } cleanup{foreign, before};

  const std::string log = dir + "/run.log";
  const int pid = baton::testing::spawn_baton(
      {"run", "--runner", "podman", "--image-map", dir + "/images.yaml", dir + "/run.yaml"}, env,
      log);
  ASSERT_GT(pid, 0);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (slurp(log).find("step-is-running") == std::string::npos && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(slurp(log).find("step-is-running"), std::string::npos) << slurp(log);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);

  // The bug: the step's container outlives the engine.
  auto left = added(before);
  std::erase(left, foreign);
  ASSERT_EQ(left.size(), 1u) << "expected the killed run's container to be left behind";

  auto r = baton::testing::run_baton({"runs"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("removed container"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("interrupted"), std::string::npos) << r.output;
  std::printf("%s", r.output.c_str());
  auto after = added(before);
  EXPECT_EQ(after, std::vector<std::string>{foreign}) << r.output;
}

// Names of running containers with a baton.dev/run label.
std::vector<std::string> running_baton_containers() {
  auto r = run_cli({"podman", "ps", "--filter", "label=baton.dev/run", "--format", "{{.Names}}"});
  std::vector<std::string> out;
  if (!r || r->exit_code != 0) return out;
  std::istringstream in(r->out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Attempt 0 sleeps in its container until the server is killed; the re-run succeeds at once.
const char kListener[] = R"yaml(
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: pushes}
spec:
  triggers:
    - name: on-push
      interceptors:
        - ref: {name: github}
          params:
            - {name: secretRef, value: {secretName: hook, secretKey: token}}
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: TaskRun
              metadata: {generateName: boxed-}
              spec:
                retries: 1
                taskSpec:
                  steps:
                    - name: wait
                      image: busybox
                      script: |
                        if [ "$(context.task.retry-count)" = 0 ]; then sleep 60; fi
                        echo rerun
---
apiVersion: v1
kind: Secret
metadata: {name: hook}
stringData: {token: s3cret}
)yaml";

TEST(PodmanOrphans, ServeRestartRemovesTheContainerBeforeTheAttemptRunsAgain) {
  ASSERT_EQ(testing::ensure_test_images(), "");
  const std::string dir = baton::testing::make_temp_dir();
  const auto before = testing::baton_containers();
  serve_testing::ServeProcess server(
      dir, std::string("runner: podman\nimages: {\"*\": \"") + testing::kBaseImage + "\"}\n");
  baton::testing::write_text(server.sources() + "/pushes.yaml", kListener);
  ASSERT_TRUE(server.start()) << server.log();
  struct Cleanup {
    std::vector<std::string> before;
    ~Cleanup() {
      auto left = added(before);
      std::vector<std::string> rm{"podman", "rm", "-f", "-t", "0"};
      rm.insert(rm.end(), left.begin(), left.end());
      if (!left.empty()) (void)run_cli(rm);
    }
  } cleanup{before};

  const std::string body = R"({"after": "abc"})";
  auto r =
      server.post("pushes", body, serve_testing::github_headers("push", "d-1", body, "s3cret"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  ASSERT_TRUE(serve_testing::eventually([] { return !running_baton_containers().empty(); },
                                        std::chrono::seconds(60)))
      << server.log();
  const auto first = running_baton_containers();
  server.kill_now();
  EXPECT_EQ(running_baton_containers(), first) << "the container died with the server";

  ASSERT_TRUE(server.start()) << server.log();
  auto store = serve_testing::open_store(server.store_path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(serve_testing::eventually(
      [&] {
        auto running = store->count_runs_in_state(store::RunState::kRunning);
        auto queued = store->count_runs_in_state(store::RunState::kQueued);
        return running.ok() && queued.ok() && *running == 0 && *queued == 0;
      },
      std::chrono::seconds(60)))
      << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();
  EXPECT_NE(server.log().find("removed container"), std::string::npos) << server.log();
  EXPECT_TRUE(added(before).empty()) << "a container of the run is left";
  auto runs = store->list_runs({});
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs[0].state, store::RunState::kSucceeded) << runs->runs[0].message;
}

}  // namespace
}  // namespace baton::runners
