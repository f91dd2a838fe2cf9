#pragma once
// Test helpers: corpus paths, signed requests, catalogs loaded from corpus directories.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "triggers/event_processor.h"
#include "triggers/hmac.h"
#include "triggers/load.h"

namespace baton::triggers::testing {

inline const std::string kCorpus = BATON_CORPUS_DIR;
inline const std::string kExamples = kCorpus + "/tekton-triggers/examples/";
inline const std::string kGitHub = kCorpus + "/github-webhooks/payload-examples/api.github.com/";
inline const std::string kGitLab = kCorpus + "/gitlab-webhooks/xanzy-go-gitlab/testdata/webhooks/";

inline std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A delivery as GitHub sends it, signed with `secret` (unsigned when empty).
inline WebhookRequest github(const std::string& event, std::string body,
                             const std::string& secret = "1234567") {
  WebhookRequest r{"POST", "/", {}, std::move(body)};
  r.headers = {{"X-GitHub-Event", event},
               {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
               {"Content-Type", "application/json"},
               {"User-Agent", "GitHub-Hookshot/044aadd"}};
  if (!secret.empty()) {
    r.headers.emplace_back("X-Hub-Signature-256", "sha256=" + hmac_sha256_hex(secret, r.body));
  }
  return r;
}

/// A delivery as GitLab sends it (header spelling of the tekton curl.sh).
inline WebhookRequest gitlab(const std::string& event, std::string body,
                             const std::string& token = "1234567") {
  WebhookRequest r{"POST", "/", {}, std::move(body)};
  r.headers = {{"X-Gitlab-Event", event},
               {"Content-Type", "application/json"},
               {"Idempotency-Key", "908a6d9e-45fd-46c8-97e6-c4f350f219dd"}};
  if (!token.empty()) r.headers.emplace_back("X-GitLab-Token", token);
  return r;
}

/// Loads corpus files (paths relative to the examples folder) into one catalog; no errors allowed.
inline TriggerCatalog load(const std::vector<std::string>& files) {
  TriggerCatalog cat;
  for (const auto& f : files) {
    LoadReport r = load_file(kExamples + f, cat);
    for (const auto& d : r.errors) ADD_FAILURE() << d.to_string();
  }
  for (const auto& d : check_references(cat)) ADD_FAILURE() << d.to_string();
  return cat;
}

/// Secrets of the corpus examples (github-secret, gitlab-secret, mysecret), from their YAML.
inline SecretStore corpus_secrets() {
  SecretStore s;
  for (const char* f : {"v1beta1/github/secret.yaml", "v1beta1/gitlab/secret.yaml",
                        "v1beta1/eventlisteners/cel-eventlistener-interceptor-with-secret.yaml"}) {
    for (const auto& d : s.add_file(kExamples + f)) ADD_FAILURE() << d.to_string();
  }
  return s;
}

inline ProcessOptions fixed_uid() {
  ProcessOptions o;
  o.make_uid = [] { return std::string("abcde"); };
  return o;
}

}  // namespace baton::triggers::testing
