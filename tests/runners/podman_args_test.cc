// The podman command lines, without podman: Tekton's entrypoint rules, mounts, env, user,
// limits, network, and Kubernetes quantities.
#include "runners/podman/podman_args.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

using Args = std::vector<std::string>;

class PodmanArgsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inv_.task_run_name = "tr";
    inv_.work_dir = "/w";
    exec::StepInvocation a, b;
    a.name = "a";
    b.name = "b";
    inv_.steps = {a, b};
    inv_.workspaces.push_back({"src", "/host/src", "/workspace/src", false});
    inv_.workspaces.push_back({"cfg", "/host/cfg", "/etc/cfg", true});
    ctx_.inv = &inv_;
    ctx_.paths = &paths_;
    ctx_.podman = {"podman", "--runtime", "runc"};
    ctx_.name = "c1";
    ctx_.image = "localhost/base:latest";
    ctx_.step_index = 0;
  }
  Args args(const exec::StepInvocation& s) {
    auto r = podman_run_args(ctx_, s);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Args{};
  }
  // What follows the image: the container's argv after its entrypoint.
  static Args after_image(const Args& a, const std::string& image) {
    auto it = std::find(a.begin(), a.end(), image);
    return it == a.end() ? Args{} : Args(it + 1, a.end());
  }
  static std::string flag(const Args& a, const std::string& name) {
    auto it = std::find(a.begin(), a.end(), name);
    return it == a.end() || it + 1 == a.end() ? "" : *(it + 1);
  }
  static std::vector<std::string> flags(const Args& a, const std::string& name) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i + 1 < a.size(); ++i)
      if (a[i] == name) out.push_back(a[i + 1]);
    return out;
  }

  exec::TaskInvocation inv_;
  AttemptPaths paths_ = attempt_paths("/w");
  ContainerContext ctx_;
};

TEST_F(PodmanArgsTest, ScriptCommandArgsAndImageEntrypointFollowTekton) {
  exec::StepInvocation s = inv_.steps[0];
  s.args = {"x", "y"};
  ctx_.script = "/tekton/scripts/step-0";
  Args a = args(s);
  EXPECT_EQ(Args(a.begin(), a.begin() + 4), (Args{"podman", "--runtime", "runc", "run"}));
  EXPECT_EQ(flag(a, "--entrypoint"), R"(["/tekton/scripts/step-0"])");
  EXPECT_EQ(after_image(a, ctx_.image), (Args{"x", "y"}));

  ctx_.script.clear();
  s.command = {"/bin/echo", "hi there"};
  a = args(s);
  EXPECT_EQ(flag(a, "--entrypoint"), R"(["/bin/echo","hi there"])");
  EXPECT_EQ(after_image(a, ctx_.image), (Args{"x", "y"}));

  s.command.clear();  // args only: the image's ENTRYPOINT gets them...
  a = args(s);
  EXPECT_EQ(flag(a, "--entrypoint"), "");
  EXPECT_EQ(after_image(a, ctx_.image), (Args{"x", "y"}));
  ctx_.image_cmd = {"sh"};  // ...or, without one, Tekton runs the image's CMD with them
  a = args(s);
  EXPECT_EQ(flag(a, "--entrypoint"), R"(["sh"])");

  s.args.clear();  // neither: the image's own ENTRYPOINT and CMD
  a = args(s);
  EXPECT_EQ(flag(a, "--entrypoint"), "");
  EXPECT_EQ(a.back(), ctx_.image);
  EXPECT_EQ(container_script("echo hi"), "#!/bin/sh\nset -e\necho hi");
  EXPECT_EQ(container_script("#!/bin/bash\necho hi"), "#!/bin/bash\necho hi");
}

TEST_F(PodmanArgsTest, MountsShareTheAttemptAndProtectOtherSteps) {
  exec::StepInvocation s = inv_.steps[0];
  Args a = args(s);
  const auto v = flags(a, "--volume");
  auto has = [&](const std::string& m) { return std::find(v.begin(), v.end(), m) != v.end(); };
  EXPECT_TRUE(has("/w/tekton:/tekton"));
  EXPECT_TRUE(has("/w/workspace:/workspace"));
  EXPECT_TRUE(has("/host/src:/workspace/src"));
  EXPECT_TRUE(has("/host/cfg:/etc/cfg:ro"));
  EXPECT_TRUE(has("/w/tekton/steps/step-b:/tekton/steps/step-b:ro"));  // the other step's
  EXPECT_TRUE(has("/w/tekton/run/1:/tekton/run/1:ro"));
  EXPECT_FALSE(has("/w/tekton/run/0:/tekton/run/0:ro"));

  s.mounts.push_back({"volume-empty", "/w/volumes/empty", "/workspace/", false});
  const auto replaced = flags(args(s), "--volume");
  EXPECT_EQ(std::count_if(replaced.begin(), replaced.end(),
                          [](const std::string& m) { return m.ends_with(":/workspace"); }),
            1);
  EXPECT_NE(std::find(replaced.begin(), replaced.end(), "/w/volumes/empty:/workspace"),
            replaced.end());
  auto mounts = container_mounts(ctx_, s);
  EXPECT_EQ(host_dir_of(mounts, "/workspace/src/x"), "/host/src/x");
  EXPECT_EQ(host_dir_of(mounts, "/tekton/home"), "/w/tekton/home");
  EXPECT_EQ(host_dir_of(mounts, "/opt/app"), "");
}

