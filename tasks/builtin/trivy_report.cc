#include "tasks/builtin/trivy_report.h"

#include <nlohmann/json.hpp>

namespace baton::builtin {

namespace {

int severity_index(std::string_view s) {
  for (std::size_t i = 0; i < kSeverities.size(); ++i) {
    if (s == kSeverities[i]) return static_cast<int>(i);
  }
  return -1;
}

// Counts the findings of one list; `only_failed` keeps misconfigurations whose Status is FAIL
// (Trivy lists PASS ones too with --include-non-failures).
Status count_list(const nlohmann::json& result, const char* key, const std::string& path,
                  bool only_failed, TrivySummary& out) {
  if (!result.contains(key) || result[key].is_null()) return {};
  const auto& list = result[key];
  if (!list.is_array()) return Fail(path + "." + key + ": want an array");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& f = list[i];
    const std::string at = path + "." + key + "[" + std::to_string(i) + "]";
    if (!f.is_object()) return Fail(at + ": want an object");
    if (only_failed && f.value("Status", "FAIL") != "FAIL") continue;
    if (!f.contains("Severity") || !f["Severity"].is_string()) {
      return Fail(at + ".Severity: missing or not a string");
    }
    const int idx = severity_index(f["Severity"].get<std::string>());
    // An unrecognised severity counts as UNKNOWN, as Trivy itself does.
    out.counts[static_cast<std::size_t>(idx < 0 ? 4 : idx)]++;
  }
  return {};
}

}  // namespace

int TrivySummary::total() const {
  int t = 0;
  for (int c : counts) t += c;
  return t;
}

int TrivySummary::count(std::string_view severity) const {
  const int i = severity_index(severity);
  return i < 0 ? 0 : counts[static_cast<std::size_t>(i)];
}

std::string TrivySummary::line() const {
  std::string s;
  for (std::size_t i = 0; i < kSeverities.size(); ++i) {
    s += (i ? " " : "") + std::string(kSeverities[i]) + "=" + std::to_string(counts[i]);
  }
  if (!artifact.empty()) s += " (" + artifact + ")";
  return s;
}

Result<TrivySummary> parse_trivy_report(std::string_view json) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object()) return Fail("$: want a Trivy report object");
  if (doc.contains("SchemaVersion") && doc["SchemaVersion"] != 2) {
    return Fail("$.SchemaVersion: want 2, got " + doc["SchemaVersion"].dump());
  }
  TrivySummary out;
  if (doc.contains("ArtifactName") && doc["ArtifactName"].is_string()) {
    out.artifact = doc["ArtifactName"].get<std::string>();
  }
  // Results is omitted when empty (omitempty in pkg/types/report.go).
  if (!doc.contains("Results") || doc["Results"].is_null()) return out;
  const auto& results = doc["Results"];
  if (!results.is_array()) return Fail("$.Results: want an array");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string path = "$.Results[" + std::to_string(i) + "]";
    if (!results[i].is_object()) return Fail(path + ": want an object");
    ++out.results;
    for (auto [key, failed_only] :
         {std::pair{"Vulnerabilities", false}, std::pair{"Misconfigurations", true},
          std::pair{"Secrets", false}}) {
      if (auto st = count_list(results[i], key, path, failed_only, out); !st) return st.error();
    }
  }
  return out;
}

Result<bool> exceeds(const TrivySummary& s, std::string_view threshold) {
  if (threshold.empty() || threshold == "NONE") return false;
  const int limit = severity_index(threshold);
  if (limit < 0) {
    return Fail("severity threshold: want CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN or NONE, got \"" +
                std::string(threshold) + "\"");
  }
  // kSeverities is ordered most severe first; UNKNOWN is last but counts only at UNKNOWN.
  for (int i = 0; i <= limit; ++i) {
    if (s.counts[static_cast<std::size_t>(i)] > 0) return true;
  }
  return false;
}

}  // namespace baton::builtin
