// PipelineRun and TaskRun validation: what to run, params and workspaces the run must supply,
// workspace volume sources, timeouts and status.

#include "engine/model/validate_util.h"

namespace baton::model {

namespace vdetail {

namespace {

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  const std::pair<long long, const char*> units[] = {
      {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [size, unit] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + unit;
      ms %= size;
    }
  }
  return out;
}

void check_bindings(Sink& sink, const std::vector<WorkspaceBinding>& bindings,
                    const std::string& list) {
  UniqueNames names("workspace binding");
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    const WorkspaceBinding& b = bindings[i];
    names.add(sink, b.name, list, i);
    const std::pair<const char*, const Json*> sources[] = {
        {"emptyDir", &b.empty_dir},
        {"persistentVolumeClaim", &b.persistent_volume_claim},
        {"volumeClaimTemplate", &b.volume_claim_template},
        {"configMap", &b.config_map},
        {"secret", &b.secret},
        {"projected", &b.projected},
        {"csi", &b.csi}};
    std::string set;
    int count = 0;
    for (const auto& [field, value] : sources) {
      if (value->is_null()) continue;
      set += (count++ ? ", " : "") + std::string(field);
    }
    if (count == 0) {
      sink.error(at(list, i), "workspace binding " + in_quotes(b.name) +
                                  " needs a volume source: one of emptyDir, persistentVolumeClaim, "
                                  "volumeClaimTemplate, configMap, secret, projected, csi");
    } else if (count > 1) {
      sink.error(at(list, i), "workspace binding " + in_quotes(b.name) + " sets " +
                                  std::to_string(count) + " volume sources (" + set +
                                  "); set exactly one");
    }
  }
}

void check_bound(Sink& sink, const std::vector<WorkspaceBinding>& bindings, const std::string& name,
                 bool optional, const std::string& what) {
  if (optional || name.empty()) return;
  for (const auto& b : bindings) {
    if (b.name == name) return;
  }
  sink.error("spec.workspaces", "missing workspace binding " + in_quotes(name) + " required by " +
                                    what + "; bind it, e.g. {name: " + name + ", emptyDir: {}}");
}

void check_param_types(Sink& sink, const std::vector<ParamSpec>& declared,
                       const std::vector<Param>& given) {
  for (std::size_t i = 0; i < given.size(); ++i) {
    for (const auto& d : declared) {
      if (d.name != given[i].name || d.type == given[i].value.type) continue;
      sink.error(at(at("spec.params", i), "value"),
                 "param " + in_quotes(d.name) + " is declared as " + to_string(d.type) +
                     " but given a value of type " + to_string(given[i].value.type));
    }
  }
}

void check_timeouts(Sink& sink, const Timeouts& t, const PipelineSpec* ps, bool inline_spec) {
  if (!t.pipeline || t.pipeline->count() == 0) return;  // 0: no pipeline timeout, anything fits
  const std::string pipeline = format_duration(*t.pipeline);
  for (const auto& [field, value] :
       {std::pair{"tasks", &t.tasks}, std::pair{"finally", &t.finally}}) {
    if (!*value) continue;
    if ((*value)->count() == 0) {
      sink.error(at("spec.timeouts", field),
                 std::string("timeouts.") + field + " is 0 (no timeout) but timeouts.pipeline is " +
                     pipeline + "; it must fit within the pipeline timeout");
    } else if (**value > *t.pipeline) {
      sink.error(at("spec.timeouts", field), std::string("timeouts.") + field + " (" +
                                                 format_duration(**value) +
                                                 ") exceeds timeouts.pipeline (" + pipeline + ")");
    }
  }
  if (t.tasks && t.finally && *t.tasks + *t.finally > *t.pipeline) {
    sink.error("spec.timeouts", "timeouts.tasks + timeouts.finally (" +
                                    format_duration(*t.tasks + *t.finally) +
                                    ") exceed timeouts.pipeline (" + pipeline + ")");
  }
  if (!ps) return;
  // A pipeline task's own timeout must fit in the time its section has.
  for (const auto& [list, section, key] : {std::tuple{&ps->tasks, &t.tasks, "tasks"},
                                           std::tuple{&ps->finally, &t.finally, "finally"}}) {
    const Duration limit = *section ? **section : *t.pipeline;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const PipelineTask& pt = (*list)[i];
      if (!pt.timeout || *pt.timeout <= limit) continue;
      sink.error(inline_spec ? at(at(at("spec.pipelineSpec", key), i), "timeout") : "spec.timeouts",
                 "timeout of task " + in_quotes(pt.name) + " (" + format_duration(*pt.timeout) +
                     ") exceeds the " + (*section ? std::string("timeouts.") + key : "pipeline") +
                     " timeout of the run (" + format_duration(limit) + ")");
    }
  }
}

const char* const kPipelineRunStatuses[] = {"Cancelled", "CancelledRunFinally", "StoppedRunFinally",
                                            "PipelineRunPending"};

}  // namespace

