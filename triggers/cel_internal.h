#pragma once
// Internal to baton_triggers (included only by its .cc files): the CEL AST, tokens and the
// evaluation environment. nlohmann::json is the value type of evaluation.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "triggers/cel.h"
#include "triggers/secrets.h"

namespace baton::triggers::cel {

using Json = nlohmann::json;

enum class TokKind { kEnd, kIdent, kString, kInt, kDouble, kOp };

/// One lexical token; `text` is the identifier, the operator, or the decoded string literal.
struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;
  long long int_value = 0;
  double double_value = 0;
  std::size_t offset = 0;
};

/// Splits `src` into tokens; on error sets *error_offset.
Result<std::vector<Token>> lex(std::string_view src, std::size_t* error_offset);

enum class ExprKind {
  kLiteral,  // value
  kIdent,    // name: body | header | extensions | requestURL
  kSelect,   // args[0].name
  kIndex,    // args[0][args[1]]
  kCall,     // name(args...) ; member calls put the receiver in args[0] and set member
  kList,     // [args...]
  kUnary,    // name ("!" or "-") args[0]
  kBinary,   // args[0] name args[1]
  kCond,     // args[0] ? args[1] : args[2]
  kHas,      // has(args[0]) where args[0] is a kSelect
};

/// One AST node.
struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  std::string name;
  bool member = false;
  Json value;
  std::vector<std::unique_ptr<Expr>> args;
  std::shared_ptr<const std::regex> regex;  // precompiled when matches() has a literal pattern
  std::size_t offset = 0;
};

/// What an expression can see at request time.
struct Env {
  const Json* body = nullptr;
  const Json* header = nullptr;  // canonical header name -> list of values (Go's http.Header)
  const Json* extensions = nullptr;
  const SecretLookup* secrets = nullptr;
  std::string_view request_url;
};

/// Evaluates a compiled program. An error (missing field, wrong type) is returned with a message
/// that names the expression.
Result<Json> evaluate(const Program& p, const Env& env);
Result<Json> eval_node(const Expr& e, const Env& env);

/// Checks a call's name and arity at compile time; "" when valid, else the reason.
std::string check_call(Expr& call);
/// Whether `name` is a function of the subset (checked before the arguments are parsed, so
/// `x.exists(c, ...)` reports the function rather than its macro variable).
bool is_known_function(const std::string& name);
/// Evaluates a call node (functions live in cel_functions.cc).
Result<Json> eval_call(const Expr& e, const Env& env);

/// Go's http.CanonicalMIMEHeaderKey: "x-github-event" -> "X-Github-Event".
std::string canonical_header(std::string_view name);
/// A short description of a value's type for error messages.
std::string type_name(const Json& v);

}  // namespace baton::triggers::cel
