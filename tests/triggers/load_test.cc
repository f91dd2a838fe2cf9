// Loading: every YAML of the tekton-triggers corpus, the explicit list of those rejected, and
// errors with exact positions.

#include "triggers/load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace baton::triggers {
namespace {

const std::string kExamples = std::string(BATON_CORPUS_DIR) + "/tekton-triggers/examples/";

std::string join(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d) s += x.to_string() + "\n";
  return s;
}

// Files Baton rejects on purpose, and the first error each gives.
const std::map<std::string, std::string> kRejected = {
    {"v1beta1/eventlisteners/eventlistener-interceptor.yaml",
     "v1beta1/eventlisteners/eventlistener-interceptor.yaml:11:11: error: "
     "spec.triggers[0].interceptors[0].webhook: webhook interceptors are not supported"},
    {"v1beta1/eventlisteners/eventlistener-multiinterceptor.yaml",
     "v1beta1/eventlisteners/eventlistener-multiinterceptor.yaml:20:11: error: "
     "spec.triggers[0].interceptors[1].webhook: webhook interceptors are not supported"},
    {"v1beta1/github-owners/github-eventlistener-interceptor.yaml",
     "v1beta1/github-owners/github-eventlistener-interceptor.yaml:20:15: error: "
     "spec.triggers[0].interceptors[0].params[2].value: githubOwners is not supported"},
};

TEST(Load, EveryCorpusYaml) {
  std::size_t files = 0, loaded = 0, ignored_only = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(kExamples)) {
    if (f.path().extension() != ".yaml") continue;
    ++files;
    std::string rel = f.path().string().substr(kExamples.size());
    TriggerCatalog cat;
    LoadReport r = load_file(f.path().string(), cat);
    auto it = kRejected.find(rel);
    if (it == kRejected.end()) {
      EXPECT_TRUE(r.errors.empty()) << rel << "\n" << join(r.errors);
      loaded += r.loaded;
      if (r.loaded == 0) ++ignored_only;
      continue;
    }
    ASSERT_FALSE(r.errors.empty()) << rel;
    std::string first = r.errors[0].to_string();
    EXPECT_NE(first.find(it->second), std::string::npos) << first;
  }
  EXPECT_GE(files, 44u);
  EXPECT_GE(loaded, 40u);
  EXPECT_GE(ignored_only, 6u);  // rbac, Tasks/Pipeline, Secrets, webhook Deployment
}

TEST(Load, GithubListenerModel) {
  TriggerCatalog cat;
  LoadReport r = load_file(kExamples + "v1beta1/github/github-eventlistener-interceptor.yaml", cat);
  ASSERT_TRUE(r.errors.empty()) << join(r.errors);
  EXPECT_EQ(r.loaded, 3u);
  const EventListener& el = cat.listeners.at("github-listener");
  ASSERT_EQ(el.triggers.size(), 1u);
  const TriggerSpec& t = el.triggers[0].spec;
  ASSERT_EQ(t.interceptors.size(), 2u);
  EXPECT_EQ(t.interceptors[0].kind, InterceptorKind::kGitHub);
  EXPECT_EQ(t.interceptors[0].secret_ref->secret_name, "github-secret");
  EXPECT_EQ(t.interceptors[0].secret_ref->secret_key, "secretToken");
  EXPECT_EQ(t.interceptors[0].event_types, std::vector<std::string>{"pull_request"});
  EXPECT_EQ(t.interceptors[1].kind, InterceptorKind::kCel);
  EXPECT_EQ(t.interceptors[1].filter->source(),
            "body.action in ['opened', 'synchronize', 'reopened']");
  EXPECT_EQ(t.bindings[0].ref, "github-pr-binding");
  EXPECT_EQ(t.template_ref.ref, "github-template");
  EXPECT_EQ(cat.templates.at("github-template").params.size(), 2u);
  EXPECT_TRUE(check_references(cat).empty()) << join(check_references(cat));
}

