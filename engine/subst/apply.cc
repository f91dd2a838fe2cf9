#include "engine/subst/apply.h"

#include <string>

#include "engine/subst/substitute.h"

namespace baton::subst {
namespace {

// Prefixes an error with the field it came from, so users can find the bad reference.
Error at(const std::string& path, const Error& e) {
  Error out = e;
  out.message = path + ": " + e.message;
  return out;
}

Status apply_string(std::string& s, const std::string& path, const Context& ctx) {
  if (s.find("$(") == std::string::npos) return {};
  Result<std::string> r = substitute_string(s, ctx);
  if (!r) return at(path, r.error());
  s = std::move(*r);
  return {};
}

Status apply_array(std::vector<std::string>& items, const std::string& path, const Context& ctx) {
  Result<std::vector<std::string>> r = substitute_array(items, ctx);
  if (!r) return at(path, r.error());
  items = std::move(*r);
  return {};
}

Status apply_json(model::Json& j, const std::string& path, const Context& ctx) {
  if (j.is_string()) {
    // nlohmann stores the string itself; substituting in place keeps the JSON type.
    return apply_string(j.get_ref<std::string&>(), path, ctx);
  }
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (Status s = apply_json(j[i], path + "[" + std::to_string(i) + "]", ctx); !s) return s;
    }
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (Status s = apply_json(it.value(), path + "." + it.key(), ctx); !s) return s;
    }
  }
  return {};
}

Status apply_container(model::Container& c, const std::string& path, const Context& ctx) {
  Status s;
  if (!(s = apply_string(c.name, path + ".name", ctx))) return s;
  if (!(s = apply_string(c.image, path + ".image", ctx))) return s;
  if (!(s = apply_string(c.image_pull_policy, path + ".imagePullPolicy", ctx))) return s;
  if (!(s = apply_array(c.command, path + ".command", ctx))) return s;
  if (!(s = apply_array(c.args, path + ".args", ctx))) return s;
  if (!(s = apply_string(c.working_dir, path + ".workingDir", ctx))) return s;
  for (std::size_t i = 0; i < c.env.size(); ++i) {
    std::string p = path + ".env[" + std::to_string(i) + "]";
    if (!(s = apply_string(c.env[i].value, p + ".value", ctx))) return s;
    if (!(s = apply_json(c.env[i].value_from, p + ".valueFrom", ctx))) return s;
  }
  if (!(s = apply_json(c.env_from, path + ".envFrom", ctx))) return s;
  return apply_json(c.volume_mounts, path + ".volumeMounts", ctx);
}

Status apply_when(std::vector<model::WhenExpression>& when, const std::string& path,
                  const Context& ctx) {
  Status s;
  for (std::size_t i = 0; i < when.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    if (!(s = apply_string(when[i].input, p + ".input", ctx))) return s;
    if (!(s = apply_array(when[i].values, p + ".values", ctx))) return s;
    if (!(s = apply_string(when[i].cel, p + ".cel", ctx))) return s;
  }
  return s;
}

Status apply_params(std::vector<model::Param>& params, const std::string& path,
                    const Context& ctx) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    Result<model::ParamValue> v = substitute_value(params[i].value, ctx);
    if (!v) return at(path + "[" + std::to_string(i) + "].value", v.error());
    params[i].value = std::move(*v);
  }
  return {};
}

Status apply_step(model::Step& step, const std::string& path, const Context& ctx) {
  Status s;
  if (!(s = apply_container(step, path, ctx))) return s;
  if (!(s = apply_string(step.script, path + ".script", ctx))) return s;
  if (!(s = apply_string(step.on_error, path + ".onError", ctx))) return s;
  if (!(s = apply_string(step.stdout_path, path + ".stdoutConfig.path", ctx))) return s;
  if (!(s = apply_string(step.stderr_path, path + ".stderrConfig.path", ctx))) return s;
  if (!(s = apply_when(step.when, path + ".when", ctx))) return s;
  return apply_params(step.params, path + ".params", ctx);
}

}  // namespace

Status apply_to_pipeline_task(model::PipelineTask& task, const Context& ctx) {
  Status s;
  if (!(s = apply_params(task.params, "params", ctx))) return s;
  if (task.matrix) {
    if (!(s = apply_params(task.matrix->params, "matrix.params", ctx))) return s;
    for (std::size_t i = 0; i < task.matrix->include.size(); ++i) {
      std::string p = "matrix.include[" + std::to_string(i) + "].params";
      if (!(s = apply_params(task.matrix->include[i].params, p, ctx))) return s;
    }
  }
  if (!(s = apply_string(task.display_name, "displayName", ctx))) return s;
  for (std::size_t i = 0; i < task.workspaces.size(); ++i) {
    std::string p = "workspaces[" + std::to_string(i) + "].subPath";
    if (!(s = apply_string(task.workspaces[i].sub_path, p, ctx))) return s;
  }
  if (!(s = apply_when(task.when, "when", ctx))) return s;
  if (task.task_ref) {
    if (!(s = apply_string(task.task_ref->name, "taskRef.name", ctx))) return s;
    if (!(s = apply_params(task.task_ref->params, "taskRef.params", ctx))) return s;
  }
  if (!(s = apply_string(task.on_error, "onError", ctx))) return s;
  if (task.task_spec) {
    std::vector<std::string> own;
    for (const model::ParamSpec& p : task.task_spec->params) own.push_back(p.name);
    // Not `own.empty() ? ctx : ctx.without_params(own)`: the conditional would copy `ctx`
    // (it holds every task result so far) for every task, quadratic in pipeline size.
    Status st = own.empty() ? apply_to_task_spec(*task.task_spec, ctx)
                            : apply_to_task_spec(*task.task_spec, ctx.without_params(own));
    if (!st) return at("taskSpec", st.error());
  }
  return s;
}

Status apply_to_json(model::Json& j, const Context& ctx) { return apply_json(j, "", ctx); }

Status apply_to_task_spec(model::TaskSpec& spec, const Context& ctx) {
  Status s;
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    if (!(s = apply_step(spec.steps[i], "steps[" + std::to_string(i) + "]", ctx))) return s;
  }
  if (spec.step_template) {
    if (!(s = apply_container(*spec.step_template, "stepTemplate", ctx))) return s;
    if (!(s = apply_json(spec.step_template->compute_resources, "stepTemplate.computeResources",
                         ctx)))
      return s;
  }
  for (std::size_t i = 0; i < spec.sidecars.size(); ++i) {
    std::string p = "sidecars[" + std::to_string(i) + "]";
    if (!(s = apply_container(spec.sidecars[i], p, ctx))) return s;
    if (!(s = apply_string(spec.sidecars[i].script, p + ".script", ctx))) return s;
  }
  if (!(s = apply_json(spec.volumes, "volumes", ctx))) return s;
  for (std::size_t i = 0; i < spec.workspaces.size(); ++i) {
    std::string p = "workspaces[" + std::to_string(i) + "].mountPath";
    if (!(s = apply_string(spec.workspaces[i].mount_path, p, ctx))) return s;
  }
  return s;
}

}  // namespace baton::subst
