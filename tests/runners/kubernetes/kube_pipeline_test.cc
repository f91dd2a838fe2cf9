// A PipelineRun through the engine (load -> plan -> Scheduler) on the KubernetesRunner against
// the fake cluster: a result crosses from one pod to the next, a step result, a sidecar, and the
// pipeline's result comes back.

#include <gtest/gtest.h>

#include <mutex>

#include "engine/resolve/resolver.h"
#include "engine/sched/scheduler.h"
#include "engine/spec/loader.h"
#include "runners/kubernetes/kube_runner.h"
#include "tests/runners/recording_sink.h"
#include "tests/support/fake_kube_cluster.h"

namespace baton::runners::kube {
namespace {

const char kPipelineRun[] = R"yaml(
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: greet}
spec:
  params: [{name: greeting}]
  results: [{name: msg}]
  sidecars:
  - name: helper
    image: busybox
    script: |
      touch /tekton/home/helper-up
      exec sleep 600
    readinessProbe: {exec: {command: [/bin/sh, -c, "test -f /tekton/home/helper-up"]}}
  steps:
  - name: make
    image: busybox
    script: |
      echo "making $(params.greeting)"
      printf '%s' "$(params.greeting)-from-a" > $(results.msg.path)
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: shout}
spec:
  params: [{name: in}]
  results: [{name: final}]
  steps:
  - name: show
    image: busybox
    script: |
      echo "b got $(params.in)"
  - name: finish
    image: busybox
    script: |
      printf '%s!' "$(params.in)" > $(results.final.path)
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: kube-e2e}
spec:
  pipelineSpec:
    results: [{name: final, value: "$(tasks.b.results.final)"}]
    tasks:
    - name: a
      taskRef: {name: greet}
      params: [{name: greeting, value: hello}]
    - name: b
      taskRef: {name: shout}
      params: [{name: in, value: "$(tasks.a.results.msg)"}]
)yaml";

class Observer : public sched::RunObserver {
 public:
  exec::LogSink& log_sink(std::size_t task, int, const exec::TaskInvocation&, const std::string&,
                          const std::vector<std::string>&) override {
    std::lock_guard<std::mutex> l(mu_);
    return sinks_[task];
  }
  std::string out(std::size_t task, std::size_t step) {
    std::lock_guard<std::mutex> l(mu_);
    return sinks_[task].out(step);
  }

 private:
  std::mutex mu_;
  std::map<std::size_t, testing::RecordingSink> sinks_;
};

TEST(KubePipeline, RunsThroughTheSchedulerOnTheFakeCluster) {
  testing::TempDir dir;
  baton::testing::FakeKubeOptions fo;
  fo.work_dir = dir.path() + "/kubelet";
  baton::testing::FakeKubeApi api(fo);
  KubernetesRunnerOptions ro;
  ro.config.server = api.url();
  ro.config.token = "good-token";
  ro.reconnect_delay = std::chrono::milliseconds(20);
  KubernetesRunner runner(ro);

  spec::LoadOutput out = spec::load_text(kPipelineRun, "kube-e2e.yaml");
  ASSERT_TRUE(out.errors.empty()) << out.errors.front().to_string();
  resolve::Catalog catalog(&out.objects);
  auto plan = sched::plan_pipeline_run(out.objects.pipeline_runs.front(), catalog);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  Observer observer;
  sched::SchedulerOptions so;
  so.run_dir = dir.path() + "/run";
  so.pvc_dir = dir.path() + "/pvc";
  sched::Scheduler s(std::move(*plan), out.objects, runner, nullptr, observer, std::move(so));
  sched::RunReport report = s.run();

  EXPECT_TRUE(report.succeeded) << report.reason << ": " << report.message;
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].first, "final");
  EXPECT_EQ(report.results[0].second.str, "hello-from-a!");
  EXPECT_EQ(observer.out(0, 0), "making hello\n");
  EXPECT_EQ(observer.out(1, 0), "b got hello-from-a\n");
  std::lock_guard<std::mutex> l(api.cluster().mu);
  EXPECT_EQ(api.cluster().creates, 2);  // one pod per TaskRun
  for (const auto& [key, pod] : api.cluster().pods)
    EXPECT_EQ(pod->object["status"]["phase"], "Succeeded") << key;
}

}  // namespace
}  // namespace baton::runners::kube
