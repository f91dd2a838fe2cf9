// Every GitHub push / pull_request / ping / create / delete payload and the GitLab push, tag push
// and merge request payloads, through the corpus EventListeners, with the params asserted.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/triggers/helpers.h"

namespace baton::triggers {
namespace {

using namespace testing;  // NOLINT
using Json = nlohmann::json;

std::vector<std::string> payloads(const std::string& event) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(kGitHub + event)) {
    if (f.path().extension() == ".json") out.push_back(f.path().string());
  }
  std::sort(out.begin(), out.end());
  EXPECT_FALSE(out.empty()) << event;
  return out;
}

const TriggerResult& only(const EventOutcome& o) {
  EXPECT_TRUE(o.valid) << o.error;
  EXPECT_EQ(o.triggers.size(), 1u);
  return o.triggers.at(0);
}

TEST(Corpus, GitHubListenerPullRequests) {
  for (const char* version : {"v1alpha1", "v1beta1"}) {
    TriggerCatalog cat =
        load({std::string(version) + "/github/github-eventlistener-interceptor.yaml"});
    SecretStore secrets = corpus_secrets();
    const EventListener& el = cat.listeners.at("github-listener");
    int fired = 0;
    for (const auto& path : payloads("pull_request")) {
      Json p = Json::parse(read(path));
      std::string action = p["action"];
      auto out =
          process_event(el, cat, github("pull_request", read(path)), secrets.lookup(), fixed_uid());
      EXPECT_TRUE(out.authorised);
      EXPECT_EQ(out.event_id, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
      EXPECT_EQ(out.event_type, "pull_request");
      const TriggerResult& t = only(out);
      bool want = action == "opened" || action == "synchronize" || action == "reopened";
      ASSERT_EQ(t.fired, want) << path << ": " << t.reason;
      if (!want) {
        EXPECT_EQ(t.reason,
                  "only when PRs are opened interceptor: filter \"body.action in "
                  "['opened', 'synchronize', 'reopened']\" is false");
        continue;
      }
      ++fired;
      std::string sha = p["pull_request"]["head"]["sha"], url = p["repository"]["clone_url"];
      EXPECT_EQ(t.params, (std::map<std::string, std::string>{{"gitrevision", sha},
                                                              {"gitrepositoryurl", url}}));
      ASSERT_EQ(t.resources.size(), 1u);
      Json run = Json::parse(t.resources[0]);
      EXPECT_EQ(run["kind"], "TaskRun");
      EXPECT_EQ(run["metadata"]["generateName"], "github-run-");
      EXPECT_EQ(run["spec"]["taskSpec"]["steps"][0]["script"],
                "#! /bin/bash\necho \"Revision is : " + sha + ". RepoURL is " + url + "\"\n");
    }
    EXPECT_GE(fired, 5) << version;  // opened x3 (one with a null body), reopened x2, synchronize
  }
}

TEST(Corpus, GitHubListenerOtherEventsAreFiltered) {
  TriggerCatalog cat = load({"v1beta1/github/github-eventlistener-interceptor.yaml"});
  SecretStore secrets = corpus_secrets();
  for (const char* event : {"push", "ping", "create", "delete"}) {
    for (const auto& path : payloads(event)) {
      auto out = process_event(cat.listeners.at("github-listener"), cat, github(event, read(path)),
                               secrets.lookup());
      const TriggerResult& t = only(out);
      EXPECT_EQ(t.status, TriggerStatus::kFiltered) << path;
      EXPECT_EQ(t.reason, "github interceptor: event type \"" + std::string(event) +
                              "\" is not allowed (allowed: pull_request)");
    }
  }
}

// The embedded-trigger listener has no interceptors: pipeline-binding + message-binding.
TEST(Corpus, EmbeddedTriggerPushes) {
  TriggerCatalog cat = load({"v1beta1/embedded-trigger/eventlistener.yaml",
                             "v1beta1/embedded-trigger/triggerbinding.yaml",
                             "v1beta1/embedded-trigger/triggerbinding-message.yaml",
                             "v1beta1/embedded-trigger/triggertemplate.yaml"});
  int fired = 0;
  for (const auto& path : payloads("push")) {
    Json p = Json::parse(read(path));
    auto out = process_event(cat.listeners.at("embedded-trigger-listener"), cat,
                             github("push", read(path), ""), {}, fixed_uid());
    const TriggerResult& t = only(out);
    if (p["head_commit"].is_null()) {  // tag deletions carry no head commit
      EXPECT_EQ(t.status, TriggerStatus::kFailed);
      EXPECT_EQ(t.reason,
                "binding param gitrevision: $(body.head_commit.id): "
                "body.head_commit.id not found in the event");
      continue;
    }
    ++fired;
    ASSERT_TRUE(t.fired) << path << ": " << t.reason;
    EXPECT_EQ(t.params.at("gitrevision"), p["head_commit"]["id"]);
    EXPECT_EQ(t.params.at("gitrepositoryurl"), p["repository"]["url"]);
    EXPECT_EQ(t.params.at("contenttype"), "application/json");
    EXPECT_EQ(t.params.at("message"), "Hello from the Triggers EventListener!");
    Json run = Json::parse(t.resources.at(0));
    EXPECT_EQ(run["kind"], "PipelineRun");
    EXPECT_EQ(run["spec"]["pipelineRef"]["name"], "simple-pipeline");
    EXPECT_EQ(run["spec"]["params"][2],
              (Json{{"name", "git-revision"}, {"value", p["head_commit"]["id"]}}));
    EXPECT_EQ(run["spec"]["params"][3],
              (Json{{"name", "git-url"}, {"value", p["repository"]["url"]}}));
  }
  EXPECT_EQ(fired, 2);  // with-new-branch, with-no-username-committer
}

TEST(Corpus, CelListenerHeaderMatchAndOverlay) {
  TriggerCatalog cat = load({"v1beta1/eventlisteners/cel-eventlistener-interceptor.yaml",
                             "v1beta1/embedded-trigger/triggerbinding.yaml",
                             "v1beta1/embedded-trigger/triggertemplate.yaml"});
  const EventListener& el = cat.listeners.at("cel-listener-interceptor");
  for (const auto& path : payloads("pull_request")) {
    Json p = Json::parse(read(path));
    auto out = process_event(el, cat, github("pull_request", read(path)), {}, fixed_uid());
    ASSERT_EQ(out.triggers.size(), 2u);
    ASSERT_TRUE(out.triggers[0].fired) << out.triggers[0].reason;
    std::string sha = p["pull_request"]["head"]["sha"];
    EXPECT_EQ(out.triggers[0].params.at("sha"), sha.substr(0, 7));
    EXPECT_EQ(Json::parse(out.triggers[0].resources[0])["spec"]["params"][0]["value"],
              sha.substr(0, 7));
    // The TaskRun's own $(params.git_sha) is left for the pipeline engine.
    EXPECT_NE(out.triggers[0].resources[0].find("$(params.git_sha)"), std::string::npos);
    EXPECT_FALSE(out.triggers[1].fired);
  }
  auto push = process_event(
      el, cat, github("push", read(kGitHub + "push/with-new-branch.payload.json")), {});
  EXPECT_FALSE(push.triggers[0].fired);
  EXPECT_EQ(push.triggers[0].reason,
            "cel interceptor: filter \"header.match('X-GitHub-Event', 'pull_request')\" is false");
  ASSERT_TRUE(push.triggers[1].fired) << push.triggers[1].reason;
  EXPECT_EQ(push.triggers[1].params.at("gitrevision"), "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
}

TEST(Corpus, CelSecretAndOverlayExamples) {
  TriggerCatalog cat =
      load({"v1beta1/eventlisteners/cel-eventlistener-interceptor-with-secret.yaml",
            "v1beta1/eventlisteners/cel-eventlistener-multiple-overlays.yaml",
            "v1beta1/eventlisteners/cel-eventlistener-no-filter.yaml",
            "v1beta1/embedded-trigger/triggerbinding.yaml",
            "v1beta1/embedded-trigger/triggertemplate.yaml"});
  SecretStore secrets = corpus_secrets();
  std::string push = read(kGitHub + "push/with-new-branch.payload.json");
  auto with_secret =
      process_event(cat.listeners.at("cel-listener-interceptor-with-secret-comparison"), cat,
                    github("push", push), secrets.lookup());
  EXPECT_TRUE(only(with_secret).fired) << only(with_secret).reason;
  SecretStore other;
  other.set("mysecret", "token", "another");
  auto wrong = process_event(cat.listeners.at("cel-listener-interceptor-with-secret-comparison"),
                             cat, github("push", push), other.lookup());
  EXPECT_EQ(only(wrong).status, TriggerStatus::kFiltered);
  // Overlays that read a field the event lacks filter the trigger with the reason.
  auto overlays = process_event(cat.listeners.at("example-with-multiple-overlays"), cat,
                                github("push", push), {});
  EXPECT_EQ(only(overlays).reason,
            "cel interceptor: overlay truncated_sha \"body.pull_request.head.sha.truncate(7)\" "
            "failed: no such key: pull_request");
  std::string pr = read(kGitHub + "pull_request/opened.payload.json");
  auto no_filter = process_event(cat.listeners.at("cel-eventlistener-no-filter"), cat,
                                 github("pull_request", pr), {});
  // pipeline-binding reads body.head_commit.id, which a pull_request event does not have.
  EXPECT_EQ(only(no_filter).status, TriggerStatus::kFailed);
}

TEST(Corpus, TriggerRefAndTriggerGroups) {
  TriggerCatalog refs =
      load({"v1beta1/trigger-ref/eventlistener-triggerref.yaml", "v1beta1/trigger-ref/trigger.yaml",
            "v1beta1/trigger-ref/triggerbinding.yaml", "v1beta1/trigger-ref/triggertemplate.yaml"});
  std::string pr = read(kGitHub + "pull_request/synchronize.payload.json");
  std::string push = read(kGitHub + "push/with-new-branch.payload.json");
  auto r1 =
      process_event(refs.listeners.at("trigger-ref-listener"), refs, github("push", push), {});
  EXPECT_EQ(only(r1).trigger, "trigger");
  EXPECT_EQ(only(r1).status, TriggerStatus::kFiltered);

  TriggerCatalog groups = load({"v1beta1/triggergroups/eventlistener-triggergroup.yaml",
                                "v1beta1/triggergroups/trigger.yaml"});
  const EventListener& el = groups.listeners.at("triggergroups-listener");
  auto g = process_event(el, groups, github("pull_request", pr), {}, fixed_uid());
  const TriggerResult& t = only(g);
  EXPECT_EQ(t.trigger, "github-pr/trigger");
  ASSERT_TRUE(t.fired) << t.reason;
  Json p = Json::parse(pr);
  EXPECT_EQ(t.params.at("gitrevision"),
            p["pull_request"]["head"]["sha"].get<std::string>().substr(0, 7));
  EXPECT_EQ(t.params.at("gitrepositoryurl"), p["repository"]["url"]);
  EXPECT_EQ(t.params.at("message"), "This is the default message");
  auto create =
      process_event(el, groups, github("create", read(kGitHub + "create/payload.json")), {});
  EXPECT_EQ(only(create).trigger, "github-pr");
  EXPECT_EQ(only(create).status, TriggerStatus::kFiltered);
}

TEST(Corpus, GitLabPushListener) {
  for (const char* version : {"v1alpha1", "v1beta1"}) {
    TriggerCatalog cat = load({std::string(version) + "/gitlab/gitlab-push-listener.yaml"});
    SecretStore secrets = corpus_secrets();
    const EventListener& el = cat.listeners.at("gitlab-listener");
    for (const std::string& path :
         {kGitLab + "push.json", kExamples + version + "/gitlab/gitlab-push-event.json"}) {
      Json p = Json::parse(read(path));
      auto out = process_event(el, cat, gitlab("Push Hook", read(path)), secrets.lookup());
      EXPECT_EQ(out.event_id, "908a6d9e-45fd-46c8-97e6-c4f350f219dd");
      EXPECT_EQ(out.event_id_header, "Idempotency-Key");
      const TriggerResult& t = only(out);
      ASSERT_TRUE(t.fired) << path << ": " << t.reason;
      EXPECT_EQ(t.params.at("gitrevision"), p["checkout_sha"]);
      EXPECT_EQ(t.params.at("gitrepositoryurl"), p["repository"]["git_http_url"]);
      EXPECT_EQ(Json::parse(t.resources[0])["metadata"]["generateName"], "gitlab-run-");
    }
    for (const auto& [event, file] : {std::pair{"Tag Push Hook", "tag_push.json"},
                                      std::pair{"Merge Request Hook", "merge_request.json"}}) {
      auto out = process_event(el, cat, gitlab(event, read(kGitLab + file)), secrets.lookup());
      EXPECT_EQ(only(out).status, TriggerStatus::kFiltered);
      EXPECT_EQ(only(out).reason, "verify-gitlab-payload interceptor: event type \"" +
                                      std::string(event) +
                                      "\" is not allowed (allowed: Push Hook)");
    }
  }
}

}  // namespace
}  // namespace baton::triggers
