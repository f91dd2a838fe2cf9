// Decoders for Pipeline, PipelineRun and TaskRun specs.

#include "engine/spec/decode.h"

namespace baton::spec {

namespace {

model::PipelineTask decode_pipeline_task(const DecodeCtx& c, const Node& n, const std::string& p) {
  model::PipelineTask t;
  MapReader m(c, n, p);
  if (const Node* name = m.required("name")) t.name = read_string(c, *name, field(p, "name"));
  m.str("displayName", t.display_name);
  m.str("description", t.description);
  if (const Node* r = m.get("taskRef"); r && !r->is_null()) {
    t.task_ref = decode_ref(c, *r, field(p, "taskRef"));
  }
  if (const Node* s = m.get("taskSpec"); s && !s->is_null()) {
    // An embedded spec may carry metadata, and custom tasks carry apiVersion/kind/spec.
    const std::string sp = field(p, "taskSpec");
    if (s->is_map() && (s->find("apiVersion") || s->find("kind"))) {
      MapReader r(c, *s, sp);
      model::Ref custom;
      r.str("apiVersion", custom.api_version);
      r.str("kind", custom.kind);
      r.json("spec", t.custom_spec);
      if (const Node* md = r.get("metadata"))
        t.task_spec_metadata = decode_meta(c, *md, field(sp, "metadata"));
      t.task_ref = std::move(custom);
    } else {
      // Split metadata off, decode the rest as a TaskSpec.
      Node rest = *s;
      if (s->is_map()) {
        std::erase_if(rest.entries, [](const MapEntry& e) { return e.key == "metadata"; });
        if (const Node* md = s->find("metadata")) {
          t.task_spec_metadata = decode_meta(c, *md, field(sp, "metadata"));
        }
      }
      t.task_spec = decode_task_spec(c, rest, sp);
    }
  }
  t.when = decode_when(c, m);
  m.str("onError", t.on_error);
  if (const Node* r = m.get("retries"); r && !r->is_null()) {
    t.retries = read_int(c, *r, field(p, "retries"), 0, 1000);
  }
  m.str_list("runAfter", t.run_after);
  t.params = decode_params(c, m, "params");
  if (const Node* mx = m.get("matrix"); mx && !mx->is_null()) {
    model::Matrix matrix;
    MapReader r(c, *mx, field(p, "matrix"));
    matrix.params = decode_params(c, r, "params");
    r.list("include", [&](const Node& in, const std::string& ip, std::size_t) {
      model::MatrixInclude inc;
      MapReader ir(c, in, ip);
      ir.str("name", inc.name);
      inc.params = decode_params(c, ir, "params");
      matrix.include.push_back(std::move(inc));
    });
    t.matrix = std::move(matrix);
  }
  m.list("workspaces", [&](const Node& w, const std::string& wp, std::size_t) {
    model::WorkspacePipelineTaskBinding b;
    MapReader r(c, w, wp);
    if (const Node* name = r.required("name")) b.name = read_string(c, *name, field(wp, "name"));
    r.str("workspace", b.workspace);
    r.str("subPath", b.sub_path);
    if (b.workspace.empty()) b.workspace = b.name;
    t.workspaces.push_back(std::move(b));
  });
  m.duration("timeout", t.timeout);
  m.reject("pipelineRef",
           "pipelines in pipelines (pipelineRef in a pipeline task) are not supported");
  m.reject("pipelineSpec",
           "pipelines in pipelines (pipelineSpec in a pipeline task) are not supported");
  if (c.v1beta1) {
    m.reject("resources", "PipelineResources were removed in Tekton v1 and are not supported");
  }
  return t;
}

std::vector<model::PipelineTask> decode_pipeline_tasks(const DecodeCtx& c, MapReader& m,
                                                       const std::string& key) {
  std::vector<model::PipelineTask> out;
  m.list(key, [&](const Node& n, const std::string& p, std::size_t) {
    out.push_back(decode_pipeline_task(c, n, p));
  });
  return out;
}

model::PipelineTaskRunSpec decode_task_run_spec_override(const DecodeCtx& c, const Node& n,
                                                         const std::string& p) {
  model::PipelineTaskRunSpec s;
  MapReader m(c, n, p);
  m.str("pipelineTaskName", s.pipeline_task_name);
  // The v1beta1 spellings are accepted in v1 too: catalog samples written as v1 still use them,
  // and Tekton's API server drops rather than rejects them.
  m.str("serviceAccountName", s.service_account_name);
  m.str("taskServiceAccountName", s.service_account_name);
  m.json("podTemplate", s.pod_template);
  m.json("taskPodTemplate", s.pod_template);
  m.json("stepSpecs", s.step_specs);
  m.json("stepOverrides", s.step_specs);
  m.json("sidecarSpecs", s.sidecar_specs);
  m.json("sidecarOverrides", s.sidecar_specs);
  if (const Node* md = m.get("metadata")) s.metadata = decode_meta(c, *md, field(p, "metadata"));
  m.json("computeResources", s.compute_resources);
  m.duration("timeout", s.timeout);
  return s;
}

}  // namespace

model::PipelineSpec decode_pipeline_spec(const DecodeCtx& c, const Node& n,
                                         const std::string& path) {
  model::PipelineSpec s;
  MapReader m(c, n, path);
  m.str("displayName", s.display_name);
  m.str("description", s.description);
  s.tasks = decode_pipeline_tasks(c, m, "tasks");
  s.finally = decode_pipeline_tasks(c, m, "finally");
  s.params = decode_param_specs(c, m, "params");
  m.list("workspaces", [&](const Node& w, const std::string& p, std::size_t) {
    model::PipelineWorkspaceDeclaration d;
    MapReader r(c, w, p);
    if (const Node* name = r.required("name")) d.name = read_string(c, *name, field(p, "name"));
    r.str("description", d.description);
    r.boolean("optional", d.optional);
    s.workspaces.push_back(std::move(d));
  });
  m.list("results", [&](const Node& rn, const std::string& p, std::size_t) {
    model::PipelineResult res;
    MapReader r(c, rn, p);
    if (const Node* name = r.required("name")) res.name = read_string(c, *name, field(p, "name"));
    r.str("description", res.description);
    if (const Node* t = r.get("type")) {
      std::string ts = read_string(c, *t, field(p, "type"));
      if (ts == "array")
        res.type = model::ValueType::kArray;
      else if (ts == "object")
        res.type = model::ValueType::kObject;
      else if (ts != "string")
        c.error(t->mark, field(p, "type"),
                "type must be string, array or object, got \"" + ts + "\"");
    }
    if (const Node* v = r.required("value")) {
      res.value = read_param_value(c, *v, field(p, "value"));
      if (!r.get("type")) res.type = res.value.type;
    }
    s.results.push_back(std::move(res));
  });
  m.reject("resources", "PipelineResources were removed in Tekton v1 and are not supported");
  return s;
}

std::vector<model::WorkspaceBinding> decode_workspace_bindings(const DecodeCtx& c, MapReader& m) {
  std::vector<model::WorkspaceBinding> out;
  m.list("workspaces", [&](const Node& n, const std::string& p, std::size_t) {
    model::WorkspaceBinding b;
    MapReader r(c, n, p);
    if (const Node* name = r.required("name")) b.name = read_string(c, *name, field(p, "name"));
    r.str("subPath", b.sub_path);
    r.json("emptyDir", b.empty_dir);
    r.json("persistentVolumeClaim", b.persistent_volume_claim);
    r.json("volumeClaimTemplate", b.volume_claim_template);
    r.json("configMap", b.config_map);
    r.json("secret", b.secret);
    r.json("projected", b.projected);
    r.json("csi", b.csi);
    // `emptyDir: {}` decodes to an empty JSON object; an absent field stays null.
    if (const Node* e = n.is_map() ? n.find("emptyDir") : nullptr; e && e->is_null()) {
      b.empty_dir = model::Json::object();
    }
    out.push_back(std::move(b));
  });
  return out;
}

model::PipelineRunSpec decode_pipeline_run_spec(const DecodeCtx& c, const Node& n,
                                                const std::string& path) {
  model::PipelineRunSpec s;
  MapReader m(c, n, path);
  if (const Node* r = m.get("pipelineRef"); r && !r->is_null()) {
    s.pipeline_ref = decode_ref(c, *r, field(path, "pipelineRef"));
  }
  if (const Node* ps = m.get("pipelineSpec"); ps && !ps->is_null()) {
    s.pipeline_spec = decode_pipeline_spec(c, *ps, field(path, "pipelineSpec"));
  }
  s.params = decode_params(c, m, "params");
  m.str("status", s.status);
  if (const Node* t = m.get("timeouts"); t && !t->is_null()) {
    MapReader r(c, *t, field(path, "timeouts"));
    r.duration("pipeline", s.timeouts.pipeline);
    r.duration("tasks", s.timeouts.tasks);
    r.duration("finally", s.timeouts.finally);
  }
  if (const Node* t = m.get("taskRunTemplate"); t && !t->is_null()) {
    MapReader r(c, *t, field(path, "taskRunTemplate"));
    r.str("serviceAccountName", s.service_account_name);
    r.json("podTemplate", s.pod_template);
  }
  // v1beta1 spellings (also seen in v1 catalog samples) map onto taskRunTemplate and timeouts.
  if (s.service_account_name.empty())
    m.str("serviceAccountName", s.service_account_name);
  else
    m.ignore({"serviceAccountName"});
  if (s.pod_template.is_null())
    m.json("podTemplate", s.pod_template);
  else
    m.ignore({"podTemplate"});
  if (const Node* t = m.get("timeout"); t && !t->is_null() && !s.timeouts.pipeline) {
    s.timeouts.pipeline = read_duration(c, *t, field(path, "timeout"));
  }
  m.reject("resources", "PipelineResources were removed in Tekton v1 and are not supported");
  s.workspaces = decode_workspace_bindings(c, m);
  m.list("taskRunSpecs", [&](const Node& t, const std::string& p, std::size_t) {
    s.task_run_specs.push_back(decode_task_run_spec_override(c, t, p));
  });
  m.reject("serviceAccountNames", "serviceAccountNames was removed; use taskRunSpecs");
  return s;
}

model::TaskRunSpec decode_task_run_spec(const DecodeCtx& c, const Node& n,
                                        const std::string& path) {
  model::TaskRunSpec s;
  MapReader m(c, n, path);
  if (const Node* r = m.get("taskRef"); r && !r->is_null()) {
    s.task_ref = decode_ref(c, *r, field(path, "taskRef"));
  }
  if (const Node* ts = m.get("taskSpec"); ts && !ts->is_null()) {
    s.task_spec = decode_task_spec(c, *ts, field(path, "taskSpec"));
  }
  s.params = decode_params(c, m, "params");
  m.str("serviceAccountName", s.service_account_name);
  m.str("status", s.status);
  m.str("statusMessage", s.status_message);
  if (const Node* r = m.get("retries"); r && !r->is_null()) {
    s.retries = read_int(c, *r, field(path, "retries"), 0, 1000);
  }
  m.duration("timeout", s.timeout);
  m.json("podTemplate", s.pod_template);
  s.workspaces = decode_workspace_bindings(c, m);
  if (c.v1beta1) {
    m.json("stepOverrides", s.step_specs);
    m.json("sidecarOverrides", s.sidecar_specs);
    m.reject("resources", "PipelineResources were removed in Tekton v1 and are not supported");
  } else {
    m.json("stepSpecs", s.step_specs);
    m.json("sidecarSpecs", s.sidecar_specs);
  }
  m.json("computeResources", s.compute_resources);
  m.json("debug", s.debug);
  return s;
}

}  // namespace baton::spec
