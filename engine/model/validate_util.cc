#include "engine/model/validate_util.h"

#include <cctype>

namespace baton::model::vdetail {

void Sink::error(const std::string& path, std::string message) {
  out_.push_back(Diagnostic{origin_.at(path), path, std::move(message)});
}

std::string at(const std::string& base, std::string_view key) {
  std::string out;
  out.reserve(base.size() + key.size() + 1);
  out += base;
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string at(const std::string& base, std::size_t i) {
  return base + '[' + std::to_string(i) + ']';
}

std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = closest_match(word, candidates);
  return best.empty() ? std::string() : " (did you mean " + in_quotes(best) + "?)";
}

namespace {
bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
}  // namespace

bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!lower_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    // Labels of a subdomain follow the label rule except for the 63-character limit.
    if (label.empty() || !lower_alnum(label.front()) || !lower_alnum(label.back())) return false;
    for (char c : label) {
      if (!lower_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_param_name(std::string_view s, bool object) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!alnum(c) && c != '_' && c != '-' && !(c == '.' && !object)) return false;
  }
  return true;
}

bool is_result_name(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

bool is_param_ref(std::string_view s) {
  if (s.size() < 4 || s.substr(0, 2) != "$(" || s.back() != ')') return false;
  auto refs = subst::find_references(s);
  return refs.size() == 1 && refs[0].begin == 0 && refs[0].end == s.size() &&
         !refs[0].parts.empty() && refs[0].parts[0] == "params";
}

void UniqueNames::add(Sink& sink, std::string_view name, const std::string& list_path,
                      std::size_t i) {
  if (name.empty()) return;  // a missing name is reported by the loader
  auto [it, inserted] = first_.try_emplace(name, &list_path, i);
  if (inserted) return;
  sink.error(at(at(list_path, i), "name"),
             std::string("duplicate ") + what_ + " name " + in_quotes(name) + ": already used by " +
                 at(*it->second.first, it->second.second) + "; names must be unique");
}

void ParamScope::add(const std::vector<ParamSpec>& specs) {
  for (const auto& s : specs) names.try_emplace(s.name, &s);
}

void ParamScope::add(const std::vector<Param>& params) {
  for (const auto& p : params) names.try_emplace(p.name, nullptr);
}

ParamScope::Match ParamScope::match(const std::vector<std::string>& parts) const {
  // `$(params.a.b.c)` may name a param "a.b.c", or an object "a" with key "b"…: longest first.
  for (std::size_t n = parts.size() - 1; n >= 1; --n) {
    std::string name = parts[1];
    for (std::size_t k = 2; k <= n; ++k) name += '.' + parts[k];
    for (const ParamScope* s = this; s; s = s->parent) {
      auto it = s->names.find(name);
      if (it != s->names.end()) return Match{true, it->second, n};
    }
  }
  return {};
}

std::vector<std::string> ParamScope::all_names() const {
  std::vector<std::string> out;
  for (const ParamScope* s = this; s; s = s->parent) {
    for (const auto& [n, spec] : s->names) out.emplace_back(n);
  }
  return out;
}

bool NameSet::contains(std::string_view n) const {
  for (const NameSet* s = this; s; s = s->parent) {
    if (s->names.count(n)) return true;
  }
  return false;
}

std::vector<std::string> NameSet::all_names() const {
  std::vector<std::string> out;
  for (const NameSet* s = this; s; s = s->parent) {
    for (const auto& n : s->names) out.emplace_back(n);
  }
  return out;
}

TaskLookup::TaskLookup(const ObjectSet* set) {
  if (!set) return;
  // Later definitions win, as in ObjectSet::find_task.
  for (const auto& t : set->tasks) by_name_[t.metadata.name] = &t.spec;
}

const TaskSpec* TaskLookup::find(const std::optional<TaskSpec>& inline_spec,
                                 const std::optional<Ref>& ref) const {
  if (inline_spec) return &*inline_spec;
  if (!ref || !ref->resolver.empty() || ref->name.empty()) return nullptr;
  if (!ref->kind.empty() && ref->kind != "Task" && ref->kind != "ClusterTask") return nullptr;
  auto it = by_name_.find(ref->name);
  return it == by_name_.end() ? nullptr : it->second;
}

void check_object_name(Sink& sink, const ObjectMeta& meta, bool run) {
  if (meta.name.empty()) {
    if (run && !meta.generate_name.empty()) return;
    sink.error("metadata.name",
               run ? "missing required field: set metadata.name or metadata.generateName"
                   : "missing required field: set metadata.name");
    return;
  }
  if (!is_dns_subdomain(meta.name)) {
    sink.error("metadata.name",
               "invalid name " + in_quotes(meta.name) +
                   ": must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', "
                   "starting and ending with a letter or digit, at most 253 characters)");
  }
}

}  // namespace baton::model::vdetail
