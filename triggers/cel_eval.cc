// Evaluation of the CEL AST against a request. Errors (missing field, wrong type) propagate the
// way CEL's do: `false && <error>` is false, `true || <error>` is true, anything else is the
// error, which the interceptor turns into "trigger filtered: <reason>".

#include <cmath>

#include "triggers/cel_internal.h"

namespace baton::triggers::cel {

namespace {

Error eval_error(const std::string& msg) { return Error{msg, "cel_eval", {}}; }

bool is_int(const Json& v) { return v.is_number_integer(); }

Result<Json> arithmetic(const std::string& op, const Json& a, const Json& b) {
  if (op == "+" && a.is_string() && b.is_string()) {
    return Json(a.get_ref<const std::string&>() + b.get_ref<const std::string&>());
  }
  if (op == "+" && a.is_array() && b.is_array()) {
    Json r = a;
    for (const auto& x : b) r.push_back(x);
    return r;
  }
  if (!a.is_number() || !b.is_number()) {
    return eval_error("no such overload: " + type_name(a) + " " + op + " " + type_name(b));
  }
  if (is_int(a) && is_int(b)) {
    long long x = a.get<long long>(), y = b.get<long long>();
    if ((op == "/" || op == "%") && y == 0) return eval_error("division by zero");
    if (op == "+") return Json(x + y);
    if (op == "-") return Json(x - y);
    if (op == "*") return Json(x * y);
    if (op == "/") return Json(x / y);
    return Json(x % y);
  }
  double x = a.get<double>(), y = b.get<double>();
  if (op == "%") return eval_error("no such overload: double % double");
  if (op == "+") return Json(x + y);
  if (op == "-") return Json(x - y);
  if (op == "*") return Json(x * y);
  return Json(x / y);
}

Result<Json> compare(const std::string& op, const Json& a, const Json& b) {
  if (op == "==") return Json(a == b);
  if (op == "!=") return Json(a != b);
  int c = 0;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  } else {
    return eval_error("no such overload: " + type_name(a) + " " + op + " " + type_name(b));
  }
  if (op == "<") return Json(c < 0);
  if (op == "<=") return Json(c <= 0);
  if (op == ">") return Json(c > 0);
  return Json(c >= 0);
}

Result<Json> contains_in(const Json& needle, const Json& hay) {
  if (hay.is_array()) {
    for (const auto& x : hay) {
      if (x == needle) return Json(true);
    }
    return Json(false);
  }
  if (hay.is_object() && needle.is_string()) {
    return Json(hay.contains(needle.get_ref<const std::string&>()));
  }
  return eval_error("no such overload: " + type_name(needle) + " in " + type_name(hay));
}

Result<Json> logical(const Expr& e, const Env& env) {
  bool is_and = e.name == "&&";
  auto l = eval_node(*e.args[0], env);
  // Short-circuit on the deciding value; otherwise CEL is commutative about errors.
  if (l.ok() && l->is_boolean() && l->get<bool>() != is_and) return Json(!is_and);
  auto r = eval_node(*e.args[1], env);
  if (r.ok() && r->is_boolean() && r->get<bool>() != is_and) return Json(!is_and);
  if (!l.ok()) return l;
  if (!r.ok()) return r;
  if (!l->is_boolean() || !r->is_boolean()) {
    return eval_error("no such overload: " + type_name(*l) + " " + e.name + " " + type_name(*r));
  }
  return Json(is_and);
}

Result<Json> index(const Expr& e, const Json& base, const Json& key) {
  if (base.is_array()) {
    if (!is_int(key)) return eval_error("list index must be an int, got " + type_name(key));
    long long i = key.get<long long>();
    if (i < 0 || static_cast<std::size_t>(i) >= base.size()) {
      return eval_error("index out of range: " + std::to_string(i) + " (size " +
                        std::to_string(base.size()) + ")");
    }
    return base[static_cast<std::size_t>(i)];
  }
  if (base.is_object()) {
    if (!key.is_string()) return eval_error("map key must be a string, got " + type_name(key));
    std::string k = key.get<std::string>();
    // header is keyed by canonical names (as Go's http.Header); accept any spelling.
    if (e.args[0]->kind == ExprKind::kIdent && e.args[0]->name == "header") k = canonical_header(k);
    auto it = base.find(k);
    if (it == base.end()) return eval_error("no such key: " + k);
    return *it;
  }
  return eval_error("cannot index a " + type_name(base));
}

}  // namespace

