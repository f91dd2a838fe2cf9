#include "engine/common/diagnostic.h"

#include <algorithm>

namespace baton {

std::string Diagnostic::to_string() const {
  std::string out = pos.file.empty() ? std::string("<input>") : pos.file;
  if (pos.line > 0) {
    out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.col);
  }
  out += ": error: ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = word.size() / 3 + 1;  // allow about one typo per three characters
  if (best_d > 3) best_d = 3;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d <= best_d && (best.empty() || d < edit_distance(word, best))) best = c;
  }
  return best;
}

}  // namespace baton
