// SIGKILL `baton serve` while runs are queued and running and webhooks are arriving; restart it
// and prove nothing accepted was lost: every delivery answered 2xx has exactly one run, every
// run finishes (or is marked interrupted), and the store passes PRAGMA integrity_check.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {
namespace {

using Json = nlohmann::json;

// A GitHub push listener whose TaskRun takes a while, so the kill finds runs mid-step; one
// concurrency group per branch keeps some runs queued behind others.
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
      bindings:
        - {name: sha, value: $(body.after)}
        - {name: branch, value: $(body.branch)}
      template:
        spec:
          params: [{name: sha}, {name: branch}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: TaskRun
              metadata:
                generateName: push-
                annotations:
                  baton.dev/concurrency-group: "branch-$(tt.params.branch)"
              spec:
                retries: 1
                taskSpec:
                  steps:
                    - name: work
                      image: busybox
                      script: |
                        echo "building $(tt.params.sha)"
                        sleep 0.3
                        echo done
---
apiVersion: v1
kind: Secret
metadata: {name: hook}
stringData: {token: s3cret}
)yaml";

// Whether some step of some running run is executing now.
bool step_running(store::RunStore& store) {
  auto runs = store.list_runs_in_state(store::RunState::kRunning);
  if (!runs.ok()) return false;
  for (const auto& run : *runs) {
    auto attempts = store.list_task_runs(run.id);
    if (!attempts.ok()) continue;
    for (const auto& tr : *attempts) {
      auto steps = store.list_steps(tr.id);
      if (!steps.ok()) continue;
      for (const auto& st : *steps) {
        if (st.state == store::RunState::kRunning) return true;
      }
    }
  }
  return false;
}

TEST(ServeCrash, SigkillLosesNothingThatWasAccepted) {
  const std::string dir = testing::make_temp_dir();
  ServeProcess server(dir, "limits: {taskRuns: 2, runs: 3}\n");
  testing::write_text(server.sources() + "/pushes.yaml", kListener);
  ASSERT_TRUE(server.start()) << server.log();

  std::mutex mu;
  std::map<std::string, std::string> accepted;  // delivery header -> event id answered 2xx
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  auto sender = [&](int who) {
    for (int i = 0; !stop; ++i) {
      std::string delivery = "d-" + std::to_string(who) + "-" + std::to_string(i);
      std::string body =
          R"({"after": ")" + delivery + R"(", "branch": "b)" + std::to_string(i % 4) + R"("})";
      auto r = server.post("pushes", body, github_headers("push", delivery, body, "s3cret"));
      ++sent;
      if (r.status >= 200 && r.status < 300) {
        std::lock_guard<std::mutex> lock(mu);
        accepted[delivery] = Json::parse(r.body)["eventID"];
      }
    }
  };
  std::vector<std::thread> senders;
  for (int w = 0; w < 3; ++w) senders.emplace_back(sender, w);
  // Kill once some runs are running and some are still queued.
  auto store = open_store(server.store_path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(eventually([&] {
    auto running = store->count_runs_in_state(store::RunState::kRunning);
    auto queued = store->count_runs_in_state(store::RunState::kQueued);
    return running.ok() && queued.ok() && *running >= 1 && *queued >= 3 && step_running(*store);
  })) << server.log();
  server.kill_now();
  stop = true;
  for (auto& t : senders) t.join();
  ASSERT_GE(accepted.size(), 1u);  // the store holds more: some answers were cut by the kill

  ASSERT_TRUE(server.start()) << server.log();
  // Everything accepted before the kill finishes after the restart.
  ASSERT_TRUE(eventually(
      [&] {
        auto running = store->count_runs_in_state(store::RunState::kRunning);
        auto queued = store->count_runs_in_state(store::RunState::kQueued);
        return running.ok() && queued.ok() && *running == 0 && *queued == 0;
      },
      std::chrono::seconds(120)))
      << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();

  std::size_t succeeded = 0;
  for (const auto& [delivery, event_id] : accepted) {
    auto runs = store->runs_of_delivery(event_id);
    ASSERT_TRUE(runs.ok());
    ASSERT_EQ(runs->size(), 1u) << delivery;
    const auto& run = runs->front();
    EXPECT_TRUE(run.state == store::RunState::kSucceeded ||
                run.state == store::RunState::kInterrupted ||
                (run.state == store::RunState::kFailed && run.reason == "Failed"))
        << delivery << ": " << store::to_string(run.state) << " " << run.reason << " "
        << run.message;
    succeeded += run.state == store::RunState::kSucceeded;
  }
  EXPECT_GT(succeeded, 0u);
  // Steps the kill interrupted carry the restart marker in their logs.
  store::RunFilter filter;
  filter.limit = 1000;
  auto all = store->list_runs(filter);
  ASSERT_TRUE(all.ok());
  bool marker = false;
  for (const auto& run : all->runs) {
    auto attempts = store->list_task_runs(run.id);
    ASSERT_TRUE(attempts.ok());
    for (const auto& tr : *attempts) {
      if (tr.state != store::RunState::kInterrupted) continue;
      auto logs = store->read_logs(tr.id, 0, 0);
      ASSERT_TRUE(logs.ok());
      for (const auto& c : *logs) {
        marker = marker || c.data.find("engine restarted") != std::string::npos;
      }
    }
  }
  EXPECT_TRUE(marker) << "no interrupted step shows the restart marker";
  auto check = store->integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, std::vector<std::string>{"ok"});
  std::printf("sent %d deliveries, %zu accepted before the kill, %zu runs succeeded\n", sent.load(),
              accepted.size(), succeeded);
}

}  // namespace
}  // namespace baton::serve_testing
