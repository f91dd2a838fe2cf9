// `baton serve` end to end: every GitHub push, pull_request, ping, tag create/delete payload of
// the corpus (github.com and GHES 3.5) and the GitLab push, tag push and merge request payloads,
// signed as the senders sign them, through Tekton Triggers' own example EventListeners. Asserts
// the answer, the runs created and their params, dedupe of redeliveries, refused signatures, and
// that a created run really runs.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kCorpus = BATON_CORPUS_DIR;
const std::string kTriggers = kCorpus + "/tekton-triggers/examples/";
const std::string kGitHub = kCorpus + "/github-webhooks/payload-examples/";
const std::string kGitLab = kCorpus + "/gitlab-webhooks/xanzy-go-gitlab/testdata/webhooks/";
const char kSecret[] = "1234567";  // the corpus examples' Secrets

class WebhookCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::make_temp_dir());
    server_ = new ServeProcess(*dir_);
    // The Tekton Triggers examples, as published (only the files, not the cluster).
    for (const char* f :
         {"v1beta1/github/github-eventlistener-interceptor.yaml", "v1beta1/github/secret.yaml",
          "v1alpha1/gitlab/gitlab-push-listener.yaml", "v1alpha1/gitlab/secret.yaml",
          "v1beta1/embedded-trigger/eventlistener.yaml",
          "v1beta1/embedded-trigger/triggerbinding.yaml",
          "v1beta1/embedded-trigger/triggerbinding-message.yaml",
          "v1beta1/embedded-trigger/triggertemplate.yaml", "example-pipeline.yaml"}) {
      std::string name = f;
      std::replace(name.begin(), name.end(), '/', '_');
      fs::copy_file(kTriggers + f, server_->sources() + "/" + name);
    }
    ASSERT_TRUE(server_->start()) << server_->log();
  }
  static void TearDownTestSuite() {
    if (::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
      std::fprintf(stderr, "--- baton serve log ---\n%s\n", server_->log().c_str());
    }
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Posts a GitHub payload file; checks the answer is a 2xx JSON object and returns it.
  Json github(const std::string& listener, const std::string& event, const std::string& file,
              int want_status = 202) {
    std::string body = read_file(file);
    EXPECT_FALSE(body.empty()) << file;
    auto r = server_->post(listener, body, github_headers(event, next_id(), body, kSecret));
    EXPECT_EQ(r.status, want_status) << file << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  static std::string next_id() { return "delivery-" + std::to_string(++counter_); }

  std::unique_ptr<store::RunStore> store() { return open_store(server_->store_path()); }

  static std::string* dir_;
  static ServeProcess* server_;
  static int counter_;
};

std::string* WebhookCorpus::dir_ = nullptr;
ServeProcess* WebhookCorpus::server_ = nullptr;
int WebhookCorpus::counter_ = 0;

std::vector<std::string> payloads(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(WebhookCorpus, PullRequestsCreateOneTaskRunPerOpenedSynchronizedOrReopenedPr) {
  int accepted = 0, filtered = 0;
  for (const char* host : {"api.github.com", "ghes-35"}) {
    for (const auto& file : payloads(kGitHub + host + "/pull_request")) {
      Json payload = Json::parse(read_file(file));
      Json answer = github("github-listener", "pull_request", file);
      ASSERT_TRUE(answer.is_object()) << file;
      const std::string action = payload["action"];
      const bool fires = action == "opened" || action == "synchronize" || action == "reopened";
      if (!fires) {
        EXPECT_EQ(answer["result"], "filtered") << file;
        EXPECT_TRUE(answer["runs"].empty()) << file;
        ++filtered;
        continue;
      }
      ++accepted;
      EXPECT_EQ(answer["result"], "accepted") << file << answer.dump();
      ASSERT_EQ(answer["runs"].size(), 1u) << file;
      EXPECT_EQ(answer["runs"][0]["kind"], "TaskRun");
      auto run = store()->get_run(answer["runs"][0]["id"]);
      ASSERT_TRUE(run.ok()) << file;
      EXPECT_EQ(run->delivery_id, answer["eventID"].get<std::string>());
      // The binding's params reached the rendered TaskRun.
      const std::string sha = payload["pull_request"]["head"]["sha"];
      const std::string url = payload["repository"]["clone_url"];
      EXPECT_NE(run->spec.find("Revision is : " + sha + ". RepoURL is " + url), std::string::npos)
          << run->spec;
      EXPECT_EQ(run->name.rfind("github-run-", 0), 0u) << run->name;
    }
  }
  EXPECT_GE(accepted, 5);
  EXPECT_GE(filtered, 20);
}

TEST_F(WebhookCorpus, OtherGitHubEventsAreFilteredByEventType) {
  for (const char* host : {"api.github.com", "ghes-35"}) {
    for (const char* event : {"push", "ping", "create", "delete"}) {
      if (!fs::exists(kGitHub + host + "/" + event)) continue;
      for (const auto& file : payloads(kGitHub + host + "/" + event)) {
        Json answer = github("github-listener", event, file);
        EXPECT_EQ(answer["result"], "filtered") << file;
        EXPECT_TRUE(answer["runs"].empty()) << file;
        ASSERT_EQ(answer["triggers"].size(), 1u);
        EXPECT_NE(answer["triggers"][0]["reason"].get<std::string>().find("event type"),
                  std::string::npos)
            << answer.dump();
      }
    }
  }
}

TEST_F(WebhookCorpus, PushesWithAHeadCommitStartThePipelineWithItsParams) {
  int accepted = 0;
  for (const char* host : {"api.github.com", "ghes-35"}) {
    for (const char* event : {"push", "create", "delete", "ping"}) {
      if (!fs::exists(kGitHub + host + "/" + event)) continue;
      for (const auto& file : payloads(kGitHub + host + "/" + event)) {
        Json payload = Json::parse(read_file(file));
        Json answer = github("embedded-trigger-listener", event, file);
        const bool has_head = payload.contains("head_commit") && payload["head_commit"].is_object();
        if (!has_head) {
          // Tag deletions, create/delete, ping: $(body.head_commit.id) cannot resolve.
          EXPECT_NE(answer["result"], "accepted") << file;
          EXPECT_TRUE(answer["runs"].empty()) << file;
          continue;
        }
        ++accepted;
        ASSERT_EQ(answer["result"], "accepted") << file << answer.dump();
        ASSERT_EQ(answer["runs"].size(), 1u);
        EXPECT_EQ(answer["runs"][0]["pipeline"], "simple-pipeline");
        auto run = store()->get_run(answer["runs"][0]["id"]);
        ASSERT_TRUE(run.ok());
        Json params = Json::parse(run->params);
        EXPECT_EQ(params["git-revision"], payload["head_commit"]["id"]) << file;
        EXPECT_EQ(params["git-url"], payload["repository"]["url"]) << file;
        EXPECT_EQ(params["contenttype"], "application/json") << file;
      }
    }
  }
  EXPECT_GE(accepted, 2);
}

TEST_F(WebhookCorpus, GitLabPushFiresAndTagPushAndMergeRequestAreFiltered) {
  struct Case {
    const char* file;
    const char* event;
    bool fires;
  };
  for (const Case& c :
       {Case{"push.json", "Push Hook", true}, Case{"tag_push.json", "Tag Push Hook", false},
        Case{"merge_request.json", "Merge Request Hook", false}}) {
    std::string body = read_file(kGitLab + c.file);
    auto r = server_->post("gitlab-listener", body, gitlab_headers(c.event, kSecret, next_id()));
    ASSERT_EQ(r.status, 202) << c.file << ": " << r.body;
    Json answer = Json::parse(r.body);
    if (!c.fires) {
      EXPECT_EQ(answer["result"], "filtered") << c.file;
      continue;
    }
    ASSERT_EQ(answer["runs"].size(), 1u) << r.body;
    Json payload = Json::parse(body);
    auto run = store()->get_run(answer["runs"][0]["id"]);
    ASSERT_TRUE(run.ok());
    EXPECT_NE(run->spec.find("Revision is : " + payload["checkout_sha"].get<std::string>()),
              std::string::npos);
  }
  // Tekton's own example payload of the GitLab listener.
  std::string body = read_file(kTriggers + "v1alpha1/gitlab/gitlab-push-event.json");
  auto r = server_->post("gitlab-listener", body, gitlab_headers("Push Hook", kSecret, next_id()));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Json::parse(r.body)["runs"].size(), 1u);
}

TEST_F(WebhookCorpus, RedeliveryCreatesNothingNew) {
  std::string body = read_file(kGitHub + "api.github.com/pull_request/opened.payload.json");
  Headers h = github_headers("pull_request", "redelivered-1", body, kSecret);
  auto first = server_->post("github-listener", body, h);
  auto again = server_->post("github-listener", body, h);
  ASSERT_EQ(first.status, 202);
  ASSERT_EQ(again.status, 202);
  Json a = Json::parse(first.body), b = Json::parse(again.body);
  EXPECT_FALSE(a["duplicate"].get<bool>());
  EXPECT_TRUE(b["duplicate"].get<bool>());
  EXPECT_EQ(a["eventID"], b["eventID"]);
  EXPECT_EQ(a["runs"], b["runs"]);
  auto runs = store()->runs_of_delivery(a["eventID"]);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 1u);
}

