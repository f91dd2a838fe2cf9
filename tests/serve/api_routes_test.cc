// Every dashboard API route against the real `baton serve`, and the authz of every action.

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "tests/serve/api_fixture.h"

namespace baton::serve_testing {
namespace {

class ApiRoutes : public ApiServer {};

TEST_F(ApiRoutes, ReadsAnswerTheContractShapes) {
  const std::string v = tokens_["viewer"];
  const std::string run = start_run("sleeper", dir_, "0");
  Json detail = wait_terminal(run);
  ASSERT_EQ(detail["status"], "succeeded") << detail.dump(2);
  EXPECT_EQ(detail["trigger"]["type"], "webhook");
  EXPECT_TRUE(detail["trigger"]["delivery_id"].is_string());
  EXPECT_EQ(detail["params"]["seconds"], "0");
  ASSERT_EQ(detail["tasks"].size(), 1u);
  const Json& attempt = detail["tasks"][0]["attempts"][0];
  const std::string tr = attempt["id"];

  // whoami
  auto who = call("GET", "/api/v1/whoami", v);
  EXPECT_EQ(who.json, (Json{{"actor", "token:viewer-1"}, {"role", "viewer"}}));
  EXPECT_EQ(call("GET", "/api/v1/whoami").json["role"], nullptr);
  // Reads need a token unless anonymousRead is on.
  EXPECT_EQ(call("GET", "/api/v1/runs").status, 401);

  // Runs list: filters and cursor pagination, newest first.
  const std::string second = start_run("diamond", dir_ + "/w");
  std::filesystem::create_directories(dir_ + "/w");
  wait_terminal(second);
  auto all = call("GET", "/api/v1/runs", v);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json["runs"].size(), 2u);
  EXPECT_EQ(all.json["runs"][0]["id"], second);
  EXPECT_EQ(all.json["next_cursor"], nullptr);
  EXPECT_EQ(call("GET", "/api/v1/runs?pipeline=sleeper", v).json["runs"][0]["id"], run);
  EXPECT_EQ(call("GET", "/api/v1/runs?pipeline=sleeper", v).json["runs"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/v1/runs?status=succeeded&trigger=webhook", v).json["runs"].size(),
            1u);
  EXPECT_EQ(call("GET", "/api/v1/runs?trigger=retry", v).json["runs"].size(), 0u);
  EXPECT_EQ(call("GET", "/api/v1/runs?until=1", v).json["runs"].size(), 0u);
  EXPECT_EQ(call("GET", "/api/v1/runs?since=1", v).json["runs"].size(), 2u);
  auto page1 = call("GET", "/api/v1/runs?limit=1", v);
  ASSERT_TRUE(page1.json["next_cursor"].is_string()) << page1.body;
  auto page2 =
      call("GET", "/api/v1/runs?limit=1&cursor=" + page1.json["next_cursor"].get<std::string>(), v);
  ASSERT_EQ(page2.json["runs"].size(), 1u);
  EXPECT_EQ(page2.json["runs"][0]["id"], run);
  EXPECT_EQ(call("GET", "/api/v1/runs?status=bogus", v).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/runs?cursor=@@", v).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/runs?limit=0", v).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/runs/run-nope", v).status, 404);

  // TaskRun detail with steps.
  auto trj = call("GET", "/api/v1/runs/" + run + "/taskruns/" + tr, v);
  ASSERT_EQ(trj.status, 200) << trj.body;
  EXPECT_EQ(trj.json["steps"][0]["name"], "s");
  EXPECT_EQ(trj.json["steps"][0]["status"], "succeeded");
  EXPECT_EQ(call("GET", "/api/v1/runs/" + second + "/taskruns/" + tr, v).status, 404);

  // Logs: whole, a byte range, size and finished headers.
  const std::string logs = "/api/v1/runs/" + run + "/taskruns/" + tr + "/steps/0/logs";
  auto whole = call("GET", logs, v);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "napping\nwoke\n");
  EXPECT_EQ(whole.raw.header("X-Log-Size"), "13");
  EXPECT_EQ(whole.raw.header("X-Step-Finished"), "true");
  EXPECT_EQ(call("GET", logs + "?offset=8&length=4", v).body, "woke");
  // SSE: past chunks, then end; Last-Event-ID resumes after a chunk.
  std::string sse = read_stream(logs, v, "event: end");
  EXPECT_NE(sse.find("event: log"), std::string::npos) << sse;
  EXPECT_NE(sse.find("napping"), std::string::npos) << sse;
  EXPECT_NE(sse.find("event: end"), std::string::npos) << sse;
  EXPECT_NE(sse.find("\"status\":\"succeeded\""), std::string::npos) << sse;
  std::string resumed = read_stream(logs, v, "event: end", {{"Last-Event-ID", "1"}});
  EXPECT_EQ(resumed.find("napping"), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("event: end"), std::string::npos) << resumed;

