// Decoders for Task, StepAction and their parts (params, results, steps, sidecars).

#include "engine/spec/decode.h"

namespace baton::spec {

namespace {

model::ValueType decode_value_type(const DecodeCtx& c, const Node& n, const std::string& path) {
  std::string s = read_string(c, n, path);
  if (s == "string") return model::ValueType::kString;
  if (s == "array") return model::ValueType::kArray;
  if (s == "object") return model::ValueType::kObject;
  c.error(n.mark, path, "type must be string, array or object, got \"" + s + "\"");
  return model::ValueType::kString;
}

std::map<std::string, model::PropertySpec> decode_properties(const DecodeCtx& c, const Node& n,
                                                             const std::string& path) {
  std::map<std::string, model::PropertySpec> out;
  if (n.is_null()) return out;
  if (!n.is_map()) {
    c.error(n.mark, path, std::string("expected a mapping, got a ") + n.kind_name());
    return out;
  }
  for (const auto& e : n.entries) {
    model::PropertySpec p;
    MapReader m(c, e.value, field(path, e.key));
    if (const Node* t = m.get("type")) {
      p.type = decode_value_type(c, *t, field(m.path(), "type"));
      if (p.type != model::ValueType::kString) {
        c.error(t->mark, field(m.path(), "type"), "object properties must be of type string");
      }
    }
    out[e.key] = p;
  }
  return out;
}

std::vector<model::EnvVar> decode_env(const DecodeCtx& c, MapReader& m) {
  std::vector<model::EnvVar> out;
  m.list("env", [&](const Node& n, const std::string& p, std::size_t) {
    model::EnvVar v;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) v.name = read_string(c, *name, field(p, "name"));
    r.str("value", v.value);
    r.json("valueFrom", v.value_from);
    out.push_back(std::move(v));
  });
  return out;
}

std::vector<model::WorkspaceUsage> decode_workspace_usages(const DecodeCtx& c, MapReader& m) {
  std::vector<model::WorkspaceUsage> out;
  m.list("workspaces", [&](const Node& n, const std::string& p, std::size_t) {
    model::WorkspaceUsage w;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) w.name = read_string(c, *name, field(p, "name"));
    r.str("mountPath", w.mount_path);
    out.push_back(std::move(w));
  });
  return out;
}

// Reads the Kubernetes container fields shared by steps, sidecars and stepTemplate.
void decode_container_fields(const DecodeCtx& c, MapReader& m, model::Container& k) {
  m.str("name", k.name);
  m.str("image", k.image);
  m.str_list("command", k.command);
  m.str_list("args", k.args);
  m.str("workingDir", k.working_dir);
  k.env = decode_env(c, m);
  m.json("envFrom", k.env_from);
  if (c.v1beta1) {
    m.json("resources", k.compute_resources);
  } else {
    m.json("computeResources", k.compute_resources);
    m.reject("resources", "\"resources\" is v1beta1; in tekton.dev/v1 it is \"computeResources\"");
  }
  m.json("volumeMounts", k.volume_mounts);
  m.json("volumeDevices", k.volume_devices);
  m.str("imagePullPolicy", k.image_pull_policy);
  m.json("securityContext", k.security_context);
}

}  // namespace

model::ObjectMeta decode_meta(const DecodeCtx& c, const Node& n, const std::string& path) {
  model::ObjectMeta meta;
  MapReader m(c, n, path);
  m.str("name", meta.name);
  m.str("generateName", meta.generate_name);
  m.str("namespace", meta.namespace_);
  m.string_map("labels", meta.labels);
  m.string_map("annotations", meta.annotations);
  // Server-populated fields are accepted and ignored, so exported objects load.
  m.ignore({"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
            "managedFields", "ownerReferences", "finalizers", "selfLink"});
  return meta;
}

