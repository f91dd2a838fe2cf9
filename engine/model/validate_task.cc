// Task and StepAction validation: steps, sidecars, params, results, workspaces and references.

#include "engine/model/validate_util.h"

namespace baton::model {

namespace vdetail {

namespace {

constexpr const char* kDnsLabelRule =
    "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a "
    "letter or digit, at most 63 characters)";

void check_env_refs(Sink& sink, const std::vector<EnvVar>& env, const std::string& path,
                    const RefScope& scope) {
  for (std::size_t i = 0; i < env.size(); ++i) {
    if (env[i].value.find("$(") != std::string::npos) {
      check_refs(sink, env[i].value, at(at(path, i), "value"), scope);
    }
    if (!env[i].value_from.is_null()) {
      check_json_refs(sink, env[i].value_from, at(at(path, i), "valueFrom"), scope);
    }
  }
}

void check_container_refs(Sink& sink, const Container& k, const std::string& p,
                          const RefScope& scope) {
  check_refs(sink, k.image, at(p, "image"), scope);
  check_refs(sink, k.command, at(p, "command"), scope);
  check_refs(sink, k.args, at(p, "args"), scope);
  check_refs(sink, k.working_dir, at(p, "workingDir"), scope);
  check_env_refs(sink, k.env, at(p, "env"), scope);
  if (!k.env_from.is_null()) check_json_refs(sink, k.env_from, at(p, "envFrom"), scope);
  if (!k.volume_mounts.is_null())
    check_json_refs(sink, k.volume_mounts, at(p, "volumeMounts"), scope);
}

void check_workspace_usages(Sink& sink, const std::vector<WorkspaceUsage>& used,
                            const std::string& path, const NameSet& declared) {
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (used[i].name.empty() || declared.contains(used[i].name)) continue;
    sink.error(at(at(path, i), "name"), "unknown workspace " + in_quotes(used[i].name) +
                                            did_you_mean(used[i].name, declared.all_names()) +
                                            "; declare it in the Task's workspaces");
  }
}

void check_step(Sink& sink, const Step& s, const std::string& sp, bool template_image,
                const NameSet& workspaces, const RefScope& scope) {
  if (!s.name.empty() && !is_dns_label(s.name)) {
    sink.error(at(sp, "name"), "invalid step name " + in_quotes(s.name) + ": " + kDnsLabelRule);
  }
  if (s.ref) {
    // A StepAction supplies these; Tekton rejects a step that also sets them.
    const std::pair<const char*, bool> forbidden[] = {
        {"image", !s.image.empty()},
        {"command", !s.command.empty()},
        {"args", !s.args.empty()},
        {"script", !s.script.empty()},
        {"env", !s.env.empty()},
        {"volumeMounts", !s.volume_mounts.is_null() && !s.volume_mounts.empty()},
        {"results", !s.results.empty()}};
    for (const auto& [field, set] : forbidden) {
      if (set) {
        sink.error(at(sp, field), std::string("a step with ref cannot set ") + field +
                                      ": the StepAction provides it; remove " + field +
                                      " or the ref");
      }
    }
    if (s.ref->name.empty() && s.ref->resolver.empty()) {
      sink.error(at(sp, "ref"), "ref needs a name (of a StepAction) or a resolver");
    }
  } else {
    if (s.image.empty() && !template_image) {
      sink.error(at(sp, "image"),
                 "missing required field: every step needs an image (or set stepTemplate.image)");
    }
    if (!s.params.empty()) {
      sink.error(at(sp, "params"),
                 "params can only be given to a step with ref (a StepAction); "
                 "use $(params.…) of the Task instead");
    }
  }
  if (!s.script.empty() && !s.command.empty()) {
    sink.error(at(sp, "script"),
               "script cannot be used together with command; move the command into the script");
  }
  if (!s.on_error.empty() && s.on_error != "continue" && s.on_error != "stopAndFail" &&
      !is_param_ref(s.on_error)) {
    sink.error(at(sp, "onError"), "invalid onError " + in_quotes(s.on_error) +
                                      ": must be \"continue\" or \"stopAndFail\"" +
                                      did_you_mean(s.on_error, {"continue", "stopAndFail"}));
  }
  check_workspace_usages(sink, s.workspaces, at(sp, "workspaces"), workspaces);
  check_result_specs(sink, s.results, at(sp, "results"));
  check_param_values(sink, s.params, at(sp, "params"));
  check_container_refs(sink, s, sp, scope);
  check_refs(sink, s.script, at(sp, "script"), scope);
  check_refs(sink, s.on_error, at(sp, "onError"), scope);
  check_refs(sink, s.stdout_path, at(at(sp, "stdoutConfig"), "path"), scope);
  check_refs(sink, s.stderr_path, at(at(sp, "stderrConfig"), "path"), scope);
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    const ParamValue& v = s.params[i].value;
    const std::string vp = at(at(at(sp, "params"), i), "value");
    check_refs(sink, v.str, vp, scope);
    check_refs(sink, v.arr, vp, scope);
    for (const auto& [k, val] : v.obj) check_refs(sink, val, at(vp, k), scope);
  }
}

void check_sidecar(Sink& sink, const Sidecar& s, const std::string& sp, const NameSet& workspaces,
                   const RefScope& scope) {
  if (!s.name.empty() && !is_dns_label(s.name)) {
    sink.error(at(sp, "name"), "invalid sidecar name " + in_quotes(s.name) + ": " + kDnsLabelRule);
  }
  if (s.image.empty())
    sink.error(at(sp, "image"), "missing required field: a sidecar needs an image");
  if (!s.script.empty() && !s.command.empty()) {
    sink.error(at(sp, "script"),
               "script cannot be used together with command; move the command into the script");
  }
  check_workspace_usages(sink, s.workspaces, at(sp, "workspaces"), workspaces);
  check_container_refs(sink, s, sp, scope);
  check_refs(sink, s.script, at(sp, "script"), scope);
}

}  // namespace

