// Tekton's own examples through `baton run --runner podman`, every image mapped to the base
// image built here: the multi-step, workspace, results and sidecar cases succeed in containers,
// and a run annotation picks the runner without flags.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/cmd/baton_process.h"
#include "tests/runners/podman_support.h"

namespace baton::runners {
namespace {

using baton::testing::run_baton;

class PodmanExamplesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { image_error_ = new std::string(testing::ensure_test_images()); }
  static void TearDownTestSuite() { delete image_error_; }
  void SetUp() override {
    ASSERT_EQ(*image_error_, "");
    dir_ = baton::testing::make_temp_dir();
    baton::testing::write_text(dir_ + "/images.yaml",
                               std::string("\"*\": ") + testing::kBaseImage + "\n");
    env_ = {"BATON_HOME=" + dir_ + "/home", "NO_COLOR=1"};
  }
  baton::testing::ProcessResult run_example(const std::string& example,
                                            std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", "--runner", "podman", "--image-map",
                                  dir_ + "/images.yaml"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(std::string(BATON_CORPUS_DIR) + "/tekton-examples/examples/v1/" + example);
    return run_baton(args, env_);
  }

  static std::string* image_error_;
  std::string dir_;
  std::vector<std::string> env_;
};
std::string* PodmanExamplesTest::image_error_ = nullptr;

TEST_F(PodmanExamplesTest, MultiStepExampleRunsStepsInOrderInContainers) {
  // Step 2 lists the file step 1 made after `sleep 3`; both give only args, so the image's
  // CMD (sh) runs them, as Tekton's entrypoint lookup does.
  auto r = run_example("taskruns/steps-run-in-order.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("] foo"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("runs as \"localhost/baton-test-base:latest\" (image map)"),
            std::string::npos)
      << r.output;
}

TEST_F(PodmanExamplesTest, WorkspaceExampleSharesVolumesAcrossStepContainers) {
  auto r = run_example("taskruns/workspace.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("] hello world"), std::string::npos) << r.output;  // configMap ws
}

TEST_F(PodmanExamplesTest, ResultsExampleFlowsResultsBetweenTasks) {
  auto r = run_example("pipelineruns/pipelinerun-results.yaml", {"-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("name": "all-sum",)"
                          "\n"
                          R"(        "value": "22-12")"),
            std::string::npos)
      << r.output;
}

TEST_F(PodmanExamplesTest, SidecarExampleRunsBesideTheSteps) {
  auto r = run_example("taskruns/sidecar-ready-script.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("] hello from sidecar"), std::string::npos) << r.output;
  EXPECT_EQ(testing::baton_containers(), std::vector<std::string>{});
}

TEST_F(PodmanExamplesTest, RunnerAnnotationsPickPodmanPerTaskWithoutFlags) {
  baton::testing::write_text(dir_ + "/run.yaml", R"yaml(
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: mixed
spec:
  pipelineSpec:
    tasks:
      - name: in-container
        taskSpec:
          steps: [{name: s, image: ubuntu, script: "echo container=$container"}]
      - name: on-host
        taskSpec:
          steps: [{name: s, image: ubuntu, script: "echo container=${container:-none}"}]
  taskRunSpecs:
    - pipelineTaskName: in-container
      metadata: {annotations: {baton.dev/runner: podman}}
)yaml");
  auto r = run_baton({"run", "--image-map", dir_ + "/images.yaml", dir_ + "/run.yaml"}, env_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[in-container:s] container=podman"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[on-host:s] container=none"), std::string::npos) << r.output;

  baton::testing::write_text(dir_ + "/bad.yaml", R"yaml(
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: typo
  annotations: {baton.dev/runner: podmn}
spec:
  taskSpec:
    steps: [{name: s, image: ubuntu, script: "true"}]
)yaml");
  r = run_baton({"run", dir_ + "/bad.yaml"}, env_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unknown runner \"podmn\""), std::string::npos) << r.output;
}

}  // namespace
}  // namespace baton::runners