std::string type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "double";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "map";
    default:
      return "unknown";
  }
}

std::string canonical_header(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

Result<Json> eval_node(const Expr& e, const Env& env) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.value;
    case ExprKind::kIdent: {
      static const Json kEmptyMap = Json::object();
      if (e.name == "body") return env.body ? *env.body : Json(nullptr);
      if (e.name == "header") return env.header ? *env.header : kEmptyMap;
      if (e.name == "extensions") return env.extensions ? *env.extensions : kEmptyMap;
      return Json(std::string(env.request_url));
    }
    case ExprKind::kSelect: {
      auto base = eval_node(*e.args[0], env);
      if (!base.ok()) return base;
      if (!base->is_object()) {
        return eval_error("cannot select field '" + e.name + "' from a " + type_name(*base));
      }
      auto it = base->find(e.name);
      if (it == base->end()) return eval_error("no such key: " + e.name);
      return *it;
    }
    case ExprKind::kIndex: {
      auto base = eval_node(*e.args[0], env);
      if (!base.ok()) return base;
      auto key = eval_node(*e.args[1], env);
      if (!key.ok()) return key;
      return index(e, *base, *key);
    }
    case ExprKind::kList: {
      Json out = Json::array();
      for (const auto& a : e.args) {
        auto v = eval_node(*a, env);
        if (!v.ok()) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case ExprKind::kUnary: {
      auto v = eval_node(*e.args[0], env);
      if (!v.ok()) return v;
      if (e.name == "!" && v->is_boolean()) return Json(!v->get<bool>());
      if (e.name == "-" && is_int(*v)) return Json(-v->get<long long>());
      if (e.name == "-" && v->is_number()) return Json(-v->get<double>());
      return eval_error("no such overload: " + e.name + type_name(*v));
    }
    case ExprKind::kBinary: {
      if (e.name == "&&" || e.name == "||") return logical(e, env);
      auto l = eval_node(*e.args[0], env);
      if (!l.ok()) return l;
      auto r = eval_node(*e.args[1], env);
      if (!r.ok()) return r;
      if (e.name == "in") return contains_in(*l, *r);
      if (e.name == "+" || e.name == "-" || e.name == "*" || e.name == "/" || e.name == "%") {
        return arithmetic(e.name, *l, *r);
      }
      return compare(e.name, *l, *r);
    }
    case ExprKind::kCond: {
      auto c = eval_node(*e.args[0], env);
      if (!c.ok()) return c;
      if (!c->is_boolean())
        return eval_error("condition of ?: must be a bool, got " + type_name(*c));
      return eval_node(*e.args[c->get<bool>() ? 1 : 2], env);
    }
    case ExprKind::kHas: {
      const Expr& sel = *e.args[0];
      auto base = eval_node(*sel.args[0], env);
      if (!base.ok()) return base;
      if (!base->is_object()) return eval_error("has() on a " + type_name(*base));
      return Json(base->contains(sel.name));
    }
    case ExprKind::kCall:
      return eval_call(e, env);
  }
  return eval_error("internal: unknown expression kind");
}

Result<Json> evaluate(const Program& p, const Env& env) {
  if (!p.root()) return eval_error("empty expression");
  try {
    return eval_node(*p.root(), env);
  } catch (const std::exception& ex) {  // nlohmann conversions; should not happen
    return eval_error(std::string("evaluation failed: ") + ex.what());
  }
}

}  // namespace baton::triggers::cel
