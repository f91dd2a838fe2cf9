// TriggerTemplate rendering on the JSON text of each resource template, like Tekton's
// ResolveResources: one pass, no recursion, values JSON-escaped so any text stays valid JSON.

#include <nlohmann/json.hpp>

#include "engine/spec/decode_util.h"
#include "triggers/template_internal.h"

namespace baton::triggers::detail {

namespace {

constexpr std::string_view kParamPrefix = "$(tt.params.";
constexpr std::string_view kUid = "$(uid)";

// Calls fn(start, end, name) for each `$(tt.params.NAME)` of `s` (end is one past ')').
template <typename Fn>
void for_each_param_ref(std::string_view s, Fn fn) {
  for (std::size_t p = s.find(kParamPrefix); p != std::string_view::npos;
       p = s.find(kParamPrefix, p + 1)) {
    std::size_t b = p + kParamPrefix.size();
    std::size_t e = s.find(')', b);
    if (e == std::string_view::npos) return;
    fn(p, e + 1, s.substr(b, e - b));
  }
}

std::string json_escape(const std::string& v) {
  std::string q = nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return q.substr(1, q.size() - 2);
}

}  // namespace

std::string resource_to_json(const spec::Node& n) { return spec::to_json(n).dump(); }

std::vector<std::string> undeclared_template_params(std::string_view json,
                                                    const std::set<std::string>& declared) {
  std::vector<std::string> out;
  for_each_param_ref(json, [&](std::size_t, std::size_t, std::string_view name) {
    std::string n(name);
    if (!declared.count(n) && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  });
  return out;
}

std::vector<std::string> render_template(const TriggerTemplate& t,
                                         const std::map<std::string, std::string>& params,
                                         std::string_view uid) {
  std::map<std::string, std::string, std::less<>> escaped;
  for (const auto& [k, v] : params) escaped.emplace(k, json_escape(v));
  std::string uid_escaped = json_escape(std::string(uid));
  std::vector<std::string> out;
  out.reserve(t.resources.size());
  for (const std::string& res : t.resources) {
    std::string r;
    r.reserve(res.size() + 64);
    std::size_t i = 0;
    while (i < res.size()) {
      std::size_t d = res.find("$(", i);
      if (d == std::string::npos) break;
      r.append(res, i, d - i);
      std::string_view rest(res.data() + d, res.size() - d);
      if (rest.substr(0, kUid.size()) == kUid) {
        r += uid_escaped;
        i = d + kUid.size();
        continue;
      }
      if (rest.substr(0, kParamPrefix.size()) == kParamPrefix) {
        std::size_t e = rest.find(')');
        if (e != std::string_view::npos) {
          auto it = escaped.find(rest.substr(kParamPrefix.size(), e - kParamPrefix.size()));
          if (it != escaped.end()) {
            r += it->second;
            i = d + e + 1;
            continue;
          }
        }
      }
      r += "$(";
      i = d + 2;
    }
    r.append(res, std::min(i, res.size()), std::string::npos);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace baton::triggers::detail