std::vector<model::ParamSpec> decode_param_specs(const DecodeCtx& c, MapReader& m,
                                                 const std::string& key) {
  std::vector<model::ParamSpec> out;
  m.list(key, [&](const Node& n, const std::string& p, std::size_t) {
    model::ParamSpec s;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) s.name = read_string(c, *name, field(p, "name"));
    if (const Node* t = r.get("type")) {
      s.type = decode_value_type(c, *t, field(p, "type"));
      s.type_given = true;
    }
    r.str("description", s.description);
    if (const Node* props = r.get("properties")) {
      s.properties = decode_properties(c, *props, field(p, "properties"));
    }
    if (const Node* d = r.get("default"); d && !d->is_null()) {
      s.default_value = read_param_value(c, *d, field(p, "default"));
      if (!s.type_given) s.type = s.default_value->type;  // Tekton infers the type from default
    }
    r.str_list("enum", s.enum_values);
    if (!s.type_given && !s.properties.empty()) s.type = model::ValueType::kObject;
    out.push_back(std::move(s));
  });
  return out;
}

std::vector<model::Param> decode_params(const DecodeCtx& c, MapReader& m, const std::string& key) {
  std::vector<model::Param> out;
  m.list(key, [&](const Node& n, const std::string& p, std::size_t) {
    model::Param prm;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) prm.name = read_string(c, *name, field(p, "name"));
    if (const Node* v = r.required("value")) prm.value = read_param_value(c, *v, field(p, "value"));
    out.push_back(std::move(prm));
  });
  return out;
}

std::vector<model::ResultSpec> decode_result_specs(const DecodeCtx& c, MapReader& m,
                                                   const std::string& key) {
  std::vector<model::ResultSpec> out;
  m.list(key, [&](const Node& n, const std::string& p, std::size_t) {
    model::ResultSpec s;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) s.name = read_string(c, *name, field(p, "name"));
    if (const Node* t = r.get("type")) s.type = decode_value_type(c, *t, field(p, "type"));
    r.str("description", s.description);
    if (const Node* props = r.get("properties")) {
      s.properties = decode_properties(c, *props, field(p, "properties"));
      if (!r.get("type")) s.type = model::ValueType::kObject;
    }
    if (const Node* v = r.get("value"); v && !v->is_null()) {
      s.value = read_param_value(c, *v, field(p, "value"));
    }
    out.push_back(std::move(s));
  });
  return out;
}

std::vector<model::WhenExpression> decode_when(const DecodeCtx& c, MapReader& m) {
  std::vector<model::WhenExpression> out;
  m.list("when", [&](const Node& n, const std::string& p, std::size_t) {
    model::WhenExpression w;
    MapReader r(c, n, p);
    r.str("input", w.input);
    r.str("operator", w.op);
    r.str_list("values", w.values);
    r.str("cel", w.cel);
    out.push_back(std::move(w));
  });
  return out;
}

model::Ref decode_ref(const DecodeCtx& c, const Node& n, const std::string& path) {
  model::Ref ref;
  MapReader m(c, n, path);
  m.str("name", ref.name);
  m.str("kind", ref.kind);
  m.str("apiVersion", ref.api_version);
  m.str("resolver", ref.resolver);
  ref.params = decode_params(c, m, "params");
  if (c.v1beta1) {
    // v1beta1 `bundle: img` is the bundles resolver in v1.
    if (const Node* b = m.get("bundle")) {
      ref.resolver = "bundles";
      ref.params.push_back(
          {"bundle", model::ParamValue::of_string(read_string(c, *b, field(path, "bundle")))});
      ref.params.push_back({"name", model::ParamValue::of_string(ref.name)});
      ref.params.push_back(
          {"kind", model::ParamValue::of_string(ref.kind.empty() ? "task" : ref.kind)});
    }
  }
  return ref;
}

