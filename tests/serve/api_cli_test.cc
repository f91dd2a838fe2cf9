// The `baton` client commands against a real `baton serve`: runs, logs (-f), retry --failed,
// cancel, approve; the token from --token or $BATON_TOKEN.

#include <filesystem>
#include <regex>

#include "tests/cmd/baton_process.h"
#include "tests/serve/api_fixture.h"

namespace baton::serve_testing {
namespace {

class Client : public ApiServer {
 protected:
  testing::ProcessResult baton(std::vector<std::string> args, const std::string& role) {
    args.insert(args.begin() + 1,
                {"--server", "http://127.0.0.1:" + std::to_string(server_->port())});
    return testing::run_baton(args, {"BATON_TOKEN=" + tokens_[role]});
  }
};

TEST_F(Client, RunsLogsFollowRetryCancelApprove) {
  // logs -f follows a running step to its end.
  const std::string run = start_run("sleeper", dir_, "1");
  auto follow = baton({"logs", "-f", run}, "viewer");
  EXPECT_EQ(follow.exit_code, 0) << follow.output;
  EXPECT_NE(follow.output.find("[nap:s] napping\n"), std::string::npos) << follow.output;
  EXPECT_NE(follow.output.find("[nap:s] woke\n"), std::string::npos) << follow.output;
  EXPECT_EQ(wait_terminal(run)["status"], "succeeded");
  auto logs = baton({"logs", run}, "viewer");
  EXPECT_EQ(logs.exit_code, 0);
  EXPECT_NE(logs.output.find("[nap:s] woke"), std::string::npos) << logs.output;

  auto list = baton({"runs"}, "viewer");
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find(run), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("succeeded"), std::string::npos) << list.output;

  // retry --failed: refused for a viewer (exit 1, the server's error shown), done by an operator.
  std::filesystem::create_directories(dir_ + "/w");
  const std::string diamond = start_run("diamond", dir_ + "/w");
  EXPECT_EQ(wait_terminal(diamond)["status"], "failed");
  auto refused = baton({"retry", "--failed", diamond}, "viewer");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("403"), std::string::npos) << refused.output;
  auto retried = baton({"retry", "--failed", diamond}, "operator");
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  std::string retry;
  const std::regex id("run-[0-9a-z]+");
  for (std::sregex_iterator it(retried.output.begin(), retried.output.end(), id), end; it != end;
       ++it) {
    if (it->str() != diamond && retry.empty()) retry = it->str();
  }
  Json r2 = wait_terminal(retry);
  EXPECT_EQ(r2["status"], "succeeded") << r2.dump(2);
  EXPECT_EQ(r2["retry_of"], diamond);

  // cancel a long run; approve a gate.
  const std::string slow = start_run("sleeper", dir_, "30");
  auto cancelled = baton({"cancel", "--mode", "Cancelled", slow}, "operator");
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.output;
  EXPECT_EQ(wait_terminal(slow)["status"], "cancelled");
  const std::string gated = start_run("gated", dir_);
  ASSERT_TRUE(eventually([&] {
    auto d = call("GET", "/api/v1/runs/" + gated, tokens_["viewer"]);
    for (const auto& t : d.json["tasks"]) {
      if (t["name"] == "gate") return t["reason"] == "WaitingForApproval";
    }
    return false;
  }));
  auto approved = baton({"approve", gated, "gate"}, "operator");
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  EXPECT_NE(approved.output.find("gate succeeded"), std::string::npos) << approved.output;
  EXPECT_EQ(wait_terminal(gated)["status"], "succeeded");
  // Bad usage.
  EXPECT_EQ(testing::run_baton({"retry", "--server", "ftp://x", "r"}, {}).exit_code, 2);
}

}  // namespace
}  // namespace baton::serve_testing
