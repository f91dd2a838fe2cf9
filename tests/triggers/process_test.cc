// process_event: authentication failures, event ids, bindings and template rendering, speed.

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/triggers/helpers.h"

namespace baton::triggers {
namespace {

using namespace testing;  // NOLINT
using Json = nlohmann::json;

const std::string kPr =
    R"({"action": "opened", "pull_request":{"head":{"sha": "28911bbb5a3e2ea034daf1f6be0a822d50e31e73"}},"repository":{"clone_url": "https://github.com/tektoncd/triggers.git"}})";

struct Fixture {
  TriggerCatalog cat = load({"v1beta1/github/github-eventlistener-interceptor.yaml",
                             "v1beta1/gitlab/gitlab-push-listener.yaml"});
  SecretStore secrets = corpus_secrets();
  EventOutcome github_el(const WebhookRequest& r) {
    return process_event(cat.listeners.at("github-listener"), cat, r, secrets.lookup());
  }
  EventOutcome gitlab_el(const WebhookRequest& r) {
    return process_event(cat.listeners.at("gitlab-listener"), cat, r, secrets.lookup());
  }
};

TEST(Process, TektonReadmeRequestFires) {
  Fixture f;
  WebhookRequest r{"POST",
                   "/",
                   {{"X-GitHub-Event", "pull_request"},
                    {"X-Hub-Signature-256",
                     "sha256=c26dd919ebe335852219c49f74c4b24f1c62c93c77294be3ac6d8f2e4691a023"},
                    {"Content-Type", "application/json"}},
                   kPr};
  auto out = f.github_el(r);
  ASSERT_EQ(out.fired(), 1u) << out.triggers[0].reason;
  EXPECT_EQ(out.triggers[0].params.at("gitrevision"), "28911bbb5a3e2ea034daf1f6be0a822d50e31e73");
  EXPECT_EQ(out.event_id, "");  // the README's curl sends no X-GitHub-Delivery
}

TEST(Process, GitHubAuthenticationFailures) {
  Fixture f;
  struct Case {
    const char* name;
    WebhookRequest req;
    const char* reason;
  };
  WebhookRequest wrong_secret = github("pull_request", kPr, "not-the-secret");
  WebhookRequest missing = github("pull_request", kPr, "");
  WebhookRequest sha1_only = github("pull_request", kPr, "");
  sha1_only.headers.emplace_back("X-Hub-Signature",
                                 "sha1=7d38cdd689735b008b3c702edd92eea23791c5f6");
  WebhookRequest tampered = github("pull_request", kPr);
  tampered.body[12] = 'X';
  WebhookRequest sha1_prefix = github("pull_request", kPr, "");
  sha1_prefix.headers.emplace_back("X-Hub-Signature-256",
                                   "sha1=" + hmac_sha256_hex("1234567", kPr));
  const Case cases[] = {
      {"wrong secret", wrong_secret,
       "github interceptor: X-Hub-Signature-256: signature does not match the body (HMAC-SHA256 "
       "with the configured secret)"},
      {"missing", missing, "github interceptor: no X-Hub-Signature-256 header"},
      {"sha1 only", sha1_only,
       "github interceptor: no X-Hub-Signature-256 header (X-Hub-Signature with SHA-1 is not "
       "accepted)"},
      {"tampered body", tampered,
       "github interceptor: X-Hub-Signature-256: signature does not match the body (HMAC-SHA256 "
       "with the configured secret)"},
      {"no sha256= prefix", sha1_prefix,
       "github interceptor: X-Hub-Signature-256: signature must start with \"sha256=\""},
  };
  for (const auto& c : cases) {
    auto out = f.github_el(c.req);
    ASSERT_EQ(out.triggers.size(), 1u) << c.name;
    EXPECT_EQ(out.triggers[0].status, TriggerStatus::kRejected) << c.name;
    EXPECT_EQ(out.triggers[0].reason, c.reason) << c.name;
    EXPECT_FALSE(out.authorised) << c.name;
    EXPECT_TRUE(out.triggers[0].resources.empty());
  }
}

TEST(Process, WrongEventTypeIsFilteredNotRejected) {
  Fixture f;
  auto out = f.github_el(github("issues", kPr));
  EXPECT_TRUE(out.authorised);
  EXPECT_EQ(out.triggers[0].status, TriggerStatus::kFiltered);
  EXPECT_EQ(out.triggers[0].reason,
            "github interceptor: event type \"issues\" is not allowed (allowed: pull_request)");
}

TEST(Process, MissingSecretFailsTheTrigger) {
  Fixture f;
  auto out =
      process_event(f.cat.listeners.at("github-listener"), f.cat, github("pull_request", kPr), {});
  EXPECT_EQ(out.triggers[0].status, TriggerStatus::kFailed);
  EXPECT_EQ(out.triggers[0].reason,
            "github interceptor: secret github-secret has no key secretToken");
}

TEST(Process, GitLabTokenChecks) {
  Fixture f;
  std::string body = read(kGitLab + "push.json");
  auto ok = f.gitlab_el(gitlab("Push Hook", body));
  EXPECT_EQ(ok.fired(), 1u);
  auto wrong = f.gitlab_el(gitlab("Push Hook", body, "7654321"));
  EXPECT_EQ(wrong.triggers[0].status, TriggerStatus::kRejected);
  EXPECT_EQ(wrong.triggers[0].reason,
            "verify-gitlab-payload interceptor: X-Gitlab-Token does not match the secret");
  EXPECT_FALSE(wrong.authorised);
  auto prefix = f.gitlab_el(gitlab("Push Hook", body, "123456"));
  EXPECT_EQ(prefix.triggers[0].status, TriggerStatus::kRejected);
  auto missing = f.gitlab_el(gitlab("Push Hook", body, ""));
  EXPECT_EQ(missing.triggers[0].reason,
            "verify-gitlab-payload interceptor: no X-Gitlab-Token header");
  // A wrong token is rejected even when the event type would have filtered it.
  auto both = f.gitlab_el(gitlab("Tag Push Hook", body, "bad"));
  EXPECT_EQ(both.triggers[0].status, TriggerStatus::kRejected);
}

TEST(Process, MalformedBodyIsRejected) {
  Fixture f;
  auto out = f.github_el(github("pull_request", "{\"action\": "));
  EXPECT_FALSE(out.valid);
  EXPECT_NE(out.error.find("the body is not valid JSON: "), std::string::npos) << out.error;
  EXPECT_TRUE(out.triggers.empty());
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto nested = f.github_el(github("pull_request", deep));
  EXPECT_FALSE(nested.valid);
  EXPECT_EQ(nested.error, "the body nests deeper than 512 levels");
  // Brackets inside strings do not count.
  std::string quoted = "{\"a\": \"" + std::string(1000, '[') + "\\\"\"}";
  EXPECT_TRUE(f.github_el(github("pull_request", quoted)).valid);
}

TEST(Process, EventIdHeaders) {
  WebhookRequest r;
  EXPECT_EQ(event_id_of(r), (std::pair<std::string, std::string>{}));
  r.headers = {{"x-gitlab-event-uuid", "e1"}};
  EXPECT_EQ(event_id_of(r), (std::pair<std::string, std::string>{"e1", "X-Gitlab-Event-UUID"}));
  r.headers.emplace_back("X-GitHub-Delivery", "d1");
  EXPECT_EQ(event_id_of(r).first, "d1");
  r.headers.emplace_back("idempotency-key", "k1");
  EXPECT_EQ(event_id_of(r).first, "k1");
}

const char* kInline = R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: el}
spec:
  triggers:
    - name: t
      bindings:
        - {name: commits, value: $(body.commits)}
        - {name: first, value: "id=$(body.commits[0].id), n=$(body.n)"}
        - {name: agent, value: $(header.user-agent)}
        - {name: key, value: "$(body.a\\.b)"}
        - {name: text, value: $(body.text)}
        - {name: id, value: $(context.eventID)}
      template:
        spec:
          params: [{name: commits}, {name: first}, {name: agent}, {name: key}, {name: text}, {name: id}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {name: "run-$(uid)", labels: {key: $(tt.params.key)}}
              spec:
                params:
                  - {name: commits, value: $(tt.params.commits)}
                  - {name: first, value: $(tt.params.first)}
                  - {name: agent, value: $(tt.params.agent)}
                  - {name: text, value: $(tt.params.text)}
                  - {name: id, value: $(tt.params.id)}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: "cm-$(uid)"}
)Y";

