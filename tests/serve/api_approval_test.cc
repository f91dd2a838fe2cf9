// Manual approval gates (custom task kind Approval): the run waits at the gate until an
// approver approves (the run goes on) or rejects (the gate fails with reason Rejected).

#include "tests/serve/api_fixture.h"

namespace baton::serve_testing {
namespace {

class Approval : public ApiServer {
 protected:
  Json gate(const std::string& run) {
    auto a = call("GET", "/api/v1/runs/" + run, tokens_["viewer"]);
    for (const auto& t : a.json["tasks"]) {
      if (t["name"] == "gate") return t;
    }
    return Json::object();
  }
  void wait_waiting(const std::string& run) {
    ASSERT_TRUE(eventually([&] { return gate(run)["reason"] == "WaitingForApproval"; }))
        << gate(run).dump(2);
  }
};

TEST_F(Approval, ApprovedGateLetsTheRunGoOn) {
  const std::string run = start_run("gated", dir_);
  wait_waiting(run);
  EXPECT_EQ(gate(run)["state"], "running");
  EXPECT_TRUE(gate(run)["approval"].get<bool>());
  const std::string target = "/api/v1/runs/" + run + "/approvals/gate";
  EXPECT_EQ(call("POST", target, "", R"({"decision":"approve"})").status, 401);
  EXPECT_EQ(call("POST", target, tokens_["viewer"], R"({"decision":"approve"})").status, 403);
  EXPECT_EQ(call("POST", target, tokens_["operator"], R"({"decision":"maybe"})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/runs/" + run + "/approvals/nope", tokens_["operator"]).status,
            404);
  auto ok = call("POST", target, tokens_["operator"], R"({"decision":"approve","message":"lgtm"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json["task"]["state"], "succeeded") << ok.body;
  Json done = wait_terminal(run);
  EXPECT_EQ(done["status"], "succeeded") << done.dump(2);
  // Deciding twice is a conflict: it is no longer waiting.
  EXPECT_EQ(call("POST", target, tokens_["operator"], R"({"decision":"approve"})").status, 409);
  // The gate's log says who decided.
  const std::string tr = gate(run)["attempts"][0]["id"];
  auto log =
      call("GET", "/api/v1/runs/" + run + "/taskruns/" + tr + "/steps/0/logs", tokens_["viewer"]);
  EXPECT_NE(log.body.find("approved by token:operator-1: lgtm"), std::string::npos) << log.body;
}

TEST_F(Approval, RejectedGateFailsTheRun) {
  const std::string run = start_run("gated", dir_);
  wait_waiting(run);
  auto no = call("POST", "/api/v1/runs/" + run + "/approvals/gate", tokens_["admin"],
                 R"({"decision":"reject","message":"not today"})");
  ASSERT_EQ(no.status, 200) << no.body;
  EXPECT_EQ(no.json["task"]["state"], "failed");
  EXPECT_EQ(no.json["task"]["reason"], "Rejected");
  Json done = wait_terminal(run);
  EXPECT_EQ(done["status"], "failed");
  for (const auto& t : done["tasks"]) {
    if (t["name"] == "ship") {
      EXPECT_NE(t["state"], "succeeded");
    }
  }
}

}  // namespace
}  // namespace baton::serve_testing