namespace {

model::Step decode_step(const DecodeCtx& c, const Node& n, const std::string& p) {
  model::Step s;
  MapReader m(c, n, p);
  decode_container_fields(c, m, s);
  m.str("displayName", s.display_name);
  m.str("script", s.script);
  m.duration("timeout", s.timeout);
  s.workspaces = decode_workspace_usages(c, m);
  m.str("onError", s.on_error);
  if (const Node* o = m.get("stdoutConfig")) {
    MapReader r(c, *o, field(p, "stdoutConfig"));
    r.str("path", s.stdout_path);
  }
  if (const Node* o = m.get("stderrConfig")) {
    MapReader r(c, *o, field(p, "stderrConfig"));
    r.str("path", s.stderr_path);
  }
  if (const Node* r = m.get("ref"); r && !r->is_null()) s.ref = decode_ref(c, *r, field(p, "ref"));
  s.params = decode_params(c, m, "params");
  s.results = decode_result_specs(c, m, "results");
  s.when = decode_when(c, m);
  // Container fields Tekton forbids on steps (lifecycle is not allowed, ports are meaningless).
  m.reject("ports", "steps cannot declare ports; use a sidecar");
  m.reject("livenessProbe", "steps cannot have probes");
  m.reject("readinessProbe", "steps cannot have probes");
  m.reject("startupProbe", "steps cannot have probes");
  m.reject("lifecycle", "steps cannot have lifecycle hooks");
  return s;
}

model::Sidecar decode_sidecar(const DecodeCtx& c, const Node& n, const std::string& p) {
  model::Sidecar s;
  MapReader m(c, n, p);
  decode_container_fields(c, m, s);
  m.str("script", s.script);
  s.workspaces = decode_workspace_usages(c, m);
  m.json("ports", s.ports);
  m.json("readinessProbe", s.readiness_probe);
  m.json("livenessProbe", s.liveness_probe);
  m.json("startupProbe", s.startup_probe);
  m.json("lifecycle", s.lifecycle);
  m.str("restartPolicy", s.restart_policy);
  m.ignore({"terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce", "tty"});
  return s;
}

}  // namespace

model::TaskSpec decode_task_spec(const DecodeCtx& c, const Node& n, const std::string& path) {
  model::TaskSpec t;
  MapReader m(c, n, path);
  m.str("displayName", t.display_name);
  m.str("description", t.description);
  t.params = decode_param_specs(c, m, "params");
  m.list("steps", [&](const Node& s, const std::string& p, std::size_t) {
    t.steps.push_back(decode_step(c, s, p));
  });
  if (const Node* st = m.get("stepTemplate"); st && !st->is_null()) {
    model::Container k;
    MapReader r(c, *st, field(path, "stepTemplate"));
    decode_container_fields(c, r, k);
    t.step_template = std::move(k);
  }
  m.list("sidecars", [&](const Node& s, const std::string& p, std::size_t) {
    t.sidecars.push_back(decode_sidecar(c, s, p));
  });
  m.list("workspaces", [&](const Node& w, const std::string& p, std::size_t) {
    model::WorkspaceDeclaration d;
    MapReader r(c, w, p);
    if (const Node* name = r.required("name")) d.name = read_string(c, *name, field(p, "name"));
    r.str("description", d.description);
    r.str("mountPath", d.mount_path);
    r.boolean("readOnly", d.read_only);
    r.boolean("optional", d.optional);
    t.workspaces.push_back(std::move(d));
  });
  t.results = decode_result_specs(c, m, "results");
  m.json("volumes", t.volumes);
  m.reject("resources",
           "PipelineResources were removed in Tekton v1 and are not supported; use params, "
           "workspaces and results");
  return t;
}

model::StepActionSpec decode_step_action_spec(const DecodeCtx& c, const Node& n,
                                              const std::string& path) {
  model::StepActionSpec s;
  MapReader m(c, n, path);
  m.str("description", s.description);
  m.str("image", s.image);
  m.str_list("command", s.command);
  m.str_list("args", s.args);
  s.env = decode_env(c, m);
  m.str("script", s.script);
  m.str("workingDir", s.working_dir);
  s.params = decode_param_specs(c, m, "params");
  s.results = decode_result_specs(c, m, "results");
  m.json("securityContext", s.security_context);
  m.json("volumeMounts", s.volume_mounts);
  return s;
}

}  // namespace baton::spec
