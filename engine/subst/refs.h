#pragma once
// Finding Tekton `$(…)` references in strings. Shared by validation (undeclared references),
// the DAG (implicit edges from result references) and substitution itself.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton::subst {

/// One `$(…)` expression found in a string.
struct Reference {
  std::size_t begin = 0;  // byte offset of "$(" in the source string
  std::size_t end = 0;    // one past the closing ")"
  std::string expr;       // the text between "$(" and ")"
  /// The dotted path, with bracket-quoted names unquoted: `params['a.b'].k` → {"params","a.b","k"}
  std::vector<std::string> parts;
  /// A trailing `[*]` gives "*", `[2]` gives "2"; absent otherwise.
  std::optional<std::string> index;
};

/// All references in `s`, left to right. Text that is not a well-formed reference is ignored,
/// as Tekton ignores it (it stays literal).
/// Only the Tekton roots (params, tasks, context, workspaces, results, steps, step, credentials)
/// are recognised, with at least one name after the root, so shell `$(pwd)` is not a reference.
std::vector<Reference> find_references(std::string_view s);

/// The canonical dotted key of a reference, without the index: `params['a.b'].k` → "params.a.b.k".
std::string reference_key(const Reference& ref);

}  // namespace baton::subst