void check_task_spec(Sink& sink, const TaskSpec& spec, const std::string& path,
                     const ValidationLimits& limits, const RefScope& inherited) {
  ParamScope params;
  params.add(spec.params);
  params.parent = inherited.params;
  NameSet workspaces, results;
  for (const auto& w : spec.workspaces) workspaces.names.insert(w.name);
  workspaces.parent = inherited.workspaces;
  for (const auto& r : spec.results) results.names.insert(r.name);
  // `$(workspaces.…)` in steps is not checked: Tekton's webhook does not either, and real
  // catalog samples reference undeclared workspaces (they stay literal at run time).
  const RefScope scope{&params, nullptr, &results};

  check_param_specs(sink, spec.params, at(path, "params"));
  check_result_specs(sink, spec.results, at(path, "results"));
  const std::string ws_path = at(path, "workspaces");
  UniqueNames ws_names("workspace");
  for (std::size_t i = 0; i < spec.workspaces.size(); ++i) {
    ws_names.add(sink, spec.workspaces[i].name, ws_path, i);
  }

  const std::string steps_path = at(path, "steps");
  if (spec.steps.empty()) sink.error(steps_path, "a Task needs at least one step");
  if (spec.steps.size() > limits.max_steps) {
    sink.error(steps_path, "too many steps: " + std::to_string(spec.steps.size()) +
                               " (the limit is " + std::to_string(limits.max_steps) + ")");
  }
  const bool template_image = spec.step_template && !spec.step_template->image.empty();
  UniqueNames step_names("step");
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    step_names.add(sink, spec.steps[i].name, steps_path, i);
    check_step(sink, spec.steps[i], at(steps_path, i), template_image, workspaces, scope);
  }
  if (spec.step_template)
    check_container_refs(sink, *spec.step_template, at(path, "stepTemplate"), scope);

  const std::string sidecars_path = at(path, "sidecars");
  UniqueNames sidecar_names("sidecar");
  for (std::size_t i = 0; i < spec.sidecars.size(); ++i) {
    sidecar_names.add(sink, spec.sidecars[i].name, sidecars_path, i);
    check_sidecar(sink, spec.sidecars[i], at(sidecars_path, i), workspaces, scope);
  }
  if (!spec.volumes.is_null()) check_json_refs(sink, spec.volumes, at(path, "volumes"), scope);
}

}  // namespace vdetail

Diagnostics validate_task(const Task& task, const ValidationLimits& limits) {
  Diagnostics out;
  vdetail::Sink sink(task.origin, out);
  vdetail::check_object_name(sink, task.metadata, false);
  vdetail::check_task_spec(sink, task.spec, "spec", limits, {});
  return out;
}

Diagnostics validate_step_action(const StepAction& action) {
  using namespace vdetail;
  Diagnostics out;
  Sink sink(action.origin, out);
  check_object_name(sink, action.metadata, false);
  const StepActionSpec& s = action.spec;
  check_param_specs(sink, s.params, "spec.params");
  check_result_specs(sink, s.results, "spec.results");
  if (s.image.empty())
    sink.error("spec.image", "missing required field: a StepAction needs an image");
  if (!s.script.empty() && !s.command.empty()) {
    sink.error("spec.script",
               "script cannot be used together with command; move the command into the script");
  }
  ParamScope params;
  params.add(s.params);
  const RefScope scope{&params, nullptr, nullptr};
  check_refs(sink, s.image, "spec.image", scope);
  check_refs(sink, s.command, "spec.command", scope);
  check_refs(sink, s.args, "spec.args", scope);
  check_refs(sink, s.script, "spec.script", scope);
  check_refs(sink, s.working_dir, "spec.workingDir", scope);
  check_env_refs(sink, s.env, "spec.env", scope);
  return out;
}

}  // namespace baton::model
