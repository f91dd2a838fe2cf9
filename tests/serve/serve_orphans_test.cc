// A SIGKILLed `baton serve` leaves its host steps running (each is its own process group, and no
// signal reaches it when the server dies). The restarted server must kill them, by their
// recorded identity, before the interrupted attempt runs again in the same workspace.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {
namespace {

// Attempt 0 records its pid and writes a heartbeat every 20 ms until killed; attempt 1 (the
// re-run after the restart) notes that it ran and succeeds.
std::string listener(const std::string& dir) {
  return R"yaml(
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
              metadata: {generateName: beat-}
              spec:
                retries: 1
                taskSpec:
                  steps:
                    - name: beat
                      image: busybox
                      script: |
                        if [ "$(context.task.retry-count)" = 0 ]; then
                          echo $$ > )yaml" +
         dir + R"yaml(/pid.tmp && mv )yaml" + dir + "/pid.tmp " + dir + R"yaml(/pid
                          while true; do date +%s%N > )yaml" +
         dir + R"yaml(/hb; sleep 0.02; done
                        fi
                        echo rerun > )yaml" +
         dir + R"yaml(/second
---
apiVersion: v1
kind: Secret
metadata: {name: hook}
stringData: {token: s3cret}
)yaml";
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Alive and not a zombie (a killed orphan waits as a zombie until its new parent reaps it).
bool alive(pid_t pid) {
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' &&
         stat[paren + 2] != 'X';
}

// Whether the heartbeat file changes within `within`.
bool beating(const std::string& hb, std::chrono::milliseconds within) {
  const std::string before = slurp(hb);
  return eventually([&] { return slurp(hb) != before && !slurp(hb).empty(); }, within);
}

TEST(ServeOrphans, RestartKillsStepsTheDeadServerLeftRunning) {
  const std::string dir = testing::make_temp_dir();
  const std::string out = dir + "/out";
  ASSERT_EQ(::mkdir(out.c_str(), 0755), 0);
  ServeProcess server(dir);
  testing::write_text(server.sources() + "/pushes.yaml", listener(out));
  ASSERT_TRUE(server.start()) << server.log();

  const std::string body = R"({"after": "abc"})";
  auto r = server.post("pushes", body, github_headers("push", "d-1", body, "s3cret"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  ASSERT_TRUE(eventually([&] { return !slurp(out + "/pid").empty(); })) << server.log();
  const pid_t step = static_cast<pid_t>(std::atoi(slurp(out + "/pid").c_str()));
  ASSERT_GT(step, 1);
  // Whatever happens below, the step process must not outlive the test.
  struct Reap {
    pid_t pgid;
    ~Reap() { (void)::kill(-pgid, SIGKILL); }
  } reap{step};
  ASSERT_TRUE(beating(out + "/hb", std::chrono::seconds(5)));

  server.kill_now();
  // The bug: the step outlives the server and keeps writing into the attempt's files.
  EXPECT_TRUE(alive(step));
  EXPECT_TRUE(beating(out + "/hb", std::chrono::seconds(2))) << "the step died with the server";

  ASSERT_TRUE(server.start()) << server.log();
  // The re-run starts only after the old process is gone.
  ASSERT_TRUE(eventually([&] { return !slurp(out + "/second").empty(); })) << server.log();
  EXPECT_FALSE(alive(step)) << "the old step still runs while its attempt runs again";
  EXPECT_FALSE(beating(out + "/hb", std::chrono::milliseconds(300))) << "heartbeat goes on";

  auto store = open_store(server.store_path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(eventually([&] {
    auto running = store->count_runs_in_state(store::RunState::kRunning);
    auto queued = store->count_runs_in_state(store::RunState::kQueued);
    return running.ok() && queued.ok() && *running == 0 && *queued == 0;
  })) << server.log();
  EXPECT_EQ(server.stop(), 0) << server.log();
  EXPECT_NE(server.log().find("killed pid " + std::to_string(step)), std::string::npos)
      << server.log();

  store::RunFilter filter;
  auto runs = store->list_runs(filter);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs[0].state, store::RunState::kSucceeded) << runs->runs[0].message;
  // The interrupted attempt's log says the engine restarted and what it killed.
  auto attempts = store->list_task_runs(runs->runs[0].id);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ(attempts->front().state, store::RunState::kInterrupted);
  auto logs = store->read_logs(attempts->front().id, 0, 0);
  ASSERT_TRUE(logs.ok());
  std::string text;
  for (const auto& c : *logs) text += c.data;
  EXPECT_NE(text.find("engine restarted"), std::string::npos) << text;
  EXPECT_NE(text.find("killed pid " + std::to_string(step)), std::string::npos) << text;
}

}  // namespace
}  // namespace baton::serve_testing
