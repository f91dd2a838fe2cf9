// Recursive-descent parser for the CEL subset, with CEL's precedence:
//   ?:  <  ||  <  &&  <  == != < <= > >= in  <  + -  <  * / %  <  unary ! -  <  . [] ()
// Identifiers and calls are checked here so that mistakes are load-time errors.

#include "triggers/cel_internal.h"

namespace baton::triggers::cel {

namespace {

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  Parser(std::vector<Token> toks, std::size_t* error_offset)
      : t_(std::move(toks)), error_offset_(error_offset) {}

  Result<ExprPtr> parse() {
    ExprPtr e = conditional();
    if (!failed_ && peek().kind != TokKind::kEnd)
      fail(peek().offset, "unexpected '" + peek().text + "'");
    if (failed_) return error_;
    return e;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  bool is_op(const char* op) const { return peek().kind == TokKind::kOp && peek().text == op; }
  bool accept(const char* op) {
    if (!is_op(op)) return false;
    ++pos_;
    return true;
  }
  void expect(const char* op) {
    if (failed_) return;
    if (!accept(op)) {
      fail(peek().offset, std::string("expected '") + op + "'" +
                              (peek().kind == TokKind::kEnd ? " before the end" : ""));
    }
  }
  ExprPtr fail(std::size_t at, const std::string& msg) {
    if (!failed_) {
      failed_ = true;
      if (error_offset_) *error_offset_ = at;
      error_ = Error{"column " + std::to_string(at + 1) + ": " + msg, "cel", {}};
    }
    return std::make_unique<Expr>();
  }
  static ExprPtr node(ExprKind k, std::string name, std::size_t off) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->name = std::move(name);
    e->offset = off;
    return e;
  }
  static ExprPtr binary(std::string op, ExprPtr l, ExprPtr r, std::size_t off) {
    auto e = node(ExprKind::kBinary, std::move(op), off);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr conditional() {
    ExprPtr c = logical_or();
    if (failed_ || !is_op("?")) return c;
    std::size_t off = peek().offset;
    ++pos_;
    ExprPtr a = logical_or();
    expect(":");
    ExprPtr b = conditional();
    auto e = node(ExprKind::kCond, "?:", off);
    e->args.push_back(std::move(c));
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return e;
  }
  ExprPtr logical_or() {
    ExprPtr l = logical_and();
    while (!failed_ && is_op("||")) {
      std::size_t off = peek().offset;
      ++pos_;
      l = binary("||", std::move(l), logical_and(), off);
    }
    return l;
  }
  ExprPtr logical_and() {
    ExprPtr l = relation();
    while (!failed_ && is_op("&&")) {
      std::size_t off = peek().offset;
      ++pos_;
      l = binary("&&", std::move(l), relation(), off);
    }
    return l;
  }
  ExprPtr relation() {
    ExprPtr l = addition();
    static const char* const kRel[] = {"==", "!=", "<=", ">=", "<", ">"};
    while (!failed_) {
      std::string op;
      for (const char* r : kRel) {
        if (is_op(r)) op = r;
      }
      if (op.empty() && peek().kind == TokKind::kIdent && peek().text == "in") op = "in";
      if (op.empty()) break;
      std::size_t off = peek().offset;
      ++pos_;
      l = binary(op, std::move(l), addition(), off);
    }
    return l;
  }
  ExprPtr addition() {
    ExprPtr l = multiplication();
    while (!failed_ && (is_op("+") || is_op("-"))) {
      std::string op = peek().text;
      std::size_t off = peek().offset;
      ++pos_;
      l = binary(op, std::move(l), multiplication(), off);
    }
    return l;
  }
  ExprPtr multiplication() {
    ExprPtr l = unary();
    while (!failed_ && (is_op("*") || is_op("/") || is_op("%"))) {
      std::string op = peek().text;
      std::size_t off = peek().offset;
      ++pos_;
      l = binary(op, std::move(l), unary(), off);
    }
    return l;
  }
  ExprPtr unary() {
    if (is_op("!") || is_op("-")) {
      std::string op = peek().text;
      std::size_t off = peek().offset;
      ++pos_;
      auto e = node(ExprKind::kUnary, op, off);
      e->args.push_back(unary());
      return e;
    }
    return postfix();
  }
  ExprPtr postfix() {
    ExprPtr e = primary();
    while (!failed_) {
      std::size_t off = peek().offset;
      if (accept(".")) {
        if (peek().kind != TokKind::kIdent)
          return fail(peek().offset, "expected a field name after '.'");
        std::string name = peek().text;
        std::size_t name_off = peek().offset;
        ++pos_;
        if (is_op("(")) {
          if (!is_known_function(name)) return fail(name_off, "unknown function '" + name + "'");
          auto call = node(ExprKind::kCall, name, name_off);
          call->member = true;
          call->args.push_back(std::move(e));
          arguments(*call);
          e = checked(std::move(call));
        } else {
          auto sel = node(ExprKind::kSelect, name, name_off);
          sel->args.push_back(std::move(e));
          e = std::move(sel);
        }
      } else if (accept("[")) {
        auto idx = node(ExprKind::kIndex, "[]", off);
        idx->args.push_back(std::move(e));
        idx->args.push_back(conditional());
        expect("]");
        e = std::move(idx);
      } else {
        break;
      }
    }
    return e;
  }
  void arguments(Expr& call) {
    expect("(");
    if (accept(")")) return;
    while (!failed_) {
      call.args.push_back(conditional());
      if (accept(")")) return;
      expect(",");
    }
  }
  ExprPtr checked(ExprPtr call) {
    if (failed_) return call;
    std::string why = check_call(*call);
    if (!why.empty()) return fail(call->offset, why);
    return call;
  }
  ExprPtr primary() {
    const Token& t = peek();
    std::size_t off = t.offset;
    switch (t.kind) {
      case TokKind::kEnd:
        return fail(off, "unexpected end of expression");
      case TokKind::kString:
      case TokKind::kInt:
      case TokKind::kDouble: {
        auto e = node(ExprKind::kLiteral, "", off);
        if (t.kind == TokKind::kString) e->value = t.text;
        if (t.kind == TokKind::kInt) e->value = t.int_value;
        if (t.kind == TokKind::kDouble) e->value = t.double_value;
        ++pos_;
        return e;
      }
      case TokKind::kOp:
        if (accept("(")) {
          ExprPtr e = conditional();
          expect(")");
          return e;
        }
        if (accept("[")) {
          auto e = node(ExprKind::kList, "[]", off);
          if (accept("]")) return e;
          while (!failed_) {
            e->args.push_back(conditional());
            if (accept("]")) break;
            expect(",");
          }
          return e;
        }
        return fail(off, "unexpected '" + t.text + "'");
      case TokKind::kIdent:
        break;
    }
    std::string name = t.text;
    ++pos_;
    if (name == "true" || name == "false" || name == "null") {
      auto e = node(ExprKind::kLiteral, "", off);
      e->value = name == "null" ? Json(nullptr) : Json(name == "true");
      return e;
    }
    if (is_op("(")) {
      if (name != "has" && !is_known_function(name))
        return fail(off, "unknown function '" + name + "'");
      auto call = node(ExprKind::kCall, name, off);
      arguments(*call);
      if (!failed_ && name == "has") {
        if (call->args.size() != 1 || call->args[0]->kind != ExprKind::kSelect) {
          return fail(off, "has() takes one field selection, e.g. has(body.pull_request)");
        }
        call->kind = ExprKind::kHas;
        return call;
      }
      return checked(std::move(call));
    }
    if (name == "body" || name == "header" || name == "extensions" || name == "requestURL") {
      return node(ExprKind::kIdent, name, off);
    }
    return fail(off,
                "unknown identifier '" + name + "' (known: body, header, extensions, requestURL)");
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  std::size_t* error_offset_;
  bool failed_ = false;
  Error error_;
};

}  // namespace

Result<Program> compile(std::string_view source, std::size_t* error_offset) {
  auto toks = lex(source, error_offset);
  if (!toks.ok()) return toks.error();
  Parser p(std::move(*toks), error_offset);
  auto root = p.parse();
  if (!root.ok()) return root.error();
  return Program(std::string(source), std::shared_ptr<const Expr>(std::move(*root)));
}

}  // namespace baton::triggers::cel
