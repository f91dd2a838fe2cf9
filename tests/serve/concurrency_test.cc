// Concurrency groups through `baton serve`: runs of one group wait for each other (FIFO), or a
// newer run supersedes queued ones and cancels the running one (cancel-in-progress); runs of
// other groups are not held up.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {
namespace {

using Json = nlohmann::json;

// A generic listener (no interceptor): the body names the group, the policy and how long the
// step sleeps.
const char kListener[] = R"yaml(
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: jobs}
spec:
  triggers:
    - name: job
      bindings:
        - {name: group, value: $(body.group)}
        - {name: policy, value: $(body.policy)}
        - {name: seconds, value: $(body.seconds)}
      template:
        spec:
          params: [{name: group}, {name: policy}, {name: seconds}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: TaskRun
              metadata:
                generateName: job-
                annotations:
                  baton.dev/concurrency-group: $(tt.params.group)
                  baton.dev/concurrency-policy: $(tt.params.policy)
              spec:
                taskSpec:
                  steps: [{name: s, image: busybox, script: "sleep $(tt.params.seconds)"}]
)yaml";

class Concurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServeProcess>(testing::make_temp_dir());
    testing::write_text(server_->sources() + "/jobs.yaml", kListener);
    ASSERT_TRUE(server_->start()) << server_->log();
    store_ = open_store(server_->store_path());
    ASSERT_TRUE(store_);
  }

  std::string submit(const std::string& group, const std::string& policy, const char* seconds) {
    std::string body = Json{{"group", group}, {"policy", policy}, {"seconds", seconds}}.dump();
    auto r = server_->post("jobs", body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 202) << r.body;
    Json answer = Json::parse(r.body, nullptr, false);
    return answer.is_object() && answer["runs"].size() == 1 ? answer["runs"][0]["id"] : "";
  }

  store::RunRecord run(const std::string& id) { return store_->get_run(id).value(); }

  bool all_terminal(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      auto r = store_->get_run(id);
      if (!r.ok() || !store::is_terminal(r->state)) return false;
    }
    return true;
  }

  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<store::RunStore> store_;
};

TEST_F(Concurrency, QueuePolicyRunsAGroupOneAtATimeInOrder) {
  std::string a = submit("g", "queue", "0.3");
  std::string b = submit("g", "queue", "0.1");
  std::string other = submit("h", "queue", "0.1");
  ASSERT_TRUE(eventually([&] { return all_terminal({a, b, other}); })) << server_->log();
  auto ra = run(a), rb = run(b), ro = run(other);
  EXPECT_EQ(ra.state, store::RunState::kSucceeded);
  EXPECT_EQ(rb.state, store::RunState::kSucceeded);
  EXPECT_EQ(ro.state, store::RunState::kSucceeded);
  // b started only after a finished; the other group did not wait for a.
  EXPECT_GE(*rb.started_at, *ra.finished_at);
  EXPECT_LT(*ro.started_at, *ra.finished_at);
}

TEST_F(Concurrency, CancelInProgressSupersedesOlderRuns) {
  std::string first = submit("deploy", "cancel-in-progress", "5");
  ASSERT_TRUE(eventually([&] { return run(first).state == store::RunState::kRunning; }));
  std::string second = submit("deploy", "cancel-in-progress", "0.1");
  ASSERT_TRUE(eventually([&] { return all_terminal({first, second}); })) << server_->log();
  auto r1 = run(first), r2 = run(second);
  EXPECT_EQ(r1.state, store::RunState::kCancelled) << r1.reason << " " << r1.message;
  EXPECT_EQ(r2.state, store::RunState::kSucceeded) << r2.reason << " " << r2.message;
  EXPECT_GE(*r2.started_at, *r1.finished_at);  // never two of the group at once
}

}  // namespace
}  // namespace baton::serve_testing