TEST_F(WebhookCorpus, BadSignaturesAndTokensAreRefusedAndCreateNothing) {
  std::string body = read_file(kGitHub + "api.github.com/pull_request/opened.payload.json");
  auto count_runs = [&] { return store()->list_runs({}).value().runs.size(); };
  const std::size_t before = count_runs();
  Headers wrong = github_headers("pull_request", next_id(), body, "not-the-secret");
  Headers missing = github_headers("pull_request", next_id(), body, kSecret);
  missing.pop_back();
  Headers sha1 = missing;
  sha1.emplace_back("X-Hub-Signature", "sha1=7d38cdd689735b008b3c702edd92eea23791c5f6");
  for (const Headers& h : {wrong, missing, sha1}) {
    auto r = server_->post("github-listener", body, h);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(Json::parse(r.body)["result"], "rejected") << r.body;
  }
  std::string push = read_file(kGitLab + "push.json");
  auto r = server_->post("gitlab-listener", push, gitlab_headers("Push Hook", "nope", next_id()));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(count_runs(), before);
  // Refused deliveries are kept, without their body, with the reason.
  auto deliveries = store()->list_deliveries(4);
  ASSERT_TRUE(deliveries.ok());
  for (const auto& d : *deliveries) {
    EXPECT_EQ(d.result, store::DeliveryResult::kRejected);
    EXPECT_TRUE(d.body.empty());
  }
}

