// Document dispatch: triggers.tekton.dev kinds are decoded, everything else is ignored.

#include "triggers/load.h"

#include <algorithm>

#include "triggers/load_internal.h"

namespace baton::triggers {

using detail::DecodeCtx;
using detail::Node;
using detail::pos_of;
using spec::field;
using spec::MapReader;
using spec::read_string;

namespace {

constexpr std::string_view kGroup = "triggers.tekton.dev/";

struct Meta {
  std::string name;
  std::map<std::string, std::string> labels;
};

Meta decode_meta(const DecodeCtx& c, const Node& root) {
  Meta m;
  const Node* md = root.find("metadata");
  if (!md) {
    c.error(root.mark, "metadata", "missing required field");
    return m;
  }
  MapReader r(c, *md, "metadata");
  r.str("name", m.name);
  r.string_map("labels", m.labels);
  r.ignore({"namespace", "annotations", "uid", "resourceVersion", "generation", "creationTimestamp",
            "managedFields", "ownerReferences", "finalizers"});
  if (r.get("generateName")) c.error(md->mark, "metadata.generateName", "use metadata.name");
  if (r.valid() && m.name.empty()) c.error(md->mark, "metadata.name", "missing required field");
  return m;
}

void decode_listener(const DecodeCtx& c, const Node& spec_node, EventListener& el) {
  MapReader r(c, spec_node, "spec");
  r.ignore({"serviceAccountName", "resources", "cloudEventURI", "replicas", "podTemplate",
            "serviceType", "namespaceSelector"});
  if (const Node* ls = r.get("labelSelector")) {
    c.error(ls->mark, "spec.labelSelector",
            "labelSelector is not supported; list the triggers or use triggerGroups");
  }
  r.list("triggers", [&](const Node& item, const std::string& p, std::size_t) {
    ListenerTrigger lt;
    if (const Node* ref = item.is_map() ? item.find("triggerRef") : nullptr) {
      lt.trigger_ref = read_string(c, *ref, field(p, "triggerRef"));
      if (item.entries.size() > 1 && !item.find("name")) {
        c.error(item.mark, p, "a trigger with triggerRef has no other fields");
      }
    } else {
      detail::decode_trigger_spec(c, item, p, lt.spec);
    }
    el.triggers.push_back(std::move(lt));
  });
  r.list("triggerGroups", [&](const Node& item, const std::string& p, std::size_t) {
    MapReader gr(c, item, p);
    TriggerGroup g;
    g.pos = pos_of(c, item);
    gr.str("name", g.name);
    if (const Node* i = gr.get("interceptors")) {
      g.interceptors = detail::decode_interceptors(c, *i, field(p, "interceptors"));
    }
    if (const Node* sel = gr.required("triggerSelector")) {
      std::string sp = field(p, "triggerSelector");
      MapReader sr(c, *sel, sp);
      if (const Node* ls = sr.required("labelSelector")) {
        MapReader lr(c, *ls, field(sp, "labelSelector"));
        lr.string_map("matchLabels", g.match_labels);
      }
      sr.ignore({"namespaceSelector"});
    }
    el.trigger_groups.push_back(std::move(g));
  });
}

template <typename T>
void add_unique(const DecodeCtx& c, const Node& root, std::map<std::string, T>& into,
                const std::string& name, const char* kind, T value) {
  auto [it, fresh] = into.emplace(name, std::move(value));
  if (!fresh)
    c.error(root.mark, "metadata.name", std::string(kind) + " \"" + name + "\" is defined twice");
}

// Decodes one document into `cat` if it is error-free; returns true if it was a triggers kind.
bool decode_document(const spec::Document& doc, TriggerCatalog& cat, Diagnostics& errors) {
  const Node& root = doc.root;
  if (!root.is_map()) return false;
  const Node* api = root.find("apiVersion");
  if (!api || !api->is_scalar() || api->scalar.rfind(kGroup, 0) != 0) return false;
  Diagnostics diags;
  DecodeCtx c{*doc.file, false, &diags};
  std::string version = api->scalar.substr(kGroup.size());
  if (version != "v1alpha1" && version != "v1beta1") {
    c.error(api->mark, "apiVersion",
            "unsupported version \"" + api->scalar +
                "\" (supported: triggers.tekton.dev/v1alpha1, v1beta1)");
  }
  const Node* kind_node = root.find("kind");
  std::string kind = kind_node ? read_string(c, *kind_node, "kind") : "";
  Meta meta = decode_meta(c, root);
  const Node* spec_node = root.find("spec");
  static const Node kNull;
  const Node& sn = spec_node ? *spec_node : kNull;
  TriggerCatalog local;
  if (kind == "EventListener") {
    EventListener el{meta.name, pos_of(c, root), {}, {}};
    decode_listener(c, sn, el);
    local.listeners.emplace(meta.name, std::move(el));
  } else if (kind == "TriggerBinding" || kind == "ClusterTriggerBinding") {
    TriggerBinding b{meta.name, kind == "ClusterTriggerBinding", pos_of(c, root),
                     detail::decode_binding_params(c, sn, "spec")};
    (b.cluster ? local.cluster_bindings : local.bindings).emplace(meta.name, std::move(b));
  } else if (kind == "TriggerTemplate") {
    auto t = detail::decode_template_spec(c, sn, "spec");
    t->name = meta.name;
    t->pos = pos_of(c, root);
    local.templates.emplace(meta.name, std::move(*t));
  } else if (kind == "Trigger") {
    Trigger t{meta.name, meta.labels, {}};
    detail::decode_trigger_spec(c, sn, "spec", t.spec);
    if (t.spec.name.empty()) t.spec.name = meta.name;
    local.triggers.emplace(meta.name, std::move(t));
  } else if (kind == "ClusterInterceptor" || kind == "Interceptor") {
    c.error(root.mark, "kind",
            "custom interceptors are not supported (" + kind + " \"" + meta.name +
                "\"); Baton runs github, gitlab, bitbucket and cel");
  } else if (kind_node) {
    c.error(kind_node->mark, "kind", "unknown triggers.tekton.dev kind \"" + kind + "\"");
  }
  if (!spec_node && kind_node) c.error(root.mark, "spec", "missing required field");
  // Report in file order, whatever order the decoders visited the fields in.
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
  });
  if (!diags.empty()) {
    errors.insert(errors.end(), diags.begin(), diags.end());
    return true;
  }
  for (auto& [n, v] : local.listeners)
    add_unique(c, root, cat.listeners, n, "EventListener", std::move(v));
  for (auto& [n, v] : local.bindings)
    add_unique(c, root, cat.bindings, n, "TriggerBinding", std::move(v));
  for (auto& [n, v] : local.cluster_bindings)
    add_unique(c, root, cat.cluster_bindings, n, "ClusterTriggerBinding", std::move(v));
  for (auto& [n, v] : local.templates)
    add_unique(c, root, cat.templates, n, "TriggerTemplate", std::move(v));
  for (auto& [n, v] : local.triggers) add_unique(c, root, cat.triggers, n, "Trigger", std::move(v));
  errors.insert(errors.end(), diags.begin(), diags.end());
  return true;
}

LoadReport load_documents(Result<std::vector<spec::Document>> docs, TriggerCatalog& catalog) {
  LoadReport rep;
  if (!docs.ok()) {
    rep.errors = docs.error().diagnostics;
    if (rep.errors.empty()) rep.errors.push_back(Diagnostic{{}, "", docs.error().message});
    return rep;
  }
  for (const auto& d : *docs) {
    std::size_t before = rep.errors.size();
    if (!decode_document(d, catalog, rep.errors)) {
      if (!d.root.is_null()) ++rep.ignored;
    } else if (rep.errors.size() == before) {
      ++rep.loaded;
    }
  }
  return rep;
}

}  // namespace

LoadReport load_text(const std::string& text, const std::string& file, TriggerCatalog& catalog) {
  return load_documents(spec::parse_yaml(text, file), catalog);
}

LoadReport load_file(const std::string& path, TriggerCatalog& catalog) {
  return load_documents(spec::parse_yaml_file(path), catalog);
}

}  // namespace baton::triggers
