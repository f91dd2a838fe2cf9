// The scheduler with a fake runner: reuse of prior task outcomes (resumed runs, retry of only
// what failed), the global TaskRun limit shared by runs, and runs whose store row exists.

#include "engine/sched/scheduler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "fake_runner.h"
#include "sim.h"

namespace baton::sched {
namespace {

using testing::FakeRunner;
using testing::plan_from_yaml;

class NullSink : public exec::LogSink {
 public:
  void on_output(std::size_t, exec::Stream, std::string_view) override {}
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}
};

class QuietObserver : public RunObserver {
 public:
  exec::LogSink& log_sink(std::size_t, int, const exec::TaskInvocation&, const std::string&,
                          const std::vector<std::string>&) override {
    return sink_;
  }
  void on_notice(const std::string& text) override { notices.push_back(text); }
  std::vector<std::string> notices;

 private:
  NullSink sink_;
};

//   a   b
//    \ /
//     c ── d      d reads a's and c's results; `report` is a finally task.
const char kDiamond[] = R"yaml(
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  params: [{name: in, default: ""}]
  results: [{name: out}]
  steps: [{name: s, image: x, script: "echo $(params.in)"}]
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: p}
spec:
  pipelineSpec:
    tasks:
      - {name: a, taskRef: {name: t}}
      - {name: b, taskRef: {name: t}, retries: 1}
      - {name: c, taskRef: {name: t}, runAfter: [a, b]}
      - name: d
        taskRef: {name: t}
        params: [{name: in, value: "$(tasks.a.results.out)+$(tasks.c.results.out)"}]
    finally:
      - {name: report, taskRef: {name: t}, params: [{name: in, value: "$(tasks.status)"}]}
)yaml";

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "baton-sched-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    for (const char* t : {"p-a", "p-b", "p-c"}) runner_.results(t, {{"out", std::string(t)}});
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  SchedulerOptions options(const std::string& name) {
    SchedulerOptions o;
    o.max_parallel = 4;
    o.run_dir = dir_ + "/" + name;
    o.pvc_dir = dir_ + "/pvc";
    return o;
  }

  // Runs `plan` on a thread while this thread ends attempts; returns the report.
  RunReport drive(RunPlan plan, SchedulerOptions o, store::RunStore* store = nullptr) {
    QuietObserver observer;
    Scheduler s(std::move(plan), objects_, runner_, store, observer, std::move(o));
    RunReport report;
    std::atomic<bool> done{false};
    std::thread t([&] {
      report = s.run();
      done = true;
    });
    while (!done) {
      (void)runner_.finish_one_if_running();
    }
    t.join();
    notices_ = observer.notices;
    return report;
  }

  std::vector<std::string> started_names() const {
    std::vector<std::string> names;
    for (const auto& inv : runner_.started()) names.push_back(inv.task_run_name);
    return names;
  }

  std::string dir_;
  model::ObjectSet objects_;
  FakeRunner runner_;
  std::vector<std::string> notices_;
};

TEST_F(SchedulerTest, SucceededPriorTasksAreNotRunAndTheirResultsFlowOn) {
  auto plan = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  SchedulerOptions o = options("reuse");
  o.prior["a"] = PriorTask{TaskStatus::kSucceeded, "", {{{"out", "A1"}}}, 1};
  o.prior["b"] = PriorTask{TaskStatus::kSucceeded, "", {{{"out", "B1"}}}, 1};
  runner_.results("p-c", {{"out", "C2"}});
  RunReport report = drive(std::move(*plan), o);
  EXPECT_TRUE(report.succeeded) << report.reason << ": " << report.message;
  EXPECT_EQ(started_names(), (std::vector<std::string>{"p-c", "p-d", "p-report"}));
  const auto started = runner_.started();
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[1].steps.at(0).script, "echo A1+C2");
  EXPECT_EQ(started[2].steps.at(0).script, "echo Succeeded");
}

TEST_F(SchedulerTest, FailedPriorTaskIsNotRunAndTheRunFails) {
  auto plan = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plan.ok());
  SchedulerOptions o = options("failed");
  o.prior["a"] = PriorTask{TaskStatus::kFailed, "Failed", {}, 1};
  RunReport report = drive(std::move(*plan), o);
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.reason, "Failed");
  // b ran (independent of a); c and d never did; finally did, seeing the failure.
  EXPECT_EQ(started_names(), (std::vector<std::string>{"p-b", "p-report"}));
  EXPECT_EQ(runner_.started()[1].steps.at(0).script, "echo Failed");
}

