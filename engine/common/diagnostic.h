#pragma once
// Diagnostics: errors about user input, each with a source position and a field path, in the
// compiler style `file:line:col: error: spec.tasks[1].runAfter[0]: unknown task "biuld"`.

#include <string>
#include <vector>

namespace baton {

/// A 1-based position in a source file; line 0 means "unknown".
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
};

/// One problem with user input.
struct Diagnostic {
  SourcePos pos;
  std::string path;     // field path, e.g. spec.tasks[2].params[0].value; empty for file-level
  std::string message;  // what is wrong and, where possible, how to fix it

  /// `file:line:col: error: path: message`
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

/// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace baton
