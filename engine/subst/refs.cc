// Hand-written scanner for Tekton `$(…)` references: one pass, no regex, no allocation for
// text without "$(" (scripts are long and mostly free of references).

#include "engine/subst/refs.h"

#include <array>
#include <cstring>

namespace baton::subst {
namespace {

// Only these roots are Tekton variables. Restricting the root keeps shell command substitution
// in scripts (`$(pwd)`, `$(date.sh)`) from being mistaken for references.
// "inputs" is Tekton's pre-v1 spelling ($(inputs.params.x)), still used by examples.
constexpr std::array<std::string_view, 9> kRoots = {
    "params", "tasks", "context", "workspaces", "results", "steps", "step", "credentials", "inputs",
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of name characters starting at `j`; returns its end.
std::size_t scan_name(std::string_view s, std::size_t j, bool allow_dot) {
  while (j < s.size() && (is_name_char(s[j]) || (allow_dot && s[j] == '.'))) ++j;
  return j;
}

// Parses the reference whose "$(" is at `start`; nullopt when the text is not one.
std::optional<Reference> parse_at(std::string_view s, std::size_t start) {
  Reference ref;
  std::size_t j = start + 2;
  std::size_t name_end = scan_name(s, j, false);
  std::string_view root = s.substr(j, name_end - j);
  bool known = false;
  for (std::string_view r : kRoots) known = known || r == root;
  if (!known) return std::nullopt;
  ref.parts.emplace_back(root);
  j = name_end;
  while (true) {
    if (j >= s.size()) return std::nullopt;  // unterminated
    char c = s[j];
    if (c == ')') break;
    if (c == '.') {
      name_end = scan_name(s, j + 1, false);
      if (name_end == j + 1) return std::nullopt;
      ref.parts.emplace_back(s.substr(j + 1, name_end - j - 1));
      j = name_end;
      continue;
    }
    if (c != '[' || j + 1 >= s.size()) return std::nullopt;
    char q = s[j + 1];
    if (q == '\'' || q == '"') {
      name_end = scan_name(s, j + 2, true);
      if (name_end == j + 2 || name_end + 1 >= s.size() || s[name_end] != q ||
          s[name_end + 1] != ']') {
        return std::nullopt;
      }
      ref.parts.emplace_back(s.substr(j + 2, name_end - j - 2));
      j = name_end + 2;
      continue;
    }
    // An index: `[*]` or `[N]`, and it must close the reference.
    std::size_t k = j + 1;
    if (q == '*') {
      ++k;
    } else {
      while (k < s.size() && is_digit(s[k])) ++k;
      if (k == j + 1) return std::nullopt;
    }
    if (k + 1 >= s.size() || s[k] != ']' || s[k + 1] != ')') return std::nullopt;
    ref.index = std::string(s.substr(j + 1, k - j - 1));
    j = k + 1;
    break;
  }
  if (ref.parts.size() < 2) return std::nullopt;
  ref.begin = start;
  ref.end = j + 1;
  ref.expr = std::string(s.substr(start + 2, j - start - 2));
  return ref;
}

}  // namespace

std::vector<Reference> find_references(std::string_view s) {
  std::vector<Reference> out;
  std::size_t i = 0;
  while (i + 1 < s.size()) {
    const void* hit = std::memchr(s.data() + i, '$', s.size() - i - 1);
    if (hit == nullptr) break;
    i = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    if (s[i + 1] != '(') {
      ++i;
      continue;
    }
    if (auto ref = parse_at(s, i)) {
      i = ref->end;
      out.push_back(std::move(*ref));
    } else {
      i += 2;  // "$(" cannot start inside "$(" itself; a nested "$(" later is still found
    }
  }
  return out;
}

std::string reference_key(const Reference& ref) {
  std::string key;
  for (const std::string& p : ref.parts) {
    if (!key.empty()) key += '.';
    key += p;
  }
  return key;
}

}  // namespace baton::subst