TEST_F(PodmanArgsTest, EnvUserLimitsNetworkAndLabels) {
  exec::StepInvocation s = inv_.steps[0];
  s.env = {{"A", "1"}, {"B", "two words\nand a line"}};
  inv_.extra_env = {{"TRACEPARENT", "00-x"}};
  s.working_dir = "/workspace/src";
  s.security_context = {{"runAsUser", 1000}, {"runAsGroup", 3000}};
  s.compute_resources = {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}},
                         {"requests", {{"cpu", "8"}}}};
  ctx_.network = "container:side";
  ctx_.labels = {{"baton.dev/run", "r1"}};
  Args a = args(s);
  EXPECT_EQ(flags(a, "--env"),
            (Args{"HOME=/tekton/home", "A=1", "B=two words\nand a line", "TRACEPARENT=00-x"}));
  EXPECT_EQ(flag(a, "--workdir"), "/workspace/src");
  EXPECT_EQ(flag(a, "--user"), "1000:3000");
  EXPECT_EQ(flag(a, "--memory"), "67108864");
  EXPECT_EQ(flag(a, "--cpus"), "0.5");
  EXPECT_EQ(flag(a, "--network"), "container:side");
  EXPECT_EQ(flag(a, "--label"), "baton.dev/run=r1");
  EXPECT_EQ(flag(a, "--name"), "c1");
  EXPECT_NE(std::find(a.begin(), a.end(), "--rm"), a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), "--pull"), a.end());  // never pulls behind our back

  inv_.pod_template = {{"securityContext", {{"runAsUser", 2000}}}};
  s.security_context = nullptr;
  EXPECT_EQ(flag(args(s), "--user"), "2000");  // the pod's, when the step has none
  s.compute_resources = {{"limits", {{"memory", "lots"}}}};
  auto bad = podman_run_args(ctx_, s);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("limits.memory"), std::string::npos);
}

TEST_F(PodmanArgsTest, WorkingDirOutsideMountsIsCreatedByTheShellWrapper) {
  exec::StepInvocation s = inv_.steps[0];
  s.working_dir = "/a/path/too/far";
  s.command = {"pwd"};
  ctx_.mkdir_shell = "/tekton/bin/busybox";
  Args a = args(s);
  EXPECT_EQ(flag(a, "--workdir"), "/");
  EXPECT_EQ(
      flag(a, "--entrypoint"),
      R"(["/tekton/bin/busybox","sh","-c","mkdir -p \"$0\" && cd \"$0\" && exec \"$@\"","/a/path/too/far","pwd"])");
  s.working_dir = "/workspace/src/deeper";  // on a mount: the attempt creates it on the host
  a = args(s);
  EXPECT_EQ(flag(a, "--workdir"), "/workspace/src/deeper");
  EXPECT_EQ(flag(a, "--entrypoint"), R"(["pwd"])");
}

TEST(PodmanQuantitiesTest, MemoryAndCpu) {
  EXPECT_EQ(memory_bytes("64Mi"), 64LL << 20);
  EXPECT_EQ(memory_bytes("1G"), 1000000000LL);
  EXPECT_EQ(memory_bytes("1.5Gi"), 1610612736LL);
  EXPECT_EQ(memory_bytes("128974848"), 128974848LL);
  EXPECT_FALSE(memory_bytes("12 MB"));
  EXPECT_FALSE(memory_bytes("-1Mi"));
  EXPECT_EQ(cpu_cores("500m"), "0.5");
  EXPECT_EQ(cpu_cores("2"), "2");
  EXPECT_EQ(cpu_cores("0.25"), "0.25");
  EXPECT_EQ(cpu_cores("1500m"), "1.5");
  EXPECT_FALSE(cpu_cores("0"));
  EXPECT_FALSE(cpu_cores("two"));
}

}  // namespace
}  // namespace baton::runners
