#include "engine/sched/invocation.h"

#include <filesystem>

#include "engine/subst/apply.h"
#include "engine/subst/substitute.h"

namespace baton::sched {

namespace {

std::string step_name(const model::Step& s, std::size_t i) {
  return s.name.empty() ? "unnamed-" + std::to_string(i) : s.name;
}

exec::StepInvocation to_step(const model::Container& c, const std::string& name) {
  exec::StepInvocation s;
  s.name = name;
  s.image = c.image;
  s.image_pull_policy = c.image_pull_policy;
  s.command = c.command;
  s.args = c.args;
  s.working_dir = c.working_dir;
  for (const auto& e : c.env) {
    if (!e.value_from.is_null()) continue;  // resolved below when it names a known Secret/CM
    s.env.emplace_back(e.name, e.value);
  }
  s.security_context = c.security_context;
  s.compute_resources = c.compute_resources;
  return s;
}

Status bind_workspaces(const InvocationEnv& env, model::PipelineTask& pt, model::TaskSpec& spec,
                       bool embedded, subst::Context& ctx, exec::TaskInvocation& inv,
                       std::map<std::string, std::string>& volume_dirs) {
  if (embedded) {
    // Tekton propagates workspaces into embedded specs: the run's workspaces reach an embedded
    // taskSpec without a binding, and a bound workspace the spec does not declare is declared
    // implicitly, so `$(workspaces.w.path)` works.
    for (const auto& rb : env.plan->workspaces) {
      bool bound = false;
      for (const auto& b : pt.workspaces) bound = bound || b.name == rb.name;
      if (!bound) pt.workspaces.push_back({rb.name, rb.name, ""});
    }
    for (const auto& b : pt.workspaces) {
      bool declared = false;
      for (const auto& d : spec.workspaces) declared = declared || d.name == b.name;
      if (!declared)
        spec.workspaces.push_back(model::WorkspaceDeclaration{b.name, "", "", false, false});
    }
  }
  for (const auto& decl : spec.workspaces) {
    const model::WorkspacePipelineTaskBinding* binding = nullptr;
    for (const auto& b : pt.workspaces) {
      if (b.name == decl.name) binding = &b;
    }
    const WorkspaceVolume* vol = nullptr;
    if (binding && env.volumes) {
      auto it = env.volumes->find(binding->workspace);
      if (it != env.volumes->end()) vol = &it->second;
    }
    std::string mount = decl.mount_path.empty() ? "/workspace/" + decl.name : decl.mount_path;
    std::string key = "workspaces." + decl.name;
    if (!vol) {
      if (!decl.optional) {
        return Fail("workspace \"" + decl.name +
                    "\" is not bound (bind it in the run's workspaces)");
      }
      ctx.set(key + ".bound", "false");
      ctx.set(key + ".path", "");
      ctx.set(key + ".claim", "");
      ctx.set(key + ".volume", "");
      continue;
    }
    exec::WorkspaceMount m;
    m.name = decl.name;
    m.host_path = vol->host_path;
    if (binding && !binding->sub_path.empty()) m.host_path += "/" + binding->sub_path;
    std::error_code ec;
    std::filesystem::create_directories(m.host_path, ec);  // a subPath is created on first use
    m.mount_path = mount;
    m.read_only = decl.read_only || vol->read_only;
    exec::TaskInvocation::PodVolume pv{vol->volume, vol->source, vol->sub_path};
    if (binding && !binding->sub_path.empty())
      pv.sub_path += (pv.sub_path.empty() ? "" : "/") + binding->sub_path;
    inv.pod_volumes[exec::pod_volume_key(m)] = std::move(pv);
    inv.workspaces.push_back(std::move(m));
    ctx.set(key + ".bound", "true");
    ctx.set(key + ".path", mount);
    ctx.set(key + ".claim", vol->claim);
    ctx.set(key + ".volume", vol->volume);
    volume_dirs[vol->volume] = inv.workspaces.back().host_path;  // for volumeMounts naming it
  }
  return {};
}

Status check_params(const model::TaskSpec& spec, const std::vector<model::Param>& given) {
  for (const auto& p : spec.params) {
    const model::Param* g = nullptr;
    for (const auto& x : given) {
      if (x.name == p.name) g = &x;
    }
    if (!g && !p.default_value) return Fail("missing value for parameter \"" + p.name + "\"");
    if (g && p.type_given && g->value.type != p.type) {
      return Fail("parameter \"" + p.name + "\" is declared " + model::to_string(p.type) +
                  " but got " + model::to_string(g->value.type));
    }
  }
  return {};
}

// Task volumes (spec.volumes and the pod template's): emptyDir is a directory of the attempt,
// secret/configMap are written from loaded objects, hostPath is used as is.
Result<std::map<std::string, std::string>> prepare_volumes(const InvocationEnv& env,
                                                           const model::TaskSpec& spec,
                                                           const exec::TaskInvocation& inv) {
  std::map<std::string, std::string> dirs;
  auto add_volumes = [&](const model::Json& volumes) -> Status {
    if (!volumes.is_array()) return {};
    for (const auto& v : volumes) {
      std::string name = v.value("name", "");
      if (name.empty() || dirs.count(name)) continue;
      std::string dir = inv.work_dir + "/volumes/" + name;
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return Fail("volume \"" + name + "\": cannot create " + dir);
      if (v.contains("hostPath")) {
        dir = v["hostPath"].value("path", dir);
      } else if (v.contains("secret") && env.objects) {
        const auto& sec = v["secret"];
        if (Status st = write_object_files("Secret", sec.value("secretName", ""),
                                           sec.value("items", model::Json()), *env.objects, dir,
                                           sec.value("optional", false), env.secrets);
            !st.ok()) {
          return Fail("volume \"" + name + "\": " + st.error().message);
        }
      } else if (v.contains("configMap") && env.objects) {
        const auto& cm = v["configMap"];
        if (Status st = write_object_files("ConfigMap", cm.value("name", ""),
                                           cm.value("items", model::Json()), *env.objects, dir,
                                           cm.value("optional", false), env.secrets);
            !st.ok()) {
          return Fail("volume \"" + name + "\": " + st.error().message);
        }
      }
      dirs[name] = dir;
    }
    return {};
  };
  if (Status st = add_volumes(spec.volumes); !st.ok()) return st.error();
  if (env.plan->pod_template.is_object() && env.plan->pod_template.contains("volumes")) {
    if (Status st = add_volumes(env.plan->pod_template["volumes"]); !st.ok()) return st.error();
  }
  return dirs;
}

// A step's or sidecar's volumeMounts as mounts of that process only.
Status mount_for(const model::Json& mounts, const std::map<std::string, std::string>& dirs,
                 exec::StepInvocation& si, exec::TaskInvocation& inv) {
  if (!mounts.is_array()) return {};
  for (const auto& m : mounts) {
    std::string name = m.value("name", "");
    std::string path = m.value("mountPath", "");
    auto it = dirs.find(name);
    if (it == dirs.end()) return Fail("volumeMount \"" + name + "\" names no volume of the task");
    if (path.empty()) continue;
    std::string host = it->second;
    if (std::string sub = m.value("subPath", ""); !sub.empty()) host += "/" + sub;
    exec::WorkspaceMount wm;
    wm.name = "volume-" + name;
    wm.host_path = host;
    wm.mount_path = path;
    wm.read_only = m.value("readOnly", false);
    inv.pod_volumes[exec::pod_volume_key(wm)] = {name, nullptr, m.value("subPath", "")};
    si.mounts.push_back(std::move(wm));
  }
  return {};
}

// A sidecar's readiness (or startup) probe, when it is an exec probe.
void set_probe(const model::Sidecar& sc, exec::StepInvocation& si) {
  for (const auto* probe : {&sc.readiness_probe, &sc.startup_probe}) {
    if (!probe->is_object() || !probe->contains("exec")) continue;
    const auto& cmd = (*probe)["exec"].value("command", model::Json::array());
    for (const auto& c : cmd)
      si.ready_command.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    int secs = probe->value("timeoutSeconds", 0) * std::max(1, probe->value("failureThreshold", 3));
    if (secs > 0) si.ready_timeout = std::chrono::seconds(std::max(secs, 30));
    return;
  }
}

// env[].valueFrom secretKeyRef / configMapKeyRef, read from loaded objects.
Status resolve_value_from(const InvocationEnv& env, const model::Container& c,
                          exec::StepInvocation& si) {
  for (const auto& e : c.env) {
    if (e.value_from.is_null()) continue;
    for (const char* kind : {"secretKeyRef", "configMapKeyRef"}) {
      if (!e.value_from.contains(kind)) continue;
      const auto& ref = e.value_from[kind];
      if (!env.objects) return Fail("env " + e.name + ": no objects to read " + kind + " from");
      std::string k = std::string(kind) == "secretKeyRef" ? "Secret" : "ConfigMap";
      auto v = object_value(k, ref.value("name", ""), ref.value("key", ""), *env.objects);
      if (!v.ok()) {
        if (ref.value("optional", false)) continue;
        return Fail("env " + e.name + ": " + v.error().message);
      }
      if (k == "Secret" && env.secrets) env.secrets->push_back(*v);
      si.env.emplace_back(e.name, *v);
    }
  }
  return {};
}

// The run's `baton.dev/runner` annotation, overridden by the pipeline task's taskRunSpecs entry.
std::string runner_for(const RunPlan& plan, const std::string& pipeline_task) {
  std::string runner;
  if (auto it = plan.annotations.find(exec::kRunnerAnnotation); it != plan.annotations.end())
    runner = it->second;
  for (const auto& trs : plan.task_run_specs) {
    if (trs.pipeline_task_name != pipeline_task) continue;
    auto it = trs.metadata.annotations.find(exec::kRunnerAnnotation);
    if (it != trs.metadata.annotations.end()) runner = it->second;
  }
  return runner;
}

}  // namespace

std::string task_run_name(const RunPlan& plan, std::size_t task, int instance) {
  if (plan.kind == "TaskRun") return plan.name;
  std::string n = plan.name + "-" + plan.tasks[task].task.name;
  if (instance >= 0) n += "-" + std::to_string(instance);
  return n;
}

Result<std::vector<std::vector<model::Param>>> matrix_combinations(const model::Matrix& matrix,
                                                                   const subst::Context& values) {
  std::vector<std::vector<model::Param>> combos{{}};
  for (const auto& p : matrix.params) {
    auto v = subst::substitute_value(p.value, values);
    if (!v.ok()) return v.error();
    if (v->type != model::ValueType::kArray) {
      return Fail("matrix param \"" + p.name + "\" must be an array");
    }
    std::vector<std::vector<model::Param>> next;
    for (const auto& c : combos) {
      for (const auto& item : v->arr) {
        auto n = c;
        n.push_back({p.name, model::ParamValue::of_string(item)});
        next.push_back(std::move(n));
      }
    }
    combos = std::move(next);
  }
  if (matrix.params.empty()) combos.clear();
  for (const auto& inc : matrix.include) {
    std::vector<model::Param> params;
    for (const auto& p : inc.params) {
      auto v = subst::substitute_value(p.value, values);
      if (!v.ok()) return v.error();
      params.push_back({p.name, *v});
    }
    // An include whose params all name matrix params adds to the matching combinations;
    // otherwise it is a combination of its own (Tekton's matrix include semantics).
    bool added = false;
    for (auto& c : combos) {
      bool matches = true, extends = false;
      for (const auto& ip : params) {
        bool found = false;
        for (const auto& cp : c) {
          if (cp.name == ip.name) {
            found = true;
            matches = matches && cp.value == ip.value;
          }
        }
        extends = extends || !found;
      }
      if (matches && extends) {
        for (const auto& ip : params) {
          bool found = false;
          for (const auto& cp : c) found = found || cp.name == ip.name;
          if (!found) c.push_back(ip);
        }
        added = true;
      }
    }
    if (!added) combos.push_back(params);
  }
  return combos;
}

Result<BuiltInvocation> build_invocation(const InvocationEnv& env, std::size_t task, int instance,
                                         const std::vector<model::Param>& matrix_params,
                                         int attempt, const subst::Context& values) {
  const RunPlan& plan = *env.plan;
  const PlannedTask& planned = plan.tasks[task];
  if (!planned.spec) return Fail(planned.resolve_error, "resolve");
  model::PipelineTask pt = planned.task;
  bool embedded = pt.task_spec.has_value();  // taskSpec in a pipeline task or a TaskRun
  if (embedded) pt.task_spec = planned.spec;
  if (Status st = subst::apply_to_pipeline_task(pt, values); !st.ok()) return st.error();
  model::TaskSpec spec = embedded ? *pt.task_spec : *planned.spec;

  std::vector<model::Param> given = pt.params;
  for (const auto& mp : matrix_params) {
    std::erase_if(given, [&](const model::Param& p) { return p.name == mp.name; });
    given.push_back(mp);
  }
  if (Status st = check_params(spec, given); !st.ok()) return st.error();

  BuiltInvocation out;
  exec::TaskInvocation& inv = out.inv;
  inv.run_id = env.run_uid;
  inv.task_run_name = task_run_name(plan, task, instance);
  inv.attempt = attempt;
  inv.work_dir = env.run_dir + "/" + inv.task_run_name + "/attempt-" + std::to_string(attempt);
  inv.timeout = pt.timeout;
  if (inv.timeout && inv.timeout->count() == 0) inv.timeout.reset();  // 0 means no timeout
  inv.service_account_name = plan.service_account_name;
  inv.namespace_ = plan.namespace_;
  inv.pod_template = plan.pod_template;
  for (const auto& trs : plan.task_run_specs) {  // taskRunSpecs override the run's defaults
    if (trs.pipeline_task_name != pt.name) continue;
    if (!trs.service_account_name.empty()) inv.service_account_name = trs.service_account_name;
    if (trs.pod_template.is_object()) inv.pod_template = trs.pod_template;
  }
  inv.runner = runner_for(plan, pt.name);

  subst::Context ctx;
  ctx.set_params(spec.params, given);
  for (const auto& p : spec.params) {
    // Tekton still accepts the pre-v1 spelling $(inputs.params.x).
    if (const model::ParamValue* v = ctx.find("params." + p.name))
      ctx.set("inputs.params." + p.name, *v);
  }
  ctx.set("context.taskRun.name", inv.task_run_name);
  ctx.set("context.taskRun.namespace", plan.namespace_);
  ctx.set("context.taskRun.uid", env.run_uid + "-" + inv.task_run_name);
  ctx.set("context.task.name",
          pt.task_ref && !pt.task_ref->name.empty() ? pt.task_ref->name : pt.name);
  ctx.set("context.task.retry-count", std::to_string(attempt));
  ctx.set("context.pipelineRun.name", plan.name);
  ctx.set("context.pipelineRun.namespace", plan.namespace_);
  ctx.set("context.pipelineRun.uid", env.run_uid);
  ctx.set("context.pipeline.name", plan.pipeline_name);
  ctx.set("context.pipelineTask.retries", std::to_string(pt.retries));
  ctx.set("credentials.path", "/tekton/creds");
  for (const auto& r : spec.results) {
    ctx.set("results." + r.name + ".path", "/tekton/results/" + r.name);
    out.result_types[r.name] = r.type;
    inv.result_names.push_back(r.name);
  }
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    std::string n = step_name(spec.steps[i], i);
    ctx.set("steps." + n + ".exitCode.path", "/tekton/steps/step-" + n + "/exitCode");
    ctx.set("steps.step-" + n + ".exitCode.path", "/tekton/steps/step-" + n + "/exitCode");
  }
  std::map<std::string, std::string> workspace_volumes;
  if (Status st = bind_workspaces(env, pt, spec, embedded, ctx, inv, workspace_volumes); !st.ok()) {
    return st.error();
  }
  if (Status st = subst::apply_to_task_spec(spec, ctx); !st.ok()) return st.error();
  if (Status st = resolve::inline_step_actions(spec, planned.step_actions); !st.ok())
    return st.error();
  inv.volumes = spec.volumes.is_array() ? spec.volumes : model::Json::array();
  if (inv.pod_template.is_object() && inv.pod_template.contains("volumes")) {
    for (const auto& v : inv.pod_template["volumes"]) inv.volumes.push_back(v);
  }
  auto volume_dirs = prepare_volumes(env, spec, inv);
  if (!volume_dirs.ok()) return volume_dirs.error();
  volume_dirs->insert(workspace_volumes.begin(), workspace_volumes.end());

  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    const model::Step& s = spec.steps[i];
    std::string name = step_name(s, i);
    exec::StepInvocation si = to_step(s, name);
    if (Status st = resolve_value_from(env, s, si); !st.ok()) return st.error();
    if (Status st = mount_for(s.volume_mounts, *volume_dirs, si, inv); !st.ok()) return st.error();
    si.script = s.script;
    si.timeout = s.timeout;
    si.on_error = s.on_error;
    si.stdout_path = s.stdout_path;
    si.stderr_path = s.stderr_path;
    for (const auto& r : s.results) si.result_names.push_back(r.name);
    // `$(step.results.R.path)` is step-specific: a second, step-local pass.
    if (!s.results.empty()) {
      subst::Context step_ctx;
      for (const auto& r : s.results) {
        step_ctx.set("step.results." + r.name + ".path",
                     "/tekton/steps/step-" + name + "/results/" + r.name);
      }
      auto script = subst::substitute_string(si.script, step_ctx);
      auto args = subst::substitute_array(si.args, step_ctx);
      auto cmd = subst::substitute_array(si.command, step_ctx);
      if (!script.ok() || !args.ok() || !cmd.ok())
        return Fail("steps[" + std::to_string(i) + "]: bad step result reference");
      si.script = *script;
      si.args = *args;
      si.command = *cmd;
    }
    out.images.push_back(si.image);
    inv.steps.push_back(std::move(si));
  }
  for (std::size_t i = 0; i < spec.sidecars.size(); ++i) {
    const model::Sidecar& sc = spec.sidecars[i];
    exec::StepInvocation si =
        to_step(sc, sc.name.empty() ? "sidecar-" + std::to_string(i) : sc.name);
    if (Status st = resolve_value_from(env, sc, si); !st.ok()) return st.error();
    if (Status st = mount_for(sc.volume_mounts, *volume_dirs, si, inv); !st.ok()) return st.error();
    set_probe(sc, si);
    si.script = sc.script;
    out.images.push_back(si.image);
    inv.sidecars.push_back(std::move(si));
  }
  return out;
}

}  // namespace baton::sched
