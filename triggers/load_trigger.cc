// Decoders for trigger bodies, bindings and templates.

#include <set>

#include "triggers/bindings.h"
#include "triggers/load_internal.h"
#include "triggers/template_internal.h"

namespace baton::triggers::detail {

using spec::field;
using spec::index;
using spec::MapReader;
using spec::read_string;

SourcePos pos_of(const DecodeCtx& c, const Node& n) {
  return SourcePos{c.file, n.mark.line, n.mark.col};
}

namespace {

// A position inside a single-line scalar: the scalar's mark plus the offset (plus the opening
// quote). Multi-line scalars report the scalar's own position.
SourcePos pos_in_scalar(const DecodeCtx& c, const Node& n, std::size_t offset) {
  SourcePos p = pos_of(c, n);
  if (n.scalar.find('\n') == std::string::npos)
    p.col += static_cast<int>(offset) + (n.quoted ? 1 : 0);
  return p;
}

BindingParam decode_param(const DecodeCtx& c, const Node& n, const std::string& path,
                          MapReader& r) {
  BindingParam p;
  p.pos = pos_of(c, n);
  r.str("name", p.name);
  if (const Node* v = r.required("value")) {
    p.value = read_string(c, *v, field(path, "value"));
    std::size_t off = 0;
    std::string why = check_binding_value(p.value, &off);
    if (!why.empty()) {
      c.diags->push_back(Diagnostic{pos_in_scalar(c, *v, off), field(path, "value"), why});
    }
  }
  if (p.name.empty()) c.error(n.mark, field(path, "name"), "missing required field");
  return p;
}

void decode_binding_ref(const DecodeCtx& c, const Node& n, const std::string& path,
                        TriggerSpec& out) {
  MapReader r(c, n, path);
  BindingRef b;
  b.pos = pos_of(c, n);
  r.ignore({"apiversion", "apiVersion"});
  const Node* value = r.get("value");
  const Node* ref = r.get("ref");
  std::string kind;
  r.str("kind", kind);
  if (value) {
    if (ref) c.error(n.mark, path, "a binding has either ref or name/value, not both");
    b.param = decode_param(c, n, path, r);
  } else {
    const Node* name = r.get("name");
    if (!ref) {
      c.error(n.mark, path,
              name ? "binding has a name but no value; to use a TriggerBinding write `ref: " +
                         (name->is_scalar() ? name->scalar : std::string("<name>")) + "`"
                   : "a binding needs ref, or name and value");
      return;
    }
    b.ref = read_string(c, *ref, field(path, "ref"));
  }
  if (!kind.empty() && kind != "TriggerBinding" && kind != "ClusterTriggerBinding") {
    c.error(n.find("kind")->mark, field(path, "kind"),
            "must be TriggerBinding or ClusterTriggerBinding, got \"" + kind + "\"");
  }
  b.cluster = kind == "ClusterTriggerBinding";
  out.bindings.push_back(std::move(b));
}

void decode_template_ref(const DecodeCtx& c, const Node& n, const std::string& path,
                         TemplateRef& out) {
  MapReader r(c, n, path);
  out.pos = pos_of(c, n);
  r.ignore({"apiversion", "apiVersion"});
  r.str("ref", out.ref);
  if (out.ref.empty()) r.str("name", out.ref);  // v1alpha1: template.name was the reference
  if (const Node* s = r.get("spec")) out.spec = decode_template_spec(c, *s, field(path, "spec"));
  if (r.valid() && out.ref.empty() && !out.spec) {
    c.error(n.mark, path, "template needs ref or spec");
  } else if (!out.ref.empty() && out.spec) {
    c.error(n.mark, path, "template has both ref and spec; keep one");
  }
}

}  // namespace

std::vector<BindingParam> decode_binding_params(const DecodeCtx& c, const Node& n,
                                                const std::string& path) {
  std::vector<BindingParam> out;
  MapReader spec_r(c, n, path);
  std::set<std::string> seen;
  spec_r.list("params", [&](const Node& item, const std::string& p, std::size_t) {
    MapReader r(c, item, p);
    BindingParam bp = decode_param(c, item, p, r);
    if (!bp.name.empty() && !seen.insert(bp.name).second) {
      c.error(item.mark, field(p, "name"), "duplicate param \"" + bp.name + "\"");
    }
    out.push_back(std::move(bp));
  });
  return out;
}

void decode_trigger_spec(const DecodeCtx& c, const Node& n, const std::string& path,
                         TriggerSpec& out) {
  MapReader r(c, n, path);
  out.pos = pos_of(c, n);
  r.ignore({"serviceAccountName", "triggerRef"});
  r.str("name", out.name);
  if (const Node* i = r.get("interceptors")) {
    out.interceptors = decode_interceptors(c, *i, field(path, "interceptors"));
  }
  r.list("bindings", [&](const Node& item, const std::string& p, std::size_t) {
    decode_binding_ref(c, item, p, out);
  });
  if (const Node* t = r.required("template")) {
    decode_template_ref(c, *t, field(path, "template"), out.template_ref);
  }
}

std::shared_ptr<TriggerTemplate> decode_template_spec(const DecodeCtx& c, const Node& n,
                                                      const std::string& path) {
  auto t = std::make_shared<TriggerTemplate>();
  t->pos = pos_of(c, n);
  MapReader r(c, n, path);
  std::set<std::string> names;
  r.list("params", [&](const Node& item, const std::string& p, std::size_t) {
    MapReader pr(c, item, p);
    TemplateParam tp;
    pr.str("name", tp.name);
    pr.str("description", tp.description);
    if (const Node* d = pr.get("default"))
      tp.default_value = read_string(c, *d, field(p, "default"));
    if (tp.name.empty()) c.error(item.mark, field(p, "name"), "missing required field");
    if (!tp.name.empty() && !names.insert(tp.name).second) {
      c.error(item.mark, field(p, "name"), "duplicate param \"" + tp.name + "\"");
    }
    t->params.push_back(std::move(tp));
  });
  r.list("resourcetemplates", [&](const Node& item, const std::string& p, std::size_t) {
    if (!item.is_map()) {
      c.error(item.mark, p, std::string("expected a mapping, got a ") + item.kind_name());
      return;
    }
    std::string json = resource_to_json(item);
    for (const std::string& undeclared : undeclared_template_params(json, names)) {
      c.error(item.mark, p,
              "$(tt.params." + undeclared + ") is not declared in spec.params of the template");
    }
    t->resources.push_back(std::move(json));
  });
  return t;
}

std::optional<cel::Program> compile_cel_at(const DecodeCtx& c, const Node& n,
                                           const std::string& path) {
  if (!n.is_scalar()) {
    c.error(n.mark, path, std::string("expected a CEL expression string, got a ") + n.kind_name());
    return std::nullopt;
  }
  std::size_t off = 0;
  auto p = cel::compile(n.scalar, &off);
  if (!p.ok()) {
    c.diags->push_back(
        Diagnostic{pos_in_scalar(c, n, off), path, "invalid CEL expression: " + p.error().message});
    return std::nullopt;
  }
  return std::move(*p);
}

}  // namespace baton::triggers::detail
