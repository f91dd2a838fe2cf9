// Binding values: `$(root.path)` with root body | header | extensions | context, paths of
// `.name`, `[N]`, `['key']`, and `\.` for a dot inside a key. A non-string value is
// substituted as compact JSON (Tekton); a missing value fails the trigger.

#include "triggers/bindings.h"

#include "triggers/event_internal.h"

namespace baton::triggers {

namespace {

struct Segment {
  bool is_index = false;
  std::size_t index = 0;
  std::string key;
};

struct BindingExpr {
  std::string root;
  std::vector<Segment> path;  // header: one key, the header name
};

// Parses the text inside `$( )`; returns "" or the reason.
std::string parse_expr(std::string_view s, BindingExpr& out) {
  if (!s.empty() && s[0] == '.') s.remove_prefix(1);  // `$(.body.x)` is accepted by Tekton
  std::size_t i = 0;
  while (i < s.size() && s[i] != '.' && s[i] != '[') ++i;
  out.root = std::string(s.substr(0, i));
  if (out.root == "header") {
    if (i < s.size()) {
      if (s[i] != '.' || i + 1 == s.size()) return "expected $(header) or $(header.Name)";
      out.path.push_back({false, 0, std::string(s.substr(i + 1))});
    }
    return {};
  }
  if (out.root == "context") {
    if (s.substr(i) != ".eventID") return "only $(context.eventID) is supported";
    return {};
  }
  if (out.root != "body" && out.root != "extensions") {
    return "unknown variable \"" + out.root + "\" (expected body, header, extensions or context)";
  }
  while (i < s.size()) {
    Segment seg;
    if (s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] != '.' && s[i] != '[') {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '.') ++i;
        seg.key += s[i++];
      }
      if (seg.key.empty()) return "empty field name";
    } else if (s[i] == '[') {
      std::size_t e = s.find(']', i);
      if (e == std::string_view::npos) return "missing ']'";
      std::string_view in = s.substr(i + 1, e - i - 1);
      if (in.size() >= 2 && (in[0] == '\'' || in[0] == '"') && in.back() == in[0]) {
        seg.key = std::string(in.substr(1, in.size() - 2));
      } else if (!in.empty() && in.find_first_not_of("0123456789") == std::string_view::npos) {
        seg.is_index = true;
        seg.index = std::stoul(std::string(in));
      } else {
        return "expected [N] or ['key'], got [" + std::string(in) + "]";
      }
      i = e + 1;
    } else {
      return std::string("unexpected '") + s[i] + "'";
    }
    out.path.push_back(std::move(seg));
  }
  return {};
}

// Finds the `)` closing the expression that starts at `b`, skipping quoted brackets.
std::size_t closing(std::string_view v, std::size_t b) {
  char quote = 0;
  for (std::size_t i = b; i < v.size(); ++i) {
    if (quote) {
      if (v[i] == quote) quote = 0;
    } else if (v[i] == '\'' || v[i] == '"') {
      quote = v[i];
    } else if (v[i] == ')') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string as_text(const detail::Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, detail::Json::error_handler_t::replace);
}

}  // namespace

std::string check_binding_value(std::string_view value, std::size_t* offset) {
  for (std::size_t p = value.find("$("); p != std::string_view::npos; p = value.find("$(", p + 2)) {
    *offset = p;
    std::size_t e = closing(value, p + 2);
    if (e == std::string_view::npos) return "unterminated $(...)";
    BindingExpr be;
    std::string why = parse_expr(value.substr(p + 2, e - p - 2), be);
    if (!why.empty()) return "$(" + std::string(value.substr(p + 2, e - p - 2)) + "): " + why;
  }
  return {};
}

namespace detail {

Result<std::string> resolve_binding_value(std::string_view value, const EventData& ev,
                                          const Json& extensions) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t p = value.find("$("); p != std::string_view::npos; p = value.find("$(", i)) {
    std::size_t e = closing(value, p + 2);
    if (e == std::string_view::npos) break;
    out.append(value.substr(i, p - i));
    std::string text(value.substr(p, e + 1 - p));
    BindingExpr be;
    std::string why = parse_expr(value.substr(p + 2, e - p - 2), be);
    if (!why.empty()) return Fail(text + ": " + why);
    i = e + 1;
    if (be.root == "context") {
      out += ev.event_id;
      continue;
    }
    if (be.root == "header") {
      if (be.path.empty()) {
        out += as_text(ev.header);
        continue;
      }
      auto h = header_value(ev, be.path[0].key);
      if (!h) return Fail(text + ": no header " + be.path[0].key + " in the request");
      out += *h;
      continue;
    }
    const Json* cur = be.root == "body" ? &ev.body : &extensions;
    std::string walked = be.root;
    for (const Segment& s : be.path) {
      if (s.is_index) {
        walked += "[" + std::to_string(s.index) + "]";
        if (!cur->is_array() || s.index >= cur->size()) {
          return Fail(text + ": " + walked + " not found in the event");
        }
        cur = &(*cur)[s.index];
      } else {
        walked += "." + s.key;
        auto it = cur->is_object() ? cur->find(s.key) : cur->end();
        if (!cur->is_object() || it == cur->end()) {
          return Fail(text + ": " + walked + " not found in the event");
        }
        cur = &*it;
      }
    }
    out += as_text(*cur);
  }
  out.append(value.substr(std::min(i, value.size())));
  return out;
}

}  // namespace detail

}  // namespace baton::triggers