TEST(Load, V1alpha1InterceptorKeys) {
  const char* yaml = R"Y(apiVersion: triggers.tekton.dev/v1alpha1
kind: EventListener
metadata:
  name: old
spec:
  triggers:
    - name: t
      interceptors:
        - github:
            secretRef: {secretName: s, secretKey: k}
            eventTypes: [push]
        - gitlab:
            eventTypes: ["Push Hook"]
        - cel:
            filter: "body.ref == 'refs/heads/main'"
            overlays:
              - key: short
                expression: "body.after.truncate(7)"
      bindings:
        - name: rev
          value: $(extensions.short)
      template:
        name: tpl
)Y";
  TriggerCatalog cat;
  LoadReport r = load_text(yaml, "old.yaml", cat);
  ASSERT_TRUE(r.errors.empty()) << join(r.errors);
  const auto& ics = cat.listeners.at("old").triggers[0].spec.interceptors;
  ASSERT_EQ(ics.size(), 3u);
  EXPECT_EQ(ics[0].kind, InterceptorKind::kGitHub);
  EXPECT_EQ(ics[0].secret_ref->secret_key, "k");
  EXPECT_EQ(ics[1].kind, InterceptorKind::kGitLab);
  EXPECT_EQ(ics[2].overlays[0].key, "short");
  EXPECT_EQ(cat.listeners.at("old").triggers[0].spec.template_ref.ref, "tpl");
  Diagnostics refs = check_references(cat);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].message, "TriggerTemplate \"tpl\" not found");
}

TEST(Load, ErrorsHaveExactPositions) {
  struct Case {
    const char* yaml;
    const char* want;
  };
  const Case cases[] = {
      // A CEL error points at the column inside the quoted scalar.
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata: {name: t}
spec:
  interceptors:
    - ref: {name: cel}
      params:
        - name: filter
          value: "body.action == 'x' && body.foo.exists(f, f)"
  template: {ref: x}
)Y",
       "f.yaml:9:50: error: spec.interceptors[0].params[0].value: invalid CEL expression: column "
       "32: "
       "unknown function 'exists'"},
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata: {name: t}
spec:
  interceptors:
    - ref: {name: cel}
      params:
        - name: overlays
          value:
            - key: k
              expression: body.x.nope()
  template: {ref: x}
)Y",
       "f.yaml:11:34: error: spec.interceptors[0].params[0].value[0].expression: invalid CEL "
       "expression: column 8: unknown function 'nope'"},
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: b}
spec:
  params:
    - name: a
      value: prefix-$(bdy.x)
)Y",
       "f.yaml:7:21: error: spec.params[0].value: $(bdy.x): unknown variable \"bdy\" (expected "
       "body, "
       "header, extensions or context)"},
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: el}
spec:
  triggers:
    - name: t
      interceptors:
        - ref: {name: slack}
      template: {ref: x}
)Y",
       "f.yaml:8:11: error: spec.triggers[0].interceptors[0].ref.name: interceptor \"slack\" is "
       "not "
       "supported (supported: github, gitlab, bitbucket, cel)"},
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: {name: tt}
spec:
  params: [{name: a}]
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata: {generateName: x-}
      spec: {params: [{name: p, value: $(tt.params.b)}]}
)Y",
       "f.yaml:7:7: error: spec.resourcetemplates[0]: $(tt.params.b) is not declared in "
       "spec.params "
       "of the template"},
      {R"Y(apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: el}
spec:
  triggers:
    - name: t
      bindings: [{name: x}]
      template: {ref: x}
      interceptors:
        - ref: {name: github}
          params: [{name: secret, value: x}]
)Y",
       "f.yaml:7:18: error: spec.triggers[0].bindings[0]: binding has a name but no value; to use "
       "a "
       "TriggerBinding write `ref: x`"},
      {"apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerBinding\nmetadata: {name: b\n",
       "f.yaml:4:1: error: did not find expected ',' or '}'"},
  };
  for (const auto& c : cases) {
    TriggerCatalog cat;
    LoadReport r = load_text(c.yaml, "f.yaml", cat);
    ASSERT_FALSE(r.errors.empty()) << c.yaml;
    EXPECT_EQ(r.errors[0].to_string().substr(0, std::string(c.want).size()), c.want)
        << join(r.errors);
    EXPECT_EQ(r.loaded, 0u);
    EXPECT_TRUE(cat.listeners.empty() && cat.bindings.empty() && cat.triggers.empty());
  }
}

TEST(Load, DuplicateNamesAndOtherKindsIgnored) {
  const char* yaml = R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: b}
spec: {params: [{name: a, value: x}]}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: b}
spec: {params: [{name: a, value: y}]}
)Y";
  TriggerCatalog cat;
  LoadReport r = load_text(yaml, "d.yaml", cat);
  EXPECT_EQ(r.ignored, 2u);
  EXPECT_EQ(r.loaded, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "d.yaml:14:1: error: metadata.name: TriggerBinding \"b\" is defined twice");
  EXPECT_EQ(cat.bindings.at("b").params[0].value, "x");
}

}  // namespace
}  // namespace baton::triggers