TEST(Process, BindingValuesAndTemplateRendering) {
  TriggerCatalog cat;
  LoadReport lr = load_text(kInline, "inline.yaml", cat);
  ASSERT_TRUE(lr.errors.empty()) << lr.errors[0].to_string();
  WebhookRequest r{"POST",
                   "/",
                   {{"User-Agent", "GitHub-Hookshot/1"}, {"X-GitHub-Delivery", "d-1"}},
                   R"({"commits": [{"id": "a1"}, {"id": "b2"}], "n": 3, "a.b": "dotted",
                       "text": "say \"hi\"\nnow \\ done"})"};
  auto out = process_event(cat.listeners.at("el"), cat, r, {}, fixed_uid());
  const TriggerResult& t = out.triggers.at(0);
  ASSERT_TRUE(t.fired) << t.reason;
  EXPECT_EQ(t.params.at("commits"), R"([{"id":"a1"},{"id":"b2"}])");  // compact JSON
  EXPECT_EQ(t.params.at("first"), "id=a1, n=3");
  EXPECT_EQ(t.params.at("agent"), "GitHub-Hookshot/1");
  EXPECT_EQ(t.params.at("key"), "dotted");
  EXPECT_EQ(t.params.at("id"), "d-1");
  ASSERT_EQ(t.resources.size(), 2u);
  Json run = Json::parse(t.resources[0]);  // quotes, newlines and backslashes stay valid JSON
  EXPECT_EQ(run["metadata"]["name"], "run-abcde");
  EXPECT_EQ(run["metadata"]["labels"]["key"], "dotted");
  EXPECT_EQ(run["spec"]["params"][0]["value"], R"([{"id":"a1"},{"id":"b2"}])");
  EXPECT_EQ(run["spec"]["params"][3]["value"], "say \"hi\"\nnow \\ done");
  EXPECT_EQ(Json::parse(t.resources[1])["metadata"]["name"], "cm-abcde");  // one uid per trigger
  EXPECT_EQ(t.uid, "abcde");

  WebhookRequest missing{"POST", "/", {}, R"({"commits": []})"};
  auto m = process_event(cat.listeners.at("el"), cat, missing, {}, fixed_uid());
  EXPECT_EQ(m.triggers[0].status, TriggerStatus::kFailed);
  EXPECT_EQ(m.triggers[0].reason,
            "binding param first: $(body.commits[0].id): body.commits[0] not found in the event");
}