void check_pipeline_run(Sink& sink, const PipelineRun& run, const ObjectSet* set,
                        const TaskLookup& lookup, const ValidationLimits& limits) {
  const PipelineRunSpec& s = run.spec;
  check_object_name(sink, run.metadata, true);
  if (s.pipeline_ref && s.pipeline_spec) {
    sink.error("spec.pipelineSpec", "set exactly one of pipelineRef and pipelineSpec, not both");
  } else if (!s.pipeline_ref && !s.pipeline_spec) {
    sink.error("spec",
               "missing pipelineRef or pipelineSpec: a PipelineRun needs exactly one of them");
  } else if (s.pipeline_ref && s.pipeline_ref->name.empty() && s.pipeline_ref->resolver.empty()) {
    sink.error("spec.pipelineRef", "pipelineRef needs a name (of a Pipeline) or a resolver");
  }
  if (!s.status.empty()) {
    std::vector<std::string> valid(std::begin(kPipelineRunStatuses),
                                   std::end(kPipelineRunStatuses));
    if (std::find(valid.begin(), valid.end(), s.status) == valid.end()) {
      sink.error("spec.status", "invalid status " + in_quotes(s.status) +
                                    ": must be one of Cancelled, CancelledRunFinally, "
                                    "StoppedRunFinally, PipelineRunPending" +
                                    did_you_mean(s.status, valid));
    }
  }
  check_param_values(sink, s.params, "spec.params");
  check_bindings(sink, s.workspaces, "spec.workspaces");

  const PipelineSpec* ps = s.pipeline_spec ? &*s.pipeline_spec : nullptr;
  if (!ps && s.pipeline_ref && s.pipeline_ref->resolver.empty() && set) {
    if (const Pipeline* p = set->find_pipeline(s.pipeline_ref->name)) ps = &p->spec;
  }
  check_timeouts(sink, s.timeouts, ps, s.pipeline_spec.has_value());
  if (!ps) return;
  check_required_params(sink, ps->params, {&s.params}, "spec.params", "the pipeline");
  check_param_types(sink, ps->params, s.params);
  for (const auto& w : ps->workspaces)
    check_bound(sink, s.workspaces, w.name, w.optional, "the pipeline");
  std::unordered_set<std::string_view> task_names;
  std::vector<std::string> all;
  for (const auto* list : {&ps->tasks, &ps->finally}) {
    for (const auto& t : *list) {
      task_names.insert(t.name);
      all.push_back(t.name);
    }
  }
  for (std::size_t i = 0; i < s.task_run_specs.size(); ++i) {
    const std::string& name = s.task_run_specs[i].pipeline_task_name;
    if (task_names.count(name)) continue;
    sink.error(at(at("spec.taskRunSpecs", i), "pipelineTaskName"),
               "unknown pipeline task " + in_quotes(name) + did_you_mean(name, all));
  }
  if (s.pipeline_spec) {
    // Inline specs see the run's params and workspaces without declaring them (propagation).
    ParamScope params;
    params.add(s.params);
    NameSet workspaces;
    for (const auto& b : s.workspaces) workspaces.names.insert(b.name);
    check_pipeline_spec(sink, *s.pipeline_spec, "spec.pipelineSpec", lookup, limits,
                        RefScope{&params, &workspaces, nullptr});
  }
}

void check_task_run(Sink& sink, const TaskRun& run, const TaskLookup& lookup,
                    const ValidationLimits& limits) {
  const TaskRunSpec& s = run.spec;
  check_object_name(sink, run.metadata, true);
  if (s.task_ref && s.task_spec) {
    sink.error("spec.taskSpec", "set exactly one of taskRef and taskSpec, not both");
  } else if (!s.task_ref && !s.task_spec) {
    sink.error("spec", "missing taskRef or taskSpec: a TaskRun needs exactly one of them");
  } else if (s.task_ref && s.task_ref->name.empty() && s.task_ref->resolver.empty()) {
    sink.error("spec.taskRef", "taskRef needs a name (of a Task) or a resolver");
  }
  if (!s.status.empty() && s.status != "TaskRunCancelled") {
    sink.error("spec.status",
               "invalid status " + in_quotes(s.status) + ": must be \"TaskRunCancelled\"");
  }
  check_param_values(sink, s.params, "spec.params");
  check_bindings(sink, s.workspaces, "spec.workspaces");
  const TaskSpec* ts = lookup.find(s.task_spec, s.task_ref);
  if (!ts) return;
  check_required_params(sink, ts->params, {&s.params}, "spec.params", "the task");
  check_param_types(sink, ts->params, s.params);
  for (const auto& w : ts->workspaces)
    check_bound(sink, s.workspaces, w.name, w.optional, "the task");
  if (s.task_spec) {
    ParamScope params;
    params.add(s.params);
    NameSet workspaces;
    for (const auto& b : s.workspaces) workspaces.names.insert(b.name);
    check_task_spec(sink, *s.task_spec, "spec.taskSpec", limits,
                    RefScope{&params, &workspaces, nullptr});
  }
}

}  // namespace vdetail

Diagnostics validate_pipeline_run(const PipelineRun& run, const ObjectSet* context,
                                  const ValidationLimits& limits) {
  Diagnostics out;
  vdetail::Sink sink(run.origin, out);
  vdetail::check_pipeline_run(sink, run, context, vdetail::TaskLookup(context), limits);
  return out;
}

Diagnostics validate_task_run(const TaskRun& run, const ObjectSet* context,
                              const ValidationLimits& limits) {
  Diagnostics out;
  vdetail::Sink sink(run.origin, out);
  vdetail::check_task_run(sink, run, vdetail::TaskLookup(context), limits);
  return out;
}

}  // namespace baton::model
