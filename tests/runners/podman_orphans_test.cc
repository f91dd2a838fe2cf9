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

}  // namespace
}  // namespace baton::runners
