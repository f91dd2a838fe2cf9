#pragma once
// The CEL subset Tekton Triggers' `cel` interceptor needs (filters and overlays). Expressions are
// compiled once at load time: unknown functions, identifiers and syntax errors are load-time
// errors, never a silent `false` at request time. See docs/design/triggers.md for the subset.

#include <memory>
#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace baton::triggers::cel {

struct Expr;  // the AST, defined in cel_internal.h

/// A compiled expression; cheap to copy (shares the immutable AST).
class Program {
 public:
  Program() = default;
  Program(std::string source, std::shared_ptr<const Expr> root)
      : source_(std::move(source)), root_(std::move(root)) {}
  /// The expression text as written.
  const std::string& source() const { return source_; }
  /// The AST root; null for a default-constructed Program.
  const Expr* root() const { return root_.get(); }

 private:
  std::string source_;
  std::shared_ptr<const Expr> root_;
};

/// Compiles `source`. On failure the Error's code is "cel", its message says what is wrong and
/// where ("column 7: unknown function 'foo'"), and `*error_offset` (if given) receives the
/// 0-based byte offset of the problem within `source`.
Result<Program> compile(std::string_view source, std::size_t* error_offset = nullptr);

}  // namespace baton::triggers::cel
