// Params, results and `$(params|workspaces|results.…)` references: the rules shared by Tasks,
// Pipelines, StepActions and runs.

#include "engine/model/validate_util.h"

namespace baton::model::vdetail {

namespace {

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t k = from; k < to; ++k) {
    if (k > from) out += '.';
    out += parts[k];
  }
  return out;
}

const char* type_name(ValueType t) { return to_string(t); }

}  // namespace

void check_ref(Sink& sink, const subst::Reference& r, const std::string& path,
               const RefScope& scope) {
  if (r.parts.size() < 2) return;
  const std::string& root = r.parts[0];
  const std::string expr = "$(" + r.expr + ")";
  if (root == "params" && scope.params) {
    ParamScope::Match m = scope.params->match(r.parts);
    if (!m.found) {
      sink.error(path, "unknown param " + in_quotes(r.parts[1]) + " in " + expr +
                           did_you_mean(r.parts[1], scope.params->all_names()) +
                           "; declare it in params");
      return;
    }
    const ParamSpec* spec = m.spec;
    if (spec && spec->type == ValueType::kObject && m.used + 1 < r.parts.size() &&
        !spec->properties.empty()) {
      const std::string& key = r.parts[m.used + 1];
      if (!spec->properties.count(key)) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : spec->properties) keys.push_back(k);
        sink.error(path, "object param " + in_quotes(spec->name) + " has no key " + in_quotes(key) +
                             " in " + expr + did_you_mean(key, keys) +
                             "; declare it in the param's properties");
      }
    }
  } else if (root == "workspaces" && scope.workspaces) {
    if (!scope.workspaces->contains(r.parts[1])) {
      sink.error(path, "unknown workspace " + in_quotes(r.parts[1]) + " in " + expr +
                           did_you_mean(r.parts[1], scope.workspaces->all_names()) +
                           "; declare it in workspaces");
    }
  } else if (root == "results" && scope.results && r.parts.size() >= 3 &&
             r.parts.back() == "path") {
    std::string name = join(r.parts, 1, r.parts.size() - 1);
    if (!scope.results->contains(name)) {
      sink.error(path, "unknown result " + in_quotes(name) + " in " + expr +
                           did_you_mean(name, scope.results->all_names()) +
                           "; declare it in results");
    }
  }
}

void check_refs(Sink& sink, std::string_view text, const std::string& path, const RefScope& scope) {
  if (text.find("$(") == std::string_view::npos) return;  // the common case, kept cheap
  for (const auto& r : subst::find_references(text)) check_ref(sink, r, path, scope);
}

void check_refs(Sink& sink, const std::vector<std::string>& texts, const std::string& path,
                const RefScope& scope) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].find("$(") != std::string::npos) check_refs(sink, texts[i], at(path, i), scope);
  }
}

void check_json_refs(Sink& sink, const Json& j, const std::string& path, const RefScope& scope) {
  if (j.is_string()) {
    check_refs(sink, j.get_ref<const std::string&>(), path, scope);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_json_refs(sink, j[i], at(path, i), scope);
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) check_json_refs(sink, v, at(path, k), scope);
  }
}

void check_param_specs(Sink& sink, const std::vector<ParamSpec>& specs, const std::string& list) {
  UniqueNames unique("param");
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ParamSpec& p = specs[i];
    const std::string item = at(list, i);
    unique.add(sink, p.name, list, i);
    const bool object = p.type == ValueType::kObject;
    if (!p.name.empty() && !is_param_name(p.name, object)) {
      sink.error(at(item, "name"),
                 "invalid param name " + in_quotes(p.name) + ": use letters, digits, '_', '-'" +
                     (object ? "" : " and '.'") + ", starting with a letter or '_'" +
                     (object ? " (object param names cannot contain '.')" : ""));
    }
    if (p.default_value && p.default_value->type != p.type) {
      sink.error(at(item, "default"),
                 std::string("default is of type ") + type_name(p.default_value->type) +
                     " but the param type is " + type_name(p.type) + "; make them agree");
    }
    if (object && p.properties.empty()) {
      sink.error(at(item, "type"),
                 "object param " + in_quotes(p.name) + " must declare its keys in properties");
    }
    if (!p.enum_values.empty()) {
      if (p.type != ValueType::kString) {
        sink.error(at(item, "enum"), "enum is only allowed on string params");
      }
      std::unordered_set<std::string_view> seen;
      for (std::size_t k = 0; k < p.enum_values.size(); ++k) {
        if (!seen.insert(p.enum_values[k]).second) {
          sink.error(at(at(item, "enum"), k),
                     "duplicate enum value " + in_quotes(p.enum_values[k]));
        }
      }
      if (p.default_value && p.default_value->type == ValueType::kString &&
          !seen.count(p.default_value->str)) {
        sink.error(at(item, "default"), "default " + in_quotes(p.default_value->str) +
                                            " is not one of the enum values" +
                                            did_you_mean(p.default_value->str, p.enum_values));
      }
    }
  }
}

void check_result_specs(Sink& sink, const std::vector<ResultSpec>& specs, const std::string& list) {
  UniqueNames unique("result");
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ResultSpec& r = specs[i];
    unique.add(sink, r.name, list, i);
    if (!r.name.empty() && !is_result_name(r.name)) {
      sink.error(at(at(list, i), "name"),
                 "invalid result name " + in_quotes(r.name) +
                     ": use letters, digits, '-', '_' and '.', starting and ending with a letter "
                     "or digit");
    }
    if (r.type == ValueType::kObject && r.properties.empty()) {
      sink.error(at(at(list, i), "type"),
                 "object result " + in_quotes(r.name) + " must declare its keys in properties");
    }
  }
}

void check_param_values(Sink& sink, const std::vector<Param>& params, const std::string& list) {
  UniqueNames unique("param");
  for (std::size_t i = 0; i < params.size(); ++i) unique.add(sink, params[i].name, list, i);
}

void check_required_params(Sink& sink, const std::vector<ParamSpec>& declared,
                           std::initializer_list<const std::vector<Param>*> given,
                           const std::string& path, const std::string& what) {
  auto supplied = [&](const std::string& n) {
    for (const auto* list : given) {
      if (!list) continue;
      for (const auto& p : *list) {
        if (p.name == n) return true;
      }
    }
    return false;
  };
  for (const auto& d : declared) {
    if (d.default_value || d.name.empty() || supplied(d.name)) continue;
    sink.error(path, "missing param " + in_quotes(d.name) + " required by " + what +
                         " (it has no default); add {name: " + d.name + ", value: ...} to params");
  }
}

}  // namespace baton::model::vdetail
