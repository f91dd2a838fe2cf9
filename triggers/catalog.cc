// Cross-object reference checks of a loaded catalog.

#include <set>

#include "triggers/load.h"

namespace baton::triggers {

namespace {

const TriggerTemplate* find_template(const TriggerCatalog& cat, const TemplateRef& t) {
  if (t.spec) return t.spec.get();
  auto it = cat.templates.find(t.ref);
  return it == cat.templates.end() ? nullptr : &it->second;
}

void check_spec(const TriggerCatalog& cat, const TriggerSpec& s, const std::string& where,
                Diagnostics& out) {
  std::set<std::string> provided;
  bool all_known = true;
  for (const BindingRef& b : s.bindings) {
    if (b.param) {
      provided.insert(b.param->name);
      continue;
    }
    const auto& pool = b.cluster ? cat.cluster_bindings : cat.bindings;
    auto it = pool.find(b.ref);
    if (it == pool.end()) {
      all_known = false;
      out.push_back(Diagnostic{b.pos, where + ".bindings",
                               std::string(b.cluster ? "ClusterTriggerBinding" : "TriggerBinding") +
                                   " \"" + b.ref + "\" not found"});
      continue;
    }
    for (const auto& p : it->second.params) provided.insert(p.name);
  }
  const TriggerTemplate* t = find_template(cat, s.template_ref);
  if (!t) {
    out.push_back(Diagnostic{s.template_ref.pos, where + ".template",
                             "TriggerTemplate \"" + s.template_ref.ref + "\" not found"});
    return;
  }
  if (!all_known) return;
  for (const auto& p : t->params) {
    if (!p.default_value && !provided.count(p.name)) {
      out.push_back(Diagnostic{s.template_ref.pos, where + ".template",
                               "template param \"" + p.name +
                                   "\" has no default and no binding of this trigger provides it"});
    }
  }
}

}  // namespace

Diagnostics check_references(const TriggerCatalog& cat) {
  Diagnostics out;
  for (const auto& [name, el] : cat.listeners) {
    for (std::size_t i = 0; i < el.triggers.size(); ++i) {
      const ListenerTrigger& lt = el.triggers[i];
      std::string where = "EventListener " + name + ": spec.triggers[" + std::to_string(i) + "]";
      if (lt.trigger_ref.empty()) {
        check_spec(cat, lt.spec, where, out);
      } else if (!cat.triggers.count(lt.trigger_ref)) {
        out.push_back(Diagnostic{el.pos, where + ".triggerRef",
                                 "Trigger \"" + lt.trigger_ref + "\" not found"});
      }
    }
  }
  for (const auto& [name, t] : cat.triggers)
    check_spec(cat, t.spec, "Trigger " + name + ": spec", out);
  return out;
}

}  // namespace baton::triggers