TEST_F(WebhookCorpus, UnknownListenerAndMalformedBody) {
  auto r = server_->post("nobody", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(Json::parse(r.body, nullptr, false).contains("error")) << r.body;
  std::string junk = "{not json";
  auto bad = server_->post("embedded-trigger-listener", junk,
                           github_headers("push", next_id(), junk, kSecret));
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(WebhookCorpus, ACreatedRunRunsAndLogsItsParams) {
  std::string file = kGitHub + "api.github.com/pull_request/reopened.payload.json";
  Json payload = Json::parse(read_file(file));
  Json answer = github("github-listener", "pull_request", file);
  ASSERT_EQ(answer["runs"].size(), 1u) << answer.dump();
  const std::string id = answer["runs"][0]["id"];
  auto s = store();
  ASSERT_TRUE(eventually([&] {
    auto run = s->get_run(id);
    return run.ok() && store::is_terminal(run->state);
  })) << server_->log();
  auto run = s->get_run(id);
  EXPECT_EQ(run->state, store::RunState::kSucceeded) << run->reason << ": " << run->message;
  ASSERT_TRUE(run->started_at && run->queued_at);
  EXPECT_GE(*run->started_at, *run->queued_at);  // queue time is kept apart from run time
  auto attempts = s->list_task_runs(id);
  ASSERT_TRUE(attempts.ok() && !attempts->empty());
  auto logs = s->read_logs(attempts->front().id, 0, 0);
  ASSERT_TRUE(logs.ok());
  std::string text;
  for (const auto& c : *logs) text += c.data;
  EXPECT_NE(text.find("Revision is : " + payload["pull_request"]["head"]["sha"].get<std::string>()),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace baton::serve_testing