TEST_F(SchedulerTest, InterruptedTaskWithRetryLeftRunsAgainAsTheNextAttempt) {
  auto plan = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plan.ok());
  SchedulerOptions o = options("retry-left");
  o.prior["a"] = PriorTask{TaskStatus::kSucceeded, "", {{{"out", "A1"}}}, 1};
  o.prior["b"] = PriorTask{TaskStatus::kPending, "", {}, 1};  // b has retries: 1
  RunReport report = drive(std::move(*plan), o);
  EXPECT_TRUE(report.succeeded) << report.reason;
  const auto started = runner_.started();
  ASSERT_FALSE(started.empty());
  EXPECT_EQ(started[0].task_run_name, "p-b");
  EXPECT_EQ(started[0].attempt, 1);
}

TEST_F(SchedulerTest, InterruptedTaskWithoutRetriesFailsAsInterrupted) {
  auto plan = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plan.ok());
  SchedulerOptions o = options("no-retry");
  o.prior["a"] = PriorTask{TaskStatus::kPending, "", {}, 1};  // a has no retries
  RunReport report = drive(std::move(*plan), o);
  EXPECT_FALSE(report.succeeded);
  ASSERT_EQ(report.tasks[0].name, "a");
  EXPECT_EQ(report.tasks[0].reason, "TaskRunInterrupted");
  EXPECT_EQ(started_names(), (std::vector<std::string>{"p-b", "p-report"}));
}

