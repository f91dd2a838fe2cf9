// Retry failed on a diamond (a -> b, c -> d; c fails on its first run only): the retry runs c
// and d, not a and b; d sees a's and b's original results; the runs link to each other. Also
// the authz of the retry action: no token, a viewer, a wrong token and path variants are
// refused with the right status and a JSON error, and every attempt is audited.

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/serve/api_fixture.h"

namespace baton::serve_testing {
namespace {

std::map<std::string, int> ran(const std::string& dir) {
  std::map<std::string, int> count;
  std::ifstream f(dir + "/ran");
  for (std::string line; std::getline(f, line);) ++count[line];
  return count;
}

const Json* task(const Json& run, const std::string& name) {
  for (const auto& t : run["tasks"]) {
    if (t["name"] == name) return &t;
  }
  return nullptr;
}

std::string result(const Json& t, const std::string& name) {
  const Json& a = t["attempts"].back();
  return a["results"].contains(name) ? a["results"][name].get<std::string>() : "";
}

class RetryFailed : public ApiServer {};

TEST_F(RetryFailed, DiamondRetryRunsOnlyTheFailedTaskAndWhatFollows) {
  const std::string work = dir_ + "/work";
  std::filesystem::create_directories(work);
  const std::string first = start_run("diamond", work);
  ASSERT_FALSE(first.empty());
  Json r1 = wait_terminal(first);
  ASSERT_EQ(r1["status"], "failed") << r1.dump(2);
  ASSERT_TRUE(task(r1, "d"));
  EXPECT_EQ((*task(r1, "a"))["state"], "succeeded");
  EXPECT_EQ((*task(r1, "b"))["state"], "succeeded");
  EXPECT_EQ((*task(r1, "c"))["state"], "failed");
  EXPECT_EQ((*task(r1, "d"))["state"], "skipped");  // Tekton: a parent failed
  // The DAG edges: runAfter plus result references (d reads a's and b's results).
  EXPECT_EQ((*task(r1, "d"))["depends_on"], Json::array({"a", "b", "c"})) << r1.dump(2);
  EXPECT_EQ((*task(r1, "b"))["depends_on"], Json::array({"a"}));
  const std::string a_out = result(*task(r1, "a"), "out");
  const std::string b_out = result(*task(r1, "b"), "out");
  ASSERT_EQ(a_out.rfind("a-", 0), 0u);
  ASSERT_EQ(b_out.rfind("b-", 0), 0u);
  EXPECT_EQ(ran(work), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));

  // Refused: no token, a viewer, a wrong token (401/403 with a JSON error); path variants that
  // would reach another run's route after normalisation (400). None creates a run.
  const std::string retry = "/api/v1/runs/" + first + "/retry";
  auto none = call("POST", retry, "", "{}");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.raw.header("WWW-Authenticate").rfind("Bearer", 0), 0u);
  EXPECT_TRUE(none.json.contains("error")) << none.body;
  auto viewer = call("POST", retry, tokens_["viewer"], "{}");
  EXPECT_EQ(viewer.status, 403);
  EXPECT_TRUE(viewer.json.contains("error")) << viewer.body;
  auto wrong = call("POST", retry, "bt_" + std::string(32, 'x'), "{}");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(wrong.json.contains("error")) << wrong.body;
  for (const std::string& variant :
       {"/api/v1/runs/1/../" + first + "/retry", "/api/v1/runs/x/%2E%2E/" + first + "/retry",
        "/api/v1/runs/" + first + "%2Fretry", "/api/v1/runs/x%2F..%2F" + first + "/retry"}) {
    auto v = call("POST", variant, tokens_["operator"], "{}");
    EXPECT_EQ(v.status, 400) << variant;
    EXPECT_TRUE(v.json.contains("error")) << variant << ": " << v.body;
  }
  EXPECT_EQ(call("GET", "/api/v1/runs", tokens_["viewer"]).json["runs"].size(), 1u);

  auto made = call("POST", retry, tokens_["operator"], R"({"failed_only": true})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string second = made.json["run"]["id"];
  EXPECT_EQ(made.json["run"]["retry_of"], first);
  EXPECT_EQ(made.json["run"]["trigger"]["type"], "retry");
  EXPECT_EQ(made.json["run"]["trigger"]["actor"], "token:operator-1");
  Json r2 = wait_terminal(second);
  ASSERT_EQ(r2["status"], "succeeded") << r2.dump(2);

  // a and b were not run again: reused, with the original attempts named.
  for (const char* name : {"a", "b"}) {
    const Json& t = *task(r2, name);
    EXPECT_EQ(t["state"], "reused") << name;
    ASSERT_EQ(t["attempts"].size(), 1u);
    EXPECT_EQ(t["attempts"][0]["reused_from"], (*task(r1, name))["attempts"][0]["id"]);
  }
  EXPECT_EQ((*task(r2, "c"))["state"], "succeeded");
  EXPECT_EQ((*task(r2, "d"))["state"], "succeeded");
  EXPECT_EQ(result(*task(r2, "a"), "out"), a_out);
  EXPECT_EQ(result(*task(r2, "d"), "seen"), a_out + "|" + b_out);
  EXPECT_EQ(ran(work), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 2}, {"d", 1}}));

  // Both runs link to each other.
  EXPECT_EQ(r2["retry_of"], first);
  EXPECT_EQ(wait_terminal(first)["retries"], Json::array({second}));

  // A reused attempt serves its original's logs.
  const Json& ra = (*task(r2, "a"))["attempts"][0];
  auto logs =
      call("GET",
           "/api/v1/runs/" + second + "/taskruns/" + ra["id"].get<std::string>() + "/steps/0/logs",
           tokens_["viewer"]);
  EXPECT_EQ(logs.status, 200);

  // Every attempt is in the audit trail, refused ones included.
  auto audit = call("GET", "/api/v1/audit?limit=100", tokens_["admin"]);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::multiset<std::string> outcomes;
  for (const auto& row : audit.json["audit"]) {
    if (row["action"] == "retry")
      outcomes.insert(row["actor"].get<std::string>() + " " + row["outcome"].get<std::string>());
  }
  EXPECT_EQ(outcomes.count("anonymous denied: 401"), 1u) << audit.body;
  EXPECT_EQ(outcomes.count("token:viewer-1 denied: 403"), 1u) << audit.body;
  EXPECT_EQ(outcomes.count("invalid-token denied: 401"), 1u) << audit.body;
  EXPECT_EQ(outcomes.count("token:operator-1 ok"), 1u) << audit.body;
  // The audit is admin only.
  EXPECT_EQ(call("GET", "/api/v1/audit", tokens_["operator"]).status, 403);
}

}  // namespace
}  // namespace baton::serve_testing
