// `baton run` end to end through the real binary: exit codes, live output, params, workspaces,
// retries, timeouts, Ctrl-C, --output, and refusing invalid files before running anything.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "tests/cmd/baton_process.h"

namespace baton {
namespace {

class RunCmd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    env_ = {"BATON_HOME=" + dir_ + "/home", "NO_COLOR=1"};
  }
  testing::ProcessResult run(const std::string& yaml, std::vector<std::string> extra = {}) {
    testing::write_text(dir_ + "/p.yaml", yaml);
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir_ + "/p.yaml");
    return testing::run_baton(args, env_);
  }
  std::string dir_;
  std::vector<std::string> env_;
};

const char kPipeline[] = R"Y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: demo}
spec:
  params: [{name: who, value: world}]
  pipelineSpec:
    params: [{name: who}]
    results: [{name: greeting, value: $(tasks.hello.results.greeting)}]
    tasks:
      - name: hello
        taskSpec:
          results: [{name: greeting}]
          steps:
            - name: say
              image: alpine
              script: |
                echo "hello $(params.who)"
                printf "hi-$(params.who)" > $(results.greeting.path)
    finally:
      - name: report
        params: [{name: s, value: $(tasks.status)}]
        taskSpec:
          params: [{name: s}]
          steps: [{name: show, image: alpine, script: 'echo "aggregate $(params.s)"'}]
)Y";

TEST_F(RunCmd, SucceedsWithLiveOutputAndResults) {
  auto r = run(kPipeline);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[hello:say] hello world"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[report:show] aggregate Succeeded"), std::string::npos) << r.output;
  EXPECT_NE(
      r.output.find(
          "PipelineRun demo Succeeded: Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0"),
      std::string::npos)
      << r.output;
}

TEST_F(RunCmd, ParamFlagOverridesTheRun) {
  auto r = run(kPipeline, {"-p", "who=baton"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[hello:say] hello baton"), std::string::npos) << r.output;
}

TEST_F(RunCmd, OutputYamlIsTektonStatus) {
  auto r = run(kPipeline, {"--output", "yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* want :
       {"kind: \"PipelineRun\"", "type: \"Succeeded\"", "status: \"True\"", "reason: \"Succeeded\"",
        "childReferences:", "name: \"demo-hello\"", "pipelineTaskName: \"hello\"",
        "name: \"greeting\"", "value: \"hi-world\""}) {
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  }
}

TEST_F(RunCmd, FailureRunsFinallyAndExitsOne) {
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: bad}
spec:
  pipelineSpec:
    tasks:
      - name: build
        taskSpec:
          steps: [{name: make, image: gcc, script: "echo compiling; exit 3"}]
      - name: deploy
        runAfter: [build]
        taskSpec:
          steps: [{image: alpine, script: "echo never"}]
    finally:
      - name: notify
        params: [{name: s, value: $(tasks.build.status)}]
        taskSpec:
          params: [{name: s}]
          steps: [{name: post, image: curl, script: 'echo "build is $(params.s)"'}]
)Y");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("\"step-make\" exited with code 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("deploy skipped: PipelineRun was stopping"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("[notify:post] build is Failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(
                "PipelineRun bad Failed: Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1"),
            std::string::npos)
      << r.output;
}

TEST_F(RunCmd, RetriesSeeTheRetryCount) {
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: flaky}
spec:
  pipelineSpec:
    tasks:
      - name: flaky
        retries: 2
        taskSpec:
          steps: [{image: alpine, script: 'echo "try $(context.task.retry-count)"; [ $(context.task.retry-count) -ge 1 ]'}]
)Y");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("try 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("retrying"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("try 1"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("try 2"), std::string::npos) << r.output;
}

TEST_F(RunCmd, MatrixFansOutAndAggregatesResults) {
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: mx}
spec:
  pipelineSpec:
    tasks:
      - name: build
        matrix:
          params:
            - name: os
              value: [linux, mac]
            - name: arch
              value: [amd64, arm64]
          include:
            - name: extra
              params: [{name: os, value: plan9}, {name: arch, value: mips}]
        taskSpec:
          params: [{name: os}, {name: arch}]
          results: [{name: id}]
          steps: [{image: alpine, script: 'printf "$(params.os)-$(params.arch)" > $(results.id.path)'}]
      - name: collect
        params:
          - name: ids
            value: $(tasks.build.results.id[*])
        taskSpec:
          params: [{name: ids, type: array}]
          steps:
            - name: show
              image: alpine
              args: ["$(params.ids[*])"]
              script: 'echo "$# builds: $*"'
)Y");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(
                "[collect:show] 5 builds: linux-amd64 linux-arm64 mac-amd64 mac-arm64 plan9-mips"),
            std::string::npos)
      << r.output;
}

TEST_F(RunCmd, TaskRunTimeoutKillsTheStep) {
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: slow}
spec:
  timeout: 1s
  taskSpec:
    steps: [{image: alpine, script: "sleep 30"}]
)Y");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("TaskRun slow TaskRunTimeout"), std::string::npos) << r.output;
}

TEST_F(RunCmd, WorkspaceFlagUsesTheDirectory) {
  std::string ws = dir_ + "/ws";
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: writer}
spec:
  workspaces: [{name: out, emptyDir: {}}]
  taskSpec:
    workspaces: [{name: out}]
    steps: [{image: alpine, script: "echo made > $(workspaces.out.path)/file"}]
)Y",
               {"--workspace", "out=" + ws});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::ifstream f(ws + "/file");
  std::string content;
  std::getline(f, content);
  EXPECT_EQ(content, "made");
}

TEST_F(RunCmd, InvalidFileIsRefusedWithPositions) {
  auto r = run(R"Y(apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - name: build
      taskSpec: {steps: [{image: a, script: x}]}
    - name: test
      runAfter: [biuld]
      taskSpec: {steps: [{image: a, script: x}]}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: r}
spec:
  pipelineRef: {name: p}
)Y");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("p.yaml:9:18: error: spec.tasks[1].runAfter[0]"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("nothing was run"), std::string::npos) << r.output;
}

TEST_F(RunCmd, CtrlCCancelsRunningTasksAndRunsFinally) {
  std::string marker = dir_ + "/started";
  testing::write_text(dir_ + "/p.yaml", R"Y(apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: stopme}
spec:
  pipelineSpec:
    tasks:
      - name: long
        taskSpec:
          steps: [{image: alpine, script: "touch )Y" +
                                            marker + R"Y(; sleep 600"}]
    finally:
      - name: cleanup
        taskSpec:
          steps: [{name: tidy, image: alpine, script: "echo cleaning up"}]
)Y");
  int pid = testing::spawn_baton({"run", dir_ + "/p.yaml"}, env_, dir_ + "/out.log");
  ASSERT_TRUE(testing::wait_for_file(marker, 30000));
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream f(dir_ + "/out.log");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string out = ss.str();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << out;
  EXPECT_NE(out.find("TaskRunCancelled"), std::string::npos) << out;
  EXPECT_NE(out.find("[cleanup:tidy] cleaning up"), std::string::npos) << out;
  EXPECT_NE(out.find("PipelineRun stopme Cancelled"), std::string::npos) << out;
}

}  // namespace
}  // namespace baton
