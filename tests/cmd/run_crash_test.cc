// A `baton run` killed with SIGKILL mid-run leaves a store that opens cleanly; the next baton
// command marks the orphaned run (and its running TaskRun) interrupted.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "engine/store/run_store.h"
#include "tests/cmd/baton_process.h"

namespace baton {
namespace {

TEST(RunCrash, SigkillLeavesAnInterruptedRunInACleanStore) {
  std::string dir = testing::make_temp_dir();
  std::string marker = dir + "/started";
  std::string pidfile = dir + "/step.pid";
  testing::write_text(dir + "/slow.yaml", R"(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: crashme}
spec:
  pipelineSpec:
    tasks:
      - name: quick
        taskSpec:
          steps: [{image: alpine, script: "echo done"}]
      - name: slow
        runAfter: [quick]
        taskSpec:
          steps:
            - image: alpine
              script: |
                echo $$ > )" + pidfile + R"(
                touch )" + marker + R"(
                exec sleep 600
)");
  std::vector<std::string> env = {"BATON_HOME=" + dir + "/home"};
  int pid = testing::spawn_baton({"run", dir + "/slow.yaml"}, env, dir + "/run.log");
  ASSERT_TRUE(testing::wait_for_file(marker, 30000)) << "the slow step never started";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  // The step dies with `baton run` (PR_SET_PDEATHSIG: nobody else would stop it). A zombie
  // waiting for its new parent to reap it counts as dead.
  std::ifstream pf(pidfile);
  int step_pid = 0;
  pf >> step_pid;
  ASSERT_GT(step_pid, 1);
  auto step_alive = [&] {
    std::ifstream st("/proc/" + std::to_string(step_pid) + "/stat");
    std::string stat;
    std::getline(st, stat);
    auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
  };
  for (int i = 0; i < 500 && step_alive(); ++i) usleep(10'000);
  EXPECT_FALSE(step_alive()) << "the step outlived the killed baton run";
  kill(-step_pid, SIGKILL);  // in case it did

  testing::ProcessResult runs = testing::run_baton({"runs"}, env);
  ASSERT_EQ(runs.exit_code, 0) << runs.output;
  EXPECT_NE(runs.output.find("interrupted"), std::string::npos) << runs.output;

  auto store = store::RunStore::open(dir + "/home/baton.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto check = (*store)->integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, std::vector<std::string>{"ok"});
  auto page = (*store)->list_runs({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->runs.size(), 1u);
  EXPECT_EQ(page->runs[0].state, store::RunState::kInterrupted);
  auto trs = (*store)->list_task_runs(page->runs[0].id);
  ASSERT_TRUE(trs.ok());
  ASSERT_EQ(trs->size(), 2u);
  EXPECT_EQ((*trs)[0].state, store::RunState::kSucceeded);  // finished work is kept
  EXPECT_EQ((*trs)[1].state, store::RunState::kInterrupted);
}

TEST(RunCrash, ALiveRunIsNotInterruptedByAnotherBaton) {
  std::string dir = testing::make_temp_dir();
  std::string marker = dir + "/started";
  testing::write_text(dir + "/wait.yaml", R"(apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: waiter}
spec:
  taskSpec:
    steps:
      - image: alpine
        script: |
          touch )" + marker + R"(
          while [ ! -e )" + dir + R"(/go ]; do sleep 0.05; done
)");
  std::vector<std::string> env = {"BATON_HOME=" + dir + "/home"};
  int pid = testing::spawn_baton({"run", dir + "/wait.yaml"}, env, dir + "/run.log");
  ASSERT_TRUE(testing::wait_for_file(marker, 30000));
  testing::ProcessResult runs = testing::run_baton({"runs"}, env);
  EXPECT_NE(runs.output.find("running"), std::string::npos) << runs.output;
  testing::write_text(dir + "/go", "");
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace baton
