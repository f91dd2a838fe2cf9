#include "engine/sched/invocation.h"

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

Status bind_workspaces(const InvocationEnv& env, const model::PipelineTask& pt,
                       const model::TaskSpec& spec, subst::Context& ctx,
                       exec::TaskInvocation& inv) {
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
        return Fail("workspace \"" + decl.name + "\" is not bound (bind it in the run's workspaces)");
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
    m.mount_path = mount;
    m.read_only = decl.read_only || vol->read_only;
    inv.workspaces.push_back(std::move(m));
    ctx.set(key + ".bound", "true");
    ctx.set(key + ".path", mount);
    ctx.set(key + ".claim", vol->claim);
    ctx.set(key + ".volume", vol->volume);
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
  bool embedded = pt.task_spec.has_value();
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

  subst::Context ctx;
  ctx.set_params(spec.params, given);
  ctx.set("context.taskRun.name", inv.task_run_name);
  ctx.set("context.taskRun.namespace", plan.namespace_);
  ctx.set("context.taskRun.uid", env.run_uid + "-" + inv.task_run_name);
  ctx.set("context.task.name", pt.task_ref && !pt.task_ref->name.empty() ? pt.task_ref->name : pt.name);
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
  if (Status st = bind_workspaces(env, pt, spec, ctx, inv); !st.ok()) return st.error();
  if (Status st = subst::apply_to_task_spec(spec, ctx); !st.ok()) return st.error();

  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    const model::Step& s = spec.steps[i];
    std::string name = step_name(s, i);
    exec::StepInvocation si = to_step(s, name);
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
        step_ctx.set("step.results." + r.name + ".path", "/tekton/steps/step-" + name + "/results/" + r.name);
      }
      auto script = subst::substitute_string(si.script, step_ctx);
      auto args = subst::substitute_array(si.args, step_ctx);
      auto cmd = subst::substitute_array(si.command, step_ctx);
      if (!script.ok() || !args.ok() || !cmd.ok()) return Fail("steps[" + std::to_string(i) + "]: bad step result reference");
      si.script = *script;
      si.args = *args;
      si.command = *cmd;
    }
    out.images.push_back(si.image);
    inv.steps.push_back(std::move(si));
  }
  for (std::size_t i = 0; i < spec.sidecars.size(); ++i) {
    const model::Sidecar& sc = spec.sidecars[i];
    exec::StepInvocation si = to_step(sc, sc.name.empty() ? "sidecar-" + std::to_string(i) : sc.name);
    si.script = sc.script;
    out.images.push_back(si.image);
    inv.sidecars.push_back(std::move(si));
  }
  return out;
}

}  // namespace baton::sched
