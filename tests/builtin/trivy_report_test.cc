// The Trivy report summary on every real report of the corpus. Expected counts come from the
// corpus's SOURCES.md table (written from the reports, independently of this parser).

#include "tasks/builtin/trivy_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace baton::builtin {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN
const std::map<std::string, std::array<int, 5>> kExpected = {
    {"alpine-39.json", {2, 0, 4, 0, 0}},      {"alpine-39-high-critical.json", {2, 0, 0, 0, 0}},
    {"alpine-39-skip.json", {0, 0, 0, 0, 0}}, {"sl-micro-rancher5.4.json", {0, 0, 0, 0, 0}},
    {"debian-buster.json", {1, 0, 0, 1, 0}},  {"debian-stretch.json", {0, 0, 4, 1, 0}},
    {"centos-7.json", {0, 0, 1, 2, 0}},       {"photon-30.json", {2, 1, 0, 0, 0}},
    {"fluentd-gems.json", {1, 1, 0, 0, 0}},   {"spring4shell-jre11.json", {1, 0, 0, 0, 0}},
};

TEST(TrivyReportTest, EveryCorpusReport) {
  const fs::path dir = fs::path(BATON_CORPUS_DIR) / "trivy-reports";
  std::set<std::string> seen;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    const std::string name = e.path().filename().string();
    seen.insert(name);
    ASSERT_TRUE(kExpected.count(name)) << "new corpus report without expected counts: " << name;
    auto s = parse_trivy_report(slurp(e.path()));
    ASSERT_TRUE(s.ok()) << name << ": " << s.error().message;
    EXPECT_EQ(s->counts, kExpected.at(name)) << name << ": " << s->line();
    const auto& want = kExpected.at(name);
    EXPECT_EQ(*exceeds(*s, "CRITICAL"), want[0] > 0) << name;
    EXPECT_EQ(*exceeds(*s, "HIGH"), want[0] + want[1] > 0) << name;
    EXPECT_EQ(*exceeds(*s, "LOW"), want[0] + want[1] + want[2] + want[3] > 0) << name;
    EXPECT_FALSE(*exceeds(*s, "NONE")) << name;
  }
  EXPECT_EQ(seen.size(), kExpected.size());
}

TEST(TrivyReportTest, SummaryLineAndCounts) {
  auto s = parse_trivy_report(slurp(fs::path(BATON_CORPUS_DIR) / "trivy-reports/photon-30.json"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count("HIGH"), 1);
  EXPECT_EQ(s->total(), 3);
  EXPECT_EQ(s->line().rfind("CRITICAL=2 HIGH=1 MEDIUM=0 LOW=0 UNKNOWN=0 (", 0), 0u) << s->line();
}

TEST(TrivyReportTest, MisconfigurationsCountOnlyFailures) {
  auto s = parse_trivy_report(R"({"SchemaVersion":2,"Results":[{"Target":"Dockerfile",
    "Misconfigurations":[{"Status":"FAIL","Severity":"HIGH"},{"Status":"PASS","Severity":"HIGH"}],
    "Secrets":[{"Severity":"CRITICAL"}]}]})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->count("HIGH"), 1);
  EXPECT_EQ(s->count("CRITICAL"), 1);
}

TEST(TrivyReportTest, BadInputIsAClearError) {
  EXPECT_NE(parse_trivy_report("{").error().message.find("not JSON"), std::string::npos);
  EXPECT_NE(parse_trivy_report(R"({"SchemaVersion":1})").error().message.find("SchemaVersion"),
            std::string::npos);
  auto r = parse_trivy_report(R"({"Results":[{"Vulnerabilities":[{"VulnerabilityID":"x"}]}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "$.Results[0].Vulnerabilities[0].Severity: missing or not a string");
  EXPECT_FALSE(exceeds({}, "SEVERE").ok());
}

}  // namespace
}  // namespace baton::builtin
