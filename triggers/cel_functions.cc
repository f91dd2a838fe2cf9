// CEL functions: the standard string ones Tekton filters use, and Tekton's extensions
// (header.match/canonical, truncate, split, compareSecret, decodeb64, parseJSON, marshalJSON).
// Every name and arity is checked at compile time (check_call).

#include <algorithm>

#include "triggers/cel_internal.h"
#include "triggers/hmac.h"

namespace baton::triggers::cel {

namespace {

struct FunctionSpec {
  const char* name;
  bool member;
  std::size_t min_args;  // not counting the receiver
  std::size_t max_args;
};

constexpr FunctionSpec kFunctions[] = {
    {"startsWith", true, 1, 1}, {"endsWith", true, 1, 1},   {"contains", true, 1, 1},
    {"matches", true, 1, 1},    {"split", true, 1, 1},      {"truncate", true, 1, 1},
    {"size", true, 0, 0},       {"lowerAscii", true, 0, 0}, {"upperAscii", true, 0, 0},
    {"trim", true, 0, 0},       {"replace", true, 2, 2},    {"join", true, 0, 1},
    {"match", true, 2, 2},      {"canonical", true, 1, 1},  {"compareSecret", true, 2, 3},
    {"decodeb64", true, 0, 0},  {"parseJSON", true, 0, 0},  {"marshalJSON", true, 0, 0},
    {"size", false, 1, 1},      {"int", false, 1, 1},       {"string", false, 1, 1},
    {"matches", false, 2, 2},
};

Error fn_error(const Expr& e, const std::string& msg) {
  return Error{e.name + "(): " + msg, "cel_eval", {}};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// RE2's `(?i)` prefix is common in Tekton filters; std::regex (ECMAScript) spells it as a flag.
std::shared_ptr<const std::regex> make_regex(std::string pattern) {
  auto flags = std::regex::ECMAScript;
  if (pattern.rfind("(?i)", 0) == 0) {
    pattern.erase(0, 4);
    flags |= std::regex::icase;
  }
  return std::make_shared<const std::regex>(pattern, flags);
}

const std::string* str(const Json& v) {
  return v.is_string() ? &v.get_ref<const std::string&>() : nullptr;
}

// First value of a header in the canonical-name -> [values] map ("" when absent).
std::string header_get(const Json& header, const std::string& name) {
  auto it = header.find(canonical_header(name));
  if (it == header.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) return {};
  return (*it)[0].get<std::string>();
}

Result<Json> string_fn(const Expr& e, const std::string& s, const std::vector<Json>& a) {
  const std::string& n = e.name;
  auto arg_str = [&](std::size_t i) -> const std::string* { return str(a[i]); };
  if (n == "size") return Json(static_cast<long long>(s.size()));
  if (n == "lowerAscii") return Json(lower(s));
  if (n == "upperAscii") {
    std::string u = s;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Json(u);
  }
  if (n == "trim") {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return Json("");
    return Json(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
  }
  if (n == "truncate") {
    if (!a[0].is_number_integer() || a[0].get<long long>() < 0) {
      return fn_error(e, "needs a non-negative int");
    }
    return Json(s.substr(0, static_cast<std::size_t>(a[0].get<long long>())));
  }
  if (n == "decodeb64") {
    auto d = base64_decode(s);
    if (!d) return fn_error(e, "not valid base64");
    return Json(*d);
  }
  if (n == "parseJSON") {
    Json j = Json::parse(s, nullptr, false);
    if (j.is_discarded()) return fn_error(e, "not valid JSON");
    return j;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!arg_str(i)) return fn_error(e, "argument " + std::to_string(i + 1) + " must be a string");
  }
  const std::string& x = *arg_str(0);
  if (n == "startsWith") return Json(s.rfind(x, 0) == 0);
  if (n == "endsWith")
    return Json(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
  if (n == "contains") return Json(s.find(x) != std::string::npos);
  if (n == "split") {
    Json out = Json::array();
    if (x.empty()) {
      for (char c : s) out.push_back(std::string(1, c));
      return out;
    }
    std::size_t b = 0;
    for (std::size_t p; (p = s.find(x, b)) != std::string::npos; b = p + x.size())
      out.push_back(s.substr(b, p - b));
    out.push_back(s.substr(b));
    return out;
  }
  if (n == "replace") {
    if (x.empty()) return Json(s);
    std::string r;
    std::size_t b = 0;
    for (std::size_t p; (p = s.find(x, b)) != std::string::npos; b = p + x.size())
      r += s.substr(b, p - b) + *arg_str(1);
    return Json(r + s.substr(b));
  }
  if (n == "matches") {
    try {
      auto re = e.regex ? e.regex : make_regex(x);
      return Json(std::regex_search(s, *re));
    } catch (const std::regex_error& ex) {
      return fn_error(e, std::string("invalid regular expression: ") + ex.what());
    }
  }
  return fn_error(e, "not defined on a string");
}

Result<Json> compare_secret(const Expr& e, const Env& env, const std::string& s,
                            const std::vector<Json>& a) {
  for (const auto& v : a) {
    if (!v.is_string()) return fn_error(e, "arguments must be strings (key, secretName)");
  }
  if (!env.secrets || !*env.secrets) return fn_error(e, "no secrets configured");
  auto secret = (*env.secrets)(a[1].get<std::string>(), a[0].get<std::string>());
  if (!secret) {
    return fn_error(e,
                    "secret " + a[1].get<std::string>() + " has no key " + a[0].get<std::string>());
  }
  return Json(constant_time_equal(s, *secret));
}

}  // namespace

bool is_known_function(const std::string& name) {
  for (const auto& f : kFunctions) {
    if (name == f.name) return true;
  }
  return false;
}

std::string check_call(Expr& call) {
  std::size_t argc = call.args.size() - (call.member ? 1 : 0);
  bool known_name = false;
  for (const auto& f : kFunctions) {
    if (call.name != f.name) continue;
    known_name = true;
    if (f.member != call.member) continue;
    if (argc < f.min_args || argc > f.max_args) {
      return call.name + "() takes " + std::to_string(f.min_args) +
             (f.max_args != f.min_args ? "-" + std::to_string(f.max_args) : "") +
             " argument(s), got " + std::to_string(argc);
    }
    // A literal pattern is compiled now, so a bad regex is a load-time error.
    const Expr* pat = call.args.back().get();
    if (call.name == "matches" && pat->kind == ExprKind::kLiteral && pat->value.is_string()) {
      try {
        call.regex = make_regex(pat->value.get<std::string>());
      } catch (const std::regex_error& ex) {
        return std::string("invalid regular expression: ") + ex.what();
      }
    }
    return {};
  }
  if (known_name) {
    return call.name + (call.member ? "() is not a method; call it as " + call.name + "(x)"
                                    : "() is a method; call it as x." + call.name + "(...)");
  }
  return "unknown function '" + call.name + "'";
}

Result<Json> eval_call(const Expr& e, const Env& env) {
  std::vector<Json> a;
  a.reserve(e.args.size());
  for (const auto& arg : e.args) {
    auto v = eval_node(*arg, env);
    if (!v.ok()) return v;
    a.push_back(std::move(*v));
  }
  if (!e.member) {
    const Json& x = a[0];
    if (e.name == "size") {
      if (x.is_string())
        return Json(static_cast<long long>(x.get_ref<const std::string&>().size()));
      if (x.is_array() || x.is_object()) return Json(static_cast<long long>(x.size()));
      return fn_error(e, "not defined on a " + type_name(x));
    }
    if (e.name == "string") return x.is_string() ? x : Json(x.dump());
    if (e.name == "int") {
      if (x.is_number()) return Json(x.get<long long>());
      if (x.is_string()) {
        try {
          std::size_t used = 0;
          long long v = std::stoll(x.get<std::string>(), &used);
          if (used == x.get_ref<const std::string&>().size()) return Json(v);
        } catch (const std::exception&) {
        }
      }
      return fn_error(e, "cannot convert " + x.dump() + " to int");
    }
    if (!x.is_string()) return fn_error(e, "needs a string");  // matches(s, re) == s.matches(re)
    return string_fn(e, x.get<std::string>(), {a[1]});
  }
  Json recv = std::move(a[0]);
  a.erase(a.begin());
  if (e.name == "match" || e.name == "canonical") {
    if (!recv.is_object()) return fn_error(e, "is defined on header only");
    for (const auto& v : a) {
      if (!v.is_string()) return fn_error(e, "arguments must be strings");
    }
    std::string got = header_get(recv, a[0].get<std::string>());
    if (e.name == "canonical") return Json(got);
    return Json(got == a[1].get<std::string>());
  }
  if (e.name == "size" && (recv.is_array() || recv.is_object())) {
    return Json(static_cast<long long>(recv.size()));
  }
  if (e.name == "join") {
    if (!recv.is_array()) return fn_error(e, "is defined on a list of strings");
    std::string sep = a.empty() ? "" : (a[0].is_string() ? a[0].get<std::string>() : "");
    std::string out;
    for (std::size_t i = 0; i < recv.size(); ++i) {
      if (!recv[i].is_string()) return fn_error(e, "list element is a " + type_name(recv[i]));
      out += (i ? sep : "") + recv[i].get<std::string>();
    }
    return Json(out);
  }
  if (e.name == "marshalJSON") return Json(recv.dump());
  if (!recv.is_string()) return fn_error(e, "not defined on a " + type_name(recv));
  if (e.name == "compareSecret") return compare_secret(e, env, recv.get<std::string>(), a);
  return string_fn(e, recv.get<std::string>(), a);
}

}  // namespace baton::triggers::cel