  // Events: JSON and SSE.
  auto events = call("GET", "/api/v1/runs/" + run + "/events", v);
  ASSERT_EQ(events.status, 200);
  ASSERT_FALSE(events.json["events"].empty());
  EXPECT_EQ(events.json["events"][0]["type"], "run.created");
  std::string esse = read_stream("/api/v1/runs/" + run + "/events", v, "event: run.status");
  EXPECT_NE(esse.find("id: "), std::string::npos) << esse;
  EXPECT_NE(esse.find("event: run.created"), std::string::npos) << esse;
  // The global stream shows what happens from now on.
  std::string live;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    live = read_stream("/api/v1/events", v, "event: run.created");
    done = true;
  });
  // The stream follows from when the hub takes it: start runs until one shows up.
  std::vector<std::string> more;
  eventually(
      [&] {
        if (!done) more.push_back(start_run("sleeper", dir_, "0"));
        return done.load();
      },
      std::chrono::seconds(10));
  reader.join();
  EXPECT_NE(live.find("event: run.created"), std::string::npos) << live;
  EXPECT_EQ(call("GET", "/api/v1/events", v).status, 406);

  // Trace spans of the run.
  auto trace = call("GET", "/api/v1/runs/" + run + "/trace", v);
  ASSERT_EQ(trace.status, 200);
  EXPECT_EQ(trace.json["trace_id"].get<std::string>().size(), 32u);
  EXPECT_FALSE(trace.json["spans"].empty()) << trace.body;

  // Pipelines and tasks known to the server.
  auto pipelines = call("GET", "/api/v1/pipelines", v);
  ASSERT_EQ(pipelines.json["pipelines"].size(), 4u) << pipelines.body;
  EXPECT_EQ(pipelines.json["pipelines"][0]["name"], "diamond");
  EXPECT_EQ(pipelines.json["pipelines"][0]["tasks"], Json::array({"a", "b", "c", "d"}));
  EXPECT_EQ(call("GET", "/api/v1/tasks", v).status, 200);

  // Deliveries, and why each did what it did.
  auto deliveries = call("GET", "/api/v1/deliveries", v);
  ASSERT_GE(deliveries.json["deliveries"].size(), 2u) << deliveries.body;
  const Json& d = deliveries.json["deliveries"].back();
  EXPECT_EQ(d["result"], "accepted");
  EXPECT_EQ(d["runs"], Json::array({run}));
  auto one = call("GET", "/api/v1/deliveries/" + d["id"].get<std::string>(), v);
  EXPECT_EQ(one.json["id"], d["id"]);
  EXPECT_EQ(call("GET", "/api/v1/deliveries/dlv-nope", v).status, 404);
  auto dpage = call("GET", "/api/v1/deliveries?limit=1", v);
  EXPECT_EQ(dpage.json["deliveries"].size(), 1u);
  EXPECT_TRUE(dpage.json["next_cursor"].is_string());
  for (const auto& id : more) wait_terminal(id);
}

