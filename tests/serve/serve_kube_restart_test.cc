// `baton serve` with `runner: kubernetes` against the fake cluster (tests/support): SIGKILL the
// server while the TaskRun's pod runs, start it again, and the resumed run re-attaches to that
// pod (one pod created, not two) and succeeds; the finished pod is then deleted.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"
#include "tests/support/fake_kube_cluster.h"

namespace baton::serve_testing {
namespace {

using Json = nlohmann::json;
using baton::testing::FakeCluster;
using baton::testing::FakeKubeApi;

// retries: 1 — a resumed run counts the interrupted attempt as used and starts the next one;
// the runner finds the first attempt's pod still running and follows it instead.
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
            - {name: eventTypes, value: [push]}
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: TaskRun
              metadata: {generateName: push-}
              spec:
                retries: 1
                taskSpec:
                  steps:
                    - {name: a, image: busybox, script: "echo from-a"}
                    - {name: b, image: busybox, script: "echo from-b"}
---
apiVersion: v1
kind: Secret
metadata: {name: hook}
stringData: {token: s3cret}
)yaml";

bool container_done(FakeKubeApi& api, const std::string& name) {
  return api.wait_until([&](FakeCluster& c) {
    for (auto& [k, p] : c.pods) {
      auto it = p->logs.find(name);
      if (it != p->logs.end() && it->second.done) return true;
    }
    return false;
  });
}

TEST(ServeKubeRestart, SigkilledServerReattachesToTheRunningPod) {
  const std::string dir = testing::make_temp_dir();
  baton::testing::FakeKubeOptions fo;
  fo.work_dir = dir + "/kubelet";
  FakeKubeApi api(fo);
  api.hold("step-b");  // the pod stays mid-run until released
  testing::write_text(dir + "/kubeconfig",
                      "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
                      "clusters:\n- name: fake\n  cluster: {server: \"" +
                          api.url() +
                          "\"}\n"
                          "users:\n- name: ci\n  user: {token: good-token}\n"
                          "contexts:\n- name: fake\n  context: {cluster: fake, user: ci, "
                          "namespace: ci}\n");
  ServeProcess server(dir,
                      "runner: kubernetes\nkubernetes:\n  kubeconfig: " + dir + "/kubeconfig\n");
  testing::write_text(server.sources() + "/pushes.yaml", kListener);
  ASSERT_TRUE(server.start()) << server.log();
  std::string body = R"({"after": "abc"})";
  auto r = server.post("pushes", body, github_headers("push", "d-1", body, "s3cret"));
  ASSERT_TRUE(r.status >= 200 && r.status < 300) << r.status << " " << r.body;
  std::string event_id = Json::parse(r.body)["eventID"];

  ASSERT_TRUE(container_done(api, "step-a")) << server.log();
  server.kill_now();  // the pod keeps running on the cluster
  {
    std::lock_guard<std::mutex> l(api.cluster().mu);
    ASSERT_EQ(api.cluster().creates, 1);
    ASSERT_EQ(api.cluster().pods.size(), 1u);
  }
  int lists = api.cluster().lists;
  ASSERT_TRUE(server.start()) << server.log();
  // The resumed attempt looked for the pod (list) before the pod may go on.
  ASSERT_TRUE(api.wait_until([&](FakeCluster& c) { return c.lists > lists; })) << server.log();
  api.release("step-b");

  auto store = open_store(server.store_path());
  ASSERT_TRUE(store);
  store::RunRecord run;
  ASSERT_TRUE(eventually([&] {
    auto runs = store->runs_of_delivery(event_id);
    if (!runs.ok() || runs->size() != 1) return false;
    run = runs->front();
    return run.state != store::RunState::kRunning && run.state != store::RunState::kQueued;
  })) << server.log();
  EXPECT_EQ(run.state, store::RunState::kSucceeded)
      << store::to_string(run.state) << " " << run.reason << " " << run.message << "\n"
      << server.log();
  EXPECT_NE(server.log().find("resuming run"), std::string::npos) << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();  // flushes what it buffered for the store
  // Two attempts: the interrupted one, and the resumed one that followed the same pod to the
  // end (it reads the finished step's log again from the pod, then step b's).
  auto attempts = store->list_task_runs(run.id);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  int interrupted = 0;
  for (const auto& tr : *attempts) {
    if (tr.state == store::RunState::kInterrupted) {
      ++interrupted;
      continue;
    }
    EXPECT_EQ(tr.state, store::RunState::kSucceeded) << tr.reason << " " << tr.message;
    std::string text;
    for (int step = 0; step < 2; ++step) {
      auto logs = store->read_logs(tr.id, step, 0);
      ASSERT_TRUE(logs.ok());
      for (const auto& c : *logs) text += c.data;
    }
    EXPECT_EQ(text, "from-a\nfrom-b\n");
  }
  EXPECT_EQ(interrupted, 1);
  // The finished pod is deleted once its outcome is recorded.
  EXPECT_TRUE(api.wait_until([](FakeCluster& c) { return c.pods.empty(); }));
  std::lock_guard<std::mutex> l(api.cluster().mu);
  EXPECT_EQ(api.cluster().creates, 1);  // re-attached, not started again
  EXPECT_EQ(api.cluster().conflicts, 0);
}

}  // namespace
}  // namespace baton::serve_testing
