// The Pod of a TaskInvocation: container order, scripts, results collector, volumes, template.

#include "runners/kubernetes/pod_spec.h"

#include <gtest/gtest.h>

namespace baton::runners::kube {
namespace {

exec::TaskInvocation sample() {
  exec::TaskInvocation inv;
  inv.run_id = "run-01abc";
  inv.task_run_name = "p-build";
  inv.namespace_ = "team";
  exec::StepInvocation a;
  a.name = "a";
  a.image = "alpine";
  a.image_pull_policy = "IfNotPresent";
  a.script = "echo hi";
  a.args = {"x"};
  a.result_names = {"r"};
  exec::StepInvocation b;
  b.name = "b";
  b.image = "alpine";
  b.command = {"false"};
  b.on_error = "continue";
  exec::StepInvocation c;
  c.name = "c";
  c.image = "alpine";
  c.script = "#!/usr/bin/env python3\nprint(1)";
  inv.steps = {a, b, c};
  exec::StepInvocation sc;
  sc.name = "db";
  sc.image = "postgres";
  sc.ready_command = {"pg_isready"};
  sc.ready_timeout = std::chrono::seconds(30);
  inv.sidecars = {sc};
  inv.result_names = {"out"};
  inv.timeout = std::chrono::milliseconds(90'500);
  exec::WorkspaceMount w{"src", "/host/src", "/workspace/src", false};
  inv.workspaces = {w};
  inv.pod_volumes[exec::pod_volume_key(w)] = {
      "ws-src", {{"persistentVolumeClaim", {{"claimName", "cache"}, {"extra", 1}}}}, "sub"};
  inv.pod_template = {{"nodeSelector", {{"disk", "ssd"}}},
                      {"tolerations", Json::array({{{"key", "k"}, {"operator", "Exists"}}})},
                      {"env", Json::array({{{"name", "FROM_TEMPLATE"}, {"value", "1"}}})}};
  inv.service_account_name = "builder";
  return inv;
}

TEST(PodSpec, OrderAndRoles) {
  Json pod = make_pod(sample());
  const auto& init = pod["spec"]["initContainers"];
  ASSERT_EQ(init.size(), 5u);
  EXPECT_EQ(init[0]["name"], "prepare");  // step result directories
  EXPECT_EQ(init[1]["name"], "sidecar-db");
  EXPECT_EQ(init[1]["restartPolicy"], "Always");
  EXPECT_EQ(init[1]["startupProbe"]["exec"]["command"], Json::array({"pg_isready"}));
  EXPECT_EQ(init[1]["startupProbe"]["failureThreshold"], 30);
  EXPECT_EQ(init[2]["name"], "step-a");
  EXPECT_EQ(init[2]["command"], Json::array({"/tekton/scripts/step-0"}));
  EXPECT_EQ(init[2]["args"], Json::array({"x"}));
  EXPECT_EQ(init[2]["imagePullPolicy"], "IfNotPresent");
  EXPECT_FALSE(init[2].contains("restartPolicy"));
  // onError: continue: a shell keeps the pod going and records the code for the collector.
  EXPECT_EQ(init[3]["command"][0], "/bin/sh");
  EXPECT_NE(init[3]["command"][2].get<std::string>().find("/tekton/steps/step-b/exitCode"),
            std::string::npos);
  EXPECT_EQ(init[3]["command"][4], "false");
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u);
  EXPECT_EQ(pod["spec"]["containers"][0]["name"], "results");
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(pod["spec"]["activeDeadlineSeconds"], 91);
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "builder");
  EXPECT_EQ(pod["spec"]["nodeSelector"]["disk"], "ssd");
  EXPECT_EQ(pod["spec"]["tolerations"][0]["key"], "k");
  EXPECT_EQ(init[2]["env"][0]["name"], "FROM_TEMPLATE");
}

TEST(PodSpec, ScriptsLabelsAndVolumes) {
  Json pod = make_pod(sample());
  const auto& ann = pod["metadata"]["annotations"];
  EXPECT_EQ(ann["baton.dev/script-step-0"], "#!/bin/sh\nset -e\necho hi");  // Tekton's rule
  EXPECT_EQ(ann["baton.dev/script-step-2"], "#!/usr/bin/env python3\nprint(1)");
  EXPECT_EQ(pod["metadata"]["name"], "p-build-pod");
  EXPECT_EQ(pod["metadata"]["namespace"], "team");
  EXPECT_EQ(pod["metadata"]["labels"][kAttemptLabel], "0");
  EXPECT_EQ(label_selector(sample()),
            "baton.dev/run=run-01abc,baton.dev/task-run=p-build,baton.dev/attempt=0");
  Json ws;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["name"] == "ws-src") ws = v;
  // Typed like Kubernetes' PersistentVolumeClaimVolumeSource: unknown keys dropped.
  EXPECT_EQ(ws["persistentVolumeClaim"], Json({{"claimName", "cache"}}));
  bool mounted = false;
  for (const auto& m : pod["spec"]["initContainers"][2]["volumeMounts"])
    mounted = mounted || (m["name"] == "ws-src" && m["mountPath"] == "/workspace/src" &&
                          m["subPath"] == "sub");
  EXPECT_TRUE(mounted);
  auto retry = sample();
  retry.attempt = 2;
  EXPECT_EQ(pod_name(retry), "p-build-pod-retry2");
  std::string long_name(80, 'x');
  EXPECT_LE(label_value(long_name).size(), 63u);
  EXPECT_NE(label_value(long_name), label_value(long_name + "y"));
}

TEST(PodSpec, NoResultsMeansTheLastStepIsTheMainContainer) {
  exec::TaskInvocation inv;
  inv.run_id = "r";
  inv.task_run_name = "t";
  exec::StepInvocation s;
  s.name = "only";
  s.image = "alpine";
  s.args = {"echo", "hi"};
  inv.steps = {s};
  Json pod = make_pod(inv);
  EXPECT_FALSE(pod["spec"].contains("initContainers"));
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u);
  EXPECT_EQ(pod["spec"]["containers"][0]["name"], "step-only");
  EXPECT_FALSE(pod["spec"]["containers"][0].contains("command"));  // image entrypoint honoured
  EXPECT_EQ(collector_container(inv), "");
}

}  // namespace
}  // namespace baton::runners::kube