TEST(Process, DefaultUidsDifferPerInvocation) {
  TriggerCatalog cat;
  ASSERT_TRUE(load_text(kInline, "inline.yaml", cat).errors.empty());
  WebhookRequest r{"POST",
                   "/",
                   {{"User-Agent", "x"}},
                   R"({"commits": [{"id": "a"}], "n": 1, "a.b": 1, "text": ""})"};
  auto a = process_event(cat.listeners.at("el"), cat, r, {});
  auto b = process_event(cat.listeners.at("el"), cat, r, {});
  ASSERT_TRUE(a.triggers[0].fired && b.triggers[0].fired) << a.triggers[0].reason;
  EXPECT_EQ(a.triggers[0].uid.size(), 5u);
  EXPECT_NE(a.triggers[0].uid, b.triggers[0].uid);
}

// Processing keeps no state between events: the same signed push gives the same answer every
// time (its speed is measured by tests/bench/http_bench.sh through the whole server).
TEST(Process, RepeatedSignedPushGivesTheSameAnswer) {
  TriggerCatalog cat = load({"v1beta1/github/github-eventlistener-interceptor.yaml",
                             "v1beta1/embedded-trigger/eventlistener.yaml",
                             "v1beta1/embedded-trigger/triggerbinding.yaml",
                             "v1beta1/embedded-trigger/triggerbinding-message.yaml",
                             "v1beta1/embedded-trigger/triggertemplate.yaml"});
  SecretStore secrets = corpus_secrets();
  std::string body = read(kGitHub + "push/with-new-branch.payload.json");
  ASSERT_GT(body.size(), 5000u);
  WebhookRequest req = github("push", body);
  constexpr int kRounds = 50;
  std::size_t fired = 0;
  for (int i = 0; i < kRounds; ++i) {
    fired +=
        process_event(cat.listeners.at("embedded-trigger-listener"), cat, req, secrets.lookup())
            .fired();
    fired += process_event(cat.listeners.at("github-listener"), cat, req, secrets.lookup()).fired();
  }
  EXPECT_EQ(fired,
            static_cast<std::size_t>(kRounds));  // the embedded trigger fires, github filters
}

}  // namespace
}  // namespace baton::triggers