TEST_F(ApiRoutes, ActionsCancelRerunRedeliverAndTokens) {
  const std::string op = tokens_["operator"];
  // Cancel a running run; a finished one is a conflict.
  const std::string slow = start_run("sleeper", dir_, "30");
  ASSERT_TRUE(eventually(
      [&] { return call("GET", "/api/v1/runs/" + slow, op).json["status"] == "running"; }));
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow + "/cancel", op, R"({"mode":"Bogus"})").status,
            400);
  auto c =
      call("POST", "/api/v1/runs/" + slow + "/cancel", op, R"({"mode":"CancelledRunFinally"})");
  EXPECT_EQ(c.status, 202) << c.body;
  Json cancelled = wait_terminal(slow);
  EXPECT_EQ(cancelled["status"], "cancelled") << cancelled.dump(2);
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow + "/cancel", op).status, 409);
  // Rerun with changed params.
  auto re = call("POST", "/api/v1/runs/" + slow + "/rerun", op, R"({"params":{"seconds":"0"}})");
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(re.json["run"]["trigger"]["type"], "rerun");
  Json rerun = wait_terminal(re.json["run"]["id"]);
  EXPECT_EQ(rerun["status"], "succeeded") << rerun.dump(2);
  EXPECT_EQ(rerun["params"]["seconds"], "0");
  // Retry of a run still running is a conflict.
  const std::string slow2 = start_run("sleeper", dir_, "30");
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow2 + "/retry", op).status, 409);
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow2 + "/cancel", op).status, 202);
  EXPECT_EQ(wait_terminal(slow2)["status"], "cancelled");
  // Redeliver: processed again as a new delivery with a new run.
  auto ds = call("GET", "/api/v1/deliveries", op).json["deliveries"];
  const std::string first_delivery = ds.back()["id"];
  auto rd = call("POST", "/api/v1/deliveries/" + first_delivery + "/redeliver", op);
  ASSERT_EQ(rd.status, 202) << rd.body;
  EXPECT_NE(rd.json["delivery"]["id"], first_delivery);
  ASSERT_EQ(rd.json["runs"].size(), 1u);
  const std::string again = rd.json["runs"][0]["id"];
  EXPECT_EQ(rd.json["runs"][0]["params"], nullptr);  // a RunSummary
  EXPECT_EQ(call("POST", "/api/v1/runs/" + again + "/cancel", op).status, 202);
  EXPECT_EQ(wait_terminal(again)["params"]["seconds"], "30");  // the original body, again
  EXPECT_EQ(call("POST", "/api/v1/deliveries/dlv-nope/redeliver", op).status, 404);
  // Approval of a task that is no gate.
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow + "/approvals/nap", op, R"({"decision":"approve"})")
                .status,
            409);
  EXPECT_EQ(call("POST", "/api/v1/runs/" + slow + "/approvals/none", op).status, 404);
  // Tokens (admin).
  const std::string admin = tokens_["admin"];
  EXPECT_EQ(call("POST", "/api/v1/tokens", op, R"({"name":"x","role":"viewer"})").status, 403);
  auto made = call("POST", "/api/v1/tokens", admin, R"({"name":"ci","role":"viewer"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string secret = made.json["token"];
  EXPECT_EQ(call("GET", "/api/v1/whoami", secret).json["actor"], "token:ci");
  auto list = call("GET", "/api/v1/tokens", admin);
  EXPECT_EQ(list.json["tokens"].size(), 4u);
  EXPECT_EQ(list.body.find(secret), std::string::npos);  // never shown again
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + made.json["id"].get<std::string>(), admin).status,
            200);
  EXPECT_EQ(call("GET", "/api/v1/whoami", secret).status, 401);
}

