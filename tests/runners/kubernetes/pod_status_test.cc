// Pod status -> Tekton outcomes, and the collector's framed output.

#include "runners/kubernetes/pod_status.h"

#include <gtest/gtest.h>

#include "runners/kubernetes/pod_spec.h"

namespace baton::runners::kube {
namespace {

exec::TaskInvocation two_steps() {
  exec::TaskInvocation inv;
  inv.run_id = "r1";
  inv.task_run_name = "p-build";
  inv.steps.resize(2);
  inv.steps[0].name = "a";
  inv.steps[1].name = "b";
  inv.result_names = {"out"};
  return inv;
}

Json terminated(const std::string& name, int code) {
  Json t = {{"exitCode", code},
            {"reason", code ? "Error" : "Completed"},
            {"startedAt", "2026-01-02T03:04:05Z"},
            {"finishedAt", "2026-01-02T03:04:06Z"}};
  return {{"name", name}, {"state", {{"terminated", t}}}};
}

TEST(PodStatus, CollectedRecordsKeepBytesExactly) {
  std::string log =
      "baton-result result out 7\nA\nB c d\nbaton-result step-result a/r 0\n\n"
      "baton-result exit-code b 1\n3\n";
  auto c = parse_collected(log);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->results.at("out"), "A\nB c d");
  EXPECT_EQ(c->step_results.at("a").at("r"), "");
  EXPECT_EQ(c->exit_codes.at("b"), 3);
  EXPECT_FALSE(parse_collected("garbage\n").ok());
  EXPECT_FALSE(parse_collected("baton-result result out 99\nshort\n").ok());
}

TEST(PodStatus, SucceededPodGivesResults) {
  auto inv = two_steps();
  Json pod = {{"status",
               {{"phase", "Succeeded"},
                {"initContainerStatuses", {terminated("step-a", 0), terminated("step-b", 0)}},
                {"containerStatuses", {terminated("results", 0)}}}}};
  CollectedResults c;
  c.results["out"] = "v";
  auto o = outcome_of(inv, pod, c, {}, 1024);
  EXPECT_TRUE(o.succeeded);
  EXPECT_EQ(o.reason, "Succeeded");
  EXPECT_EQ(o.results.at("out"), "v");
  ASSERT_EQ(o.steps.size(), 2u);
  EXPECT_EQ(o.steps[1].reason, "Completed");
  EXPECT_EQ(o.steps[1].exit_code, 0);
  c.results["out"] = std::string(2000, 'x');
  EXPECT_EQ(outcome_of(inv, pod, c, {}, 1024).reason, "TaskRunResultLargerThanAllowedLimit");
}

TEST(PodStatus, FailedStepSkipsTheRestAndStopsAreReported) {
  auto inv = two_steps();
  Json pod = {
      {"status", {{"phase", "Failed"}, {"initContainerStatuses", {terminated("step-a", 2)}}}}};
  auto o = outcome_of(inv, pod, {}, {}, 1024);
  EXPECT_FALSE(o.succeeded);
  EXPECT_EQ(o.reason, "Failed");
  EXPECT_EQ(o.message, "\"step-a\" exited with code 2");
  EXPECT_EQ(o.steps[0].reason, "Error");
  EXPECT_EQ(o.steps[1].reason, "Skipped");
  EXPECT_EQ(outcome_of(inv, pod, {}, {"TaskRunCancelled", false}, 1024).steps[1].reason,
            "TaskRunCancelled");
  Json late = {{"status", {{"phase", "Failed"}, {"reason", "DeadlineExceeded"}}}};
  EXPECT_EQ(outcome_of(inv, late, {}, {}, 1024).reason, "TaskRunTimeout");
  EXPECT_EQ(outcome_of(inv, Json::object(), {}, {"", true}, 1024).reason, "Failed");
}

}  // namespace
}  // namespace baton::runners::kube
