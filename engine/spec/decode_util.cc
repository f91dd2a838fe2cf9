#include "engine/spec/decode_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace baton::spec {

void DecodeCtx::error(const Mark& at, const std::string& path, std::string message) const {
  diags->push_back(Diagnostic{SourcePos{file, at.line, at.col}, path, std::move(message)});
}

std::string field(const std::string& base, const std::string& key) {
  if (base.empty()) return key;
  return base + "." + key;
}

std::string index(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::string read_string(const DecodeCtx& c, const Node& n, const std::string& path) {
  if (n.is_scalar()) return n.scalar;
  if (n.is_null()) return {};
  c.error(n.mark, path, std::string("expected a string, got a ") + n.kind_name());
  return {};
}

bool read_bool(const DecodeCtx& c, const Node& n, const std::string& path) {
  if (n.is_scalar() && !n.quoted) {
    const std::string& s = n.scalar;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  c.error(n.mark, path,
          "expected true or false, got " +
              (n.is_scalar() ? "\"" + n.scalar + "\"" : std::string("a ") + n.kind_name()));
  return false;
}

int read_int(const DecodeCtx& c, const Node& n, const std::string& path, int min, int max) {
  if (n.is_scalar() && !n.quoted) {
    int v = 0;
    const char* b = n.scalar.data();
    const char* e = b + n.scalar.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && p == e) {
      if (v < min || v > max) {
        c.error(n.mark, path,
                "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                    ", got " + n.scalar);
        return min;
      }
      return v;
    }
  }
  c.error(n.mark, path,
          "expected an integer, got " +
              (n.is_scalar() ? "\"" + n.scalar + "\"" : std::string("a ") + n.kind_name()));
  return min;
}

std::optional<model::Duration> parse_go_duration(const std::string& s) {
  if (s.empty()) return std::nullopt;
  if (s == "0") return model::Duration(0);
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  double total_ms = 0;
  bool any = false;
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double num = 0;
    try {
      num = std::stod(s.substr(start, i - start));
    } catch (...) {
      return std::nullopt;
    }
    std::size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(ustart, i - ustart);
    double mult = 0;
    if (unit == "ns")
      mult = 1e-6;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e-3;
    else if (unit == "ms")
      mult = 1;
    else if (unit == "s")
      mult = 1000;
    else if (unit == "m")
      mult = 60'000;
    else if (unit == "h")
      mult = 3'600'000;
    else
      return std::nullopt;
    total_ms += num * mult;
    any = true;
  }
  if (!any || total_ms > 1e15) return std::nullopt;
  auto ms = static_cast<long long>(std::llround(total_ms));
  if (neg) return std::nullopt;  // negative timeouts are never valid in Tekton
  return model::Duration(ms);
}

std::optional<model::Duration> read_duration(const DecodeCtx& c, const Node& n,
                                             const std::string& path) {
  if (n.is_scalar()) {
    if (auto d = parse_go_duration(n.scalar)) return d;
    c.error(n.mark, path,
            "invalid duration \"" + n.scalar +
                "\" (use Go syntax such as \"1h30m\", \"90s\" or \"0\")");
    return std::nullopt;
  }
  if (n.is_null()) return std::nullopt;
  c.error(n.mark, path, std::string("expected a duration string, got a ") + n.kind_name());
  return std::nullopt;
}

std::vector<std::string> read_string_list(const DecodeCtx& c, const Node& n,
                                          const std::string& path) {
  std::vector<std::string> out;
  if (n.is_null()) return out;
  if (!n.is_seq()) {
    c.error(n.mark, path, std::string("expected a list of strings, got a ") + n.kind_name());
    return out;
  }
  out.reserve(n.items.size());
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    out.push_back(read_string(c, n.items[i], index(path, i)));
  }
  return out;
}

model::StringMap read_string_map(const DecodeCtx& c, const Node& n, const std::string& path) {
  model::StringMap out;
  if (n.is_null()) return out;
  if (!n.is_map()) {
    c.error(n.mark, path, std::string("expected a mapping of strings, got a ") + n.kind_name());
    return out;
  }
  for (const auto& e : n.entries) {
    if (e.value.is_null()) {
      out[e.key] = "";
    } else {
      out[e.key] = read_string(c, e.value, field(path, e.key));
    }
  }
  return out;
}

