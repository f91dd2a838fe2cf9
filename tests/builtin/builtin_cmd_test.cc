// `baton trivy-summary` and `baton builtin ...` as a step runs them: results written as files,
// exit codes for pass / threshold / skipped / bad input.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cmd/baton_process.h"

namespace baton {
namespace {

namespace fs = std::filesystem;
using testing::run_baton;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kReports = std::string(BATON_CORPUS_DIR) + "/trivy-reports/";

TEST(BuiltinCmdTest, TrivySummaryWritesResultsAndFailsAtTheThreshold) {
  const std::string dir = testing::make_temp_dir();
  auto r = run_baton(
      {"trivy-summary", kReports + "photon-30.json", "--fail-on", "CRITICAL", "--results", dir},
      {});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED: findings at CRITICAL or above"), std::string::npos);
  EXPECT_EQ(slurp(dir + "/CRITICAL"), "2");
  EXPECT_EQ(slurp(dir + "/HIGH"), "1");
  EXPECT_EQ(slurp(dir + "/MEDIUM"), "0");
  EXPECT_EQ(slurp(dir + "/summary").rfind("CRITICAL=2 HIGH=1 MEDIUM=0 LOW=0 UNKNOWN=0", 0), 0u);
  r = run_baton({"builtin", "trivy-summary", "--report=" + kReports + "centos-7.json",
                 "--fail-on=HIGH", "--results=" + dir},
                {});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(slurp(dir + "/LOW"), "2");
  fs::remove_all(dir);
}

TEST(BuiltinCmdTest, MissingScannerIsSkippedAndTheParamDecides) {
  const std::string dir = testing::make_temp_dir();
  const std::string missing = "--report=" + dir + "/no-report.json";
  auto r = run_baton({"builtin", "trivy-summary", missing, "--results=" + dir}, {});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(slurp(dir + "/summary"), "skipped: scanner not installed");
  EXPECT_EQ(slurp(dir + "/CRITICAL"), "");
  r = run_baton({"builtin", "trivy-summary", missing, "--fail-if-skipped=true", "--results=" + dir},
                {});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  fs::remove_all(dir);
}

TEST(BuiltinCmdTest, BadInputIsExitTwoWithTheReason) {
  auto r = run_baton({"trivy-summary", kReports + "centos-7.json", "--fail-on", "SEVERE"}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("want CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN or NONE"), std::string::npos);
  r = run_baton({"builtin", "git-clone", "--url=x", "--colour=blue"}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown option --colour"), std::string::npos) << r.output;
  r = run_baton({"builtin", "gitops-update", "--mode=helm"}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("url: required"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("helm-path: required in helm mode"), std::string::npos) << r.output;
  r = run_baton({"builtin", "kaniko"}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown task \"kaniko\""), std::string::npos);
}

}  // namespace
}  // namespace baton