TEST_F(SchedulerTest, SharedSlotsLimitAttemptsAcrossRuns) {
  const char wide[] = R"(
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: NAME}
spec:
  pipelineSpec:
    tasks:
      - {name: t1, taskSpec: {steps: [{image: x, script: "true"}]}}
      - {name: t2, taskSpec: {steps: [{image: x, script: "true"}]}}
      - {name: t3, taskSpec: {steps: [{image: x, script: "true"}]}}
)";
  TaskSlots slots(2);
  std::vector<std::unique_ptr<Scheduler>> runs;
  std::vector<QuietObserver> observers(3);
  for (int i = 0; i < 3; ++i) {
    std::string yaml = wide;
    yaml.replace(yaml.find("NAME"), 4, "r" + std::to_string(i));
    auto plan = plan_from_yaml(yaml);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    SchedulerOptions o = options("r" + std::to_string(i));
    o.slots = &slots;
    runs.push_back(
        std::make_unique<Scheduler>(std::move(*plan), objects_, runner_, nullptr, observers[i], o));
  }
  std::vector<RunReport> reports(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back([&, i] { reports[i] = runs[i]->run(); });
  for (std::size_t n = 0; n < 9; ++n) {
    // Every slot in use before one ends: the limit, not the test's pace, bounds concurrency.
    const std::size_t want = std::min<std::size_t>(2, 9 - n);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (runner_.running() < want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_EQ(runner_.running(), want) << "before ending attempt " << n;
    ASSERT_TRUE(runner_.finish_one()) << "attempt " << n;
  }
  for (auto& t : threads) t.join();
  for (const auto& r : reports) EXPECT_TRUE(r.succeeded) << r.reason;
  EXPECT_EQ(runner_.started().size(), 9u);
  EXPECT_EQ(runner_.max_running(), 2u);  // 9 attempts wanted 4 at once per run
  EXPECT_EQ(slots.in_use(), 0u);
}

TEST_F(SchedulerTest, QueuedRunRowIsStartedInsteadOfCreated) {
  std::string db = dir_ + "/baton.db";
  auto store = store::RunStore::open(db);
  ASSERT_TRUE(store.ok());
  store::NewRun nr;
  nr.name = "p";
  nr.pipeline = "p";
  auto queued = (*store)->create_run(nr);
  ASSERT_TRUE(queued.ok());
  auto plan = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plan.ok());
  SchedulerOptions o = options("queued");
  o.run_id = queued->id;
  o.trace_id = std::string(32, 'a');
  o.parent_span_id = std::string(16, 'b');
  RunReport report = drive(std::move(*plan), o, store->get());
  EXPECT_TRUE(report.succeeded);
  EXPECT_EQ(report.uid, queued->id);
  auto row = (*store)->get_run(queued->id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->state, store::RunState::kSucceeded);
  ASSERT_TRUE(row->started_at.has_value());
  auto all = (*store)->list_runs({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->runs.size(), 1u);
  auto spans = (*store)->list_spans(o.trace_id);
  ASSERT_TRUE(spans.ok());
  bool run_span_has_parent = false;
  for (const auto& s : *spans) {
    if (s.name.rfind("PipelineRun", 0) == 0)
      run_span_has_parent = s.parent_span_id == o.parent_span_id;
  }
  EXPECT_TRUE(run_span_has_parent);
}

// The runner of each TaskRun: the run's baton.dev/runner annotation, overridden per pipeline
// task by taskRunSpecs[].metadata.annotations (valid Tekton YAML both).
TEST_F(SchedulerTest, RunnerComesFromTheRunAnnotationAndTaskRunSpecsOverrideIt) {
  auto plan = plan_from_yaml(R"yaml(
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: p
  annotations: {baton.dev/runner: podman}
spec:
  pipelineSpec:
    tasks:
      - {name: a, taskSpec: {steps: [{image: x, script: "true"}]}}
      - {name: b, taskSpec: {steps: [{image: x, script: "true"}]}}
  taskRunSpecs:
    - pipelineTaskName: b
      metadata: {annotations: {baton.dev/runner: host}}
)yaml");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  RunReport report = drive(std::move(*plan), options("runner"));
  EXPECT_TRUE(report.succeeded) << report.message;
  std::map<std::string, std::string> runner_of;
  for (const auto& inv : runner_.started()) runner_of[inv.task_run_name] = inv.runner;
  EXPECT_EQ(runner_of, (std::map<std::string, std::string>{{"p-a", "podman"}, {"p-b", "host"}}));

  // Without annotations the invocation leaves the choice to the runner set's default.
  auto plain = plan_from_yaml(kDiamond);
  ASSERT_TRUE(plain.ok());
  const std::size_t before = runner_.started().size();
  (void)drive(std::move(*plain), options("plain"));
  const auto started = runner_.started();
  ASSERT_GT(started.size(), before);
  for (std::size_t i = before; i < started.size(); ++i) EXPECT_EQ(started[i].runner, "");
}

// `$(workspaces.W.bound)` in a pipeline task's `when`: the bound branch runs, the other is
// skipped (Tekton's using-optional-workspaces-in-when-expressions example).
//   with-ws   without-ws     (independent; each guarded by the optional workspace)
TEST_F(SchedulerTest, PipelineWhenSeesWhetherAnOptionalWorkspaceIsBound) {
  auto yaml = [](const std::string& bindings) {
    return R"yaml(
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: p}
spec:
  )yaml" + bindings +
           R"yaml(
  pipelineSpec:
    workspaces: [{name: ws, optional: true}]
    tasks:
      - name: with-ws
        when: [{input: "$(workspaces.ws.bound)", operator: in, values: ["true"]}]
        taskSpec: {steps: [{image: x, script: "true"}]}
      - name: without-ws
        when: [{input: "$(workspaces.ws.bound)", operator: in, values: ["false"]}]
        taskSpec: {steps: [{image: x, script: "true"}]}
)yaml";
  };
  auto bound = plan_from_yaml(yaml("workspaces: [{name: ws, emptyDir: {}}]"));
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  RunReport report = drive(std::move(*bound), options("bound"));
  EXPECT_TRUE(report.succeeded) << report.message;
  EXPECT_EQ(started_names(), (std::vector<std::string>{"p-with-ws"}));

  auto unbound = plan_from_yaml(yaml(""));
  ASSERT_TRUE(unbound.ok()) << unbound.error().message;
  report = drive(std::move(*unbound), options("unbound"));
  EXPECT_TRUE(report.succeeded) << report.message;
  EXPECT_EQ(started_names(), (std::vector<std::string>{"p-with-ws", "p-without-ws"}));
}

}  // namespace
}  // namespace baton::sched