model::ParamValue read_param_value(const DecodeCtx& c, const Node& n, const std::string& path) {
  using model::ParamValue;
  if (n.is_scalar()) return ParamValue::of_string(n.scalar);
  if (n.is_seq()) {
    std::vector<std::string> items;
    items.reserve(n.items.size());
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      const Node& it = n.items[i];
      if (it.is_scalar()) {
        items.push_back(it.scalar);
      } else if (it.is_null()) {
        items.emplace_back();
      } else {
        c.error(it.mark, index(path, i),
                std::string("array values must be strings, got a ") + it.kind_name());
      }
    }
    return ParamValue::of_array(std::move(items));
  }
  if (n.is_map()) {
    std::map<std::string, std::string> obj;
    for (const auto& e : n.entries) {
      if (e.value.is_scalar()) {
        obj[e.key] = e.value.scalar;
      } else if (e.value.is_null()) {
        obj[e.key] = "";
      } else {
        c.error(e.value.mark, field(path, e.key),
                std::string("object values must be strings, got a ") + e.value.kind_name());
      }
    }
    return ParamValue::of_object(std::move(obj));
  }
  c.error(n.mark, path, "expected a string, a list or a mapping, got null");
  return ParamValue::of_string("");
}

model::Json to_json(const Node& n) {
  switch (n.kind) {
    case NodeKind::kNull:
      return nullptr;
    case NodeKind::kScalar: {
      if (n.quoted) return n.scalar;
      const std::string& s = n.scalar;
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      long long iv = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), iv);
      if (ec == std::errc() && p == s.data() + s.size()) return iv;
      double dv = 0;
      auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), dv);
      if (ec2 == std::errc() && p2 == s.data() + s.size() && std::isfinite(dv)) return dv;
      return s;
    }
    case NodeKind::kSequence: {
      model::Json a = model::Json::array();
      for (const auto& i : n.items) a.push_back(to_json(i));
      return a;
    }
    case NodeKind::kMapping: {
      model::Json o = model::Json::object();
      for (const auto& e : n.entries) o[e.key] = to_json(e.value);
      return o;
    }
  }
  return nullptr;
}

MapReader::MapReader(const DecodeCtx& c, const Node& n, std::string path)
    : c_(c), node_(&n), path_(std::move(path)) {
  if (!n.is_map()) {
    if (!n.is_null()) {
      c_.error(n.mark, path_, std::string("expected a mapping, got a ") + n.kind_name());
    }
    node_ = nullptr;
  }
}

const Node* MapReader::get(const std::string& key) {
  known_.push_back(key);
  return node_ ? node_->find(key) : nullptr;
}

const Node* MapReader::required(const std::string& key) {
  const Node* n = get(key);
  if (node_ && (!n || n->is_null())) {
    c_.error(node_->mark, field(path_, key), "missing required field");
    return nullptr;
  }
  return n;
}

void MapReader::ignore(std::initializer_list<const char*> keys) {
  for (const char* k : keys) known_.emplace_back(k);
}

void MapReader::reject(const std::string& key, const std::string& why) {
  known_.push_back(key);
  if (!node_) return;
  for (const auto& e : node_->entries) {
    if (e.key == key) c_.error(e.key_mark, field(path_, key), why);
  }
}

void MapReader::str(const std::string& key, std::string& out) {
  if (const Node* n = get(key)) out = read_string(c_, *n, field(path_, key));
}
void MapReader::str_list(const std::string& key, std::vector<std::string>& out) {
  if (const Node* n = get(key)) out = read_string_list(c_, *n, field(path_, key));
}
void MapReader::boolean(const std::string& key, bool& out) {
  if (const Node* n = get(key); n && !n->is_null()) out = read_bool(c_, *n, field(path_, key));
}
void MapReader::json(const std::string& key, model::Json& out) {
  if (const Node* n = get(key)) out = to_json(*n);
}
void MapReader::duration(const std::string& key, std::optional<model::Duration>& out) {
  if (const Node* n = get(key)) out = read_duration(c_, *n, field(path_, key));
}
void MapReader::string_map(const std::string& key, model::StringMap& out) {
  if (const Node* n = get(key)) out = read_string_map(c_, *n, field(path_, key));
}

void MapReader::list(const std::string& key,
                     const std::function<void(const Node&, const std::string&, std::size_t)>& fn) {
  const Node* n = get(key);
  if (!n || n->is_null()) return;
  std::string p = field(path_, key);
  if (!n->is_seq()) {
    c_.error(n->mark, p, std::string("expected a list, got a ") + n->kind_name());
    return;
  }
  for (std::size_t i = 0; i < n->items.size(); ++i) fn(n->items[i], index(p, i), i);
}

void MapReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (!node_) return;
  for (const auto& e : node_->entries) {
    if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
    std::string msg = "unknown field \"" + e.key + "\"";
    std::string hint = closest_match(e.key, known_);
    if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
    c_.error(e.key_mark, field(path_, e.key), msg);
  }
}

MapReader::~MapReader() { finish(); }

}  // namespace baton::spec
