#pragma once
// Reads a Trivy JSON report (`trivy image|fs --format json`, SchemaVersion 2) and counts its
// findings by severity, the way `trivy --exit-code` decides whether a scan failed.

#include <array>
#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace baton::builtin {

/// Trivy's severities, most severe first.
inline constexpr std::array<const char*, 5> kSeverities = {"CRITICAL", "HIGH", "MEDIUM", "LOW",
                                                           "UNKNOWN"};

/// Findings of a report: vulnerabilities, failed misconfigurations and secrets, by severity.
struct TrivySummary {
  std::string artifact;         // ArtifactName
  std::array<int, 5> counts{};  // indexed like kSeverities
  int results = 0;              // number of scanned targets (Results entries)
  int total() const;
  int count(std::string_view severity) const;
  /// "CRITICAL=2 HIGH=0 MEDIUM=4 LOW=0 UNKNOWN=0 (alpine:3.9)"
  std::string line() const;
};

/// Parses the report; errors name the JSON path that is malformed.
Result<TrivySummary> parse_trivy_report(std::string_view json);

/// Whether any finding is at `threshold` or more severe. "" or NONE: never.
Result<bool> exceeds(const TrivySummary& s, std::string_view threshold);

}  // namespace baton::builtin