TEST_F(ApiRoutes, EveryActionRefusesNoTokenViewerAndWrongToken) {
  const std::string run = start_run("sleeper", dir_, "0");
  wait_terminal(run);
  const std::string dlv =
      call("GET", "/api/v1/deliveries", tokens_["viewer"]).json["deliveries"][0]["id"];
  const std::vector<std::pair<std::string, std::string>> actions = {
      {"POST", "/api/v1/runs/" + run + "/cancel"},
      {"POST", "/api/v1/runs/" + run + "/retry"},
      {"POST", "/api/v1/runs/" + run + "/rerun"},
      {"POST", "/api/v1/runs/" + run + "/approvals/nap"},
      {"POST", "/api/v1/deliveries/" + dlv + "/redeliver"},
      {"POST", "/api/v1/tokens"},
      {"DELETE", "/api/v1/tokens/tok-x"},
  };
  for (const auto& [method, target] : actions) {
    auto none = call(method, target, "", "{}");
    EXPECT_EQ(none.status, 401) << target;
    EXPECT_TRUE(none.json.contains("error")) << target;
    auto wrong = call(method, target, "not-a-token", "{}");
    EXPECT_EQ(wrong.status, 401) << target;
    EXPECT_TRUE(wrong.json.contains("error")) << target;
    auto viewer = call(method, target, tokens_["viewer"], "{}");
    EXPECT_EQ(viewer.status, 403) << target;
    EXPECT_TRUE(viewer.json.contains("error")) << target;
    // Path variants naming this route only after normalisation are refused before routing.
    const std::string tail = target.substr(target.rfind('/'));
    for (const std::string& variant :
         {"/api/v1/x/.." + target.substr(7),
          target.substr(0, target.rfind('/')) + "%2F" + tail.substr(1)}) {
      auto v = call(method, variant, tokens_["admin"], "{}");
      EXPECT_EQ(v.status, 400) << variant;
      EXPECT_TRUE(v.json.contains("error")) << variant;
    }
  }
  // Nothing was done: still one run, one delivery.
  EXPECT_EQ(call("GET", "/api/v1/runs", tokens_["viewer"]).json["runs"].size(), 1u);
  EXPECT_EQ(call("GET", "/api/v1/deliveries", tokens_["viewer"]).json["deliveries"].size(), 1u);
  // 3 refusals per action are audited (the 400s never reached a route).
  auto audit = call("GET", "/api/v1/audit?limit=1000", tokens_["admin"]);
  std::size_t denied = 0;
  for (const auto& row : audit.json["audit"]) {
    denied += row["outcome"].get<std::string>().rfind("denied", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(denied, 3 * actions.size()) << audit.body;
}

TEST_F(ApiRoutes, WebhookRunsCarryTheirRepositoryBranchAndCommit) {
  // A push payload's repository, ref and head commit (GitHub's field names) land in columns
  // the runs list filters on.
  Json body = {{"pipeline", "sleeper"},    {"dir", dir_},
               {"seconds", "0"},           {"repository", {{"full_name", "org/app"}}},
               {"ref", "refs/heads/main"}, {"after", "abc123"}};
  auto r = server_->post("ci", body.dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 202) << r.body;
  start_run("sleeper", dir_, "0");  // no repository
  auto hit = call("GET", "/api/v1/runs?repository=org/app&branch=main", tokens_["viewer"]);
  ASSERT_EQ(hit.json["runs"].size(), 1u) << hit.body;
  EXPECT_EQ(hit.json["runs"][0]["trigger"]["repository"], "org/app");
  EXPECT_EQ(hit.json["runs"][0]["trigger"]["branch"], "main");
  EXPECT_EQ(hit.json["runs"][0]["trigger"]["commit"], "abc123");
  EXPECT_EQ(call("GET", "/api/v1/runs?branch=dev", tokens_["viewer"]).json["runs"].size(), 0u);
  for (const auto& run : call("GET", "/api/v1/runs", tokens_["viewer"]).json["runs"]) {
    wait_terminal(run["id"]);
  }
}

TEST_F(ApiRoutes, CancelModesFollowTekton) {
  const std::string op = tokens_["operator"];
  auto state_of = [](const Json& run, const std::string& task) {
    for (const auto& t : run["tasks"]) {
      if (t["name"] == task) return t["state"].get<std::string>();
    }
    return std::string("absent");
  };
  auto running = [&](const std::string& run) {
    return eventually([&] {
      auto d = call("GET", "/api/v1/runs/" + run, op);
      return state_of(d.json, "long") == "running";
    });
  };
  // Cancelled: running tasks are stopped and finally tasks do not run.
  const std::string a = start_run("final", dir_, "30");
  ASSERT_TRUE(running(a));
  ASSERT_EQ(call("POST", "/api/v1/runs/" + a + "/cancel", op, R"({"mode":"Cancelled"})").status,
            202);
  Json ra = wait_terminal(a);
  EXPECT_EQ(ra["status"], "cancelled");
  EXPECT_EQ(state_of(ra, "long"), "cancelled") << ra.dump(2);
  EXPECT_NE(state_of(ra, "cleanup"), "succeeded") << ra.dump(2);
  // CancelledRunFinally: running tasks are stopped, then finally tasks run.
  const std::string b = start_run("final", dir_, "30");
  ASSERT_TRUE(running(b));
  ASSERT_EQ(
      call("POST", "/api/v1/runs/" + b + "/cancel", op, R"({"mode":"CancelledRunFinally"})").status,
      202);
  Json rb = wait_terminal(b);
  EXPECT_EQ(state_of(rb, "long"), "cancelled") << rb.dump(2);
  EXPECT_EQ(state_of(rb, "cleanup"), "succeeded") << rb.dump(2);
  // StoppedRunFinally: running tasks finish, no new ones start, finally tasks run.
  const std::string c = start_run("final", dir_, "1");
  ASSERT_TRUE(running(c));
  ASSERT_EQ(
      call("POST", "/api/v1/runs/" + c + "/cancel", op, R"({"mode":"StoppedRunFinally"})").status,
      202);
  Json rc = wait_terminal(c);
  EXPECT_EQ(state_of(rc, "long"), "succeeded") << rc.dump(2);
  EXPECT_EQ(state_of(rc, "cleanup"), "succeeded") << rc.dump(2);
  // A finished run cannot be cancelled.
  EXPECT_EQ(call("POST", "/api/v1/runs/" + c + "/cancel", op).status, 409);
}

class AnonymousRead : public ApiServer {
 protected:
  void SetUp() override {
    anonymous_read_ = true;
    ApiServer::SetUp();
  }
};

TEST_F(AnonymousRead, ReadsWithoutATokenButNeverActs) {
  const std::string run = start_run("sleeper", dir_, "0");
  wait_terminal(run);
  EXPECT_EQ(call("GET", "/api/v1/runs").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/whoami").json["role"], "viewer");
  EXPECT_EQ(call("GET", "/api/v1/runs", "wrong").status, 401);  // a bad token is never anonymous
  EXPECT_EQ(call("POST", "/api/v1/runs/" + run + "/retry").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/audit").status, 401);
}

}  // namespace
}  // namespace baton::serve_testing
