#pragma once
// Text checks done before YAML parsing: YAML is Unicode text, so invalid UTF-8 and NUL bytes
// (binary files) are rejected with the position of the first bad byte.

#include <optional>
#include <string>
#include <string_view>

namespace baton::spec {

/// Where and why `text` is not valid YAML text.
struct TextProblem {
  int line = 0;
  int col = 0;
  std::string message;
};

/// The first invalid UTF-8 sequence or NUL byte in `text`, or nullopt if it is clean.
std::optional<TextProblem> find_invalid_text(std::string_view text);

}  // namespace baton::spec
