// Pipeline validation: pipeline tasks, the dependency graph, `$(tasks.…)` references, when
// expressions, matrix and pipeline results.

#include "engine/dag/graph.h"
#include "engine/model/validate_util.h"

namespace baton::model {

namespace vdetail {

namespace {

struct TaskLoc {
  bool finally = false;
  std::size_t index = 0;
};

// Everything a pipeline task's checks need to see of its pipeline.
struct PipelineCtx {
  Sink& sink;
  const PipelineSpec& spec;
  const TaskLookup& lookup;
  const ValidationLimits& limits;
  const RefScope scope;  // pipeline params and workspaces
  const std::string& tasks_path;
  const std::string& finally_path;
  std::unordered_map<std::string_view, TaskLoc> index;

  const PipelineTask& task(TaskLoc l) const {
    return l.finally ? spec.finally[l.index] : spec.tasks[l.index];
  }
  std::vector<std::string> names(bool with_finally) const {
    std::vector<std::string> out;
    for (const auto& t : spec.tasks) out.push_back(t.name);
    if (with_finally) {
      for (const auto& t : spec.finally) out.push_back(t.name);
    }
    return out;
  }
};

// Does `spec` declare the result that parts[from…] names (result names may contain dots)?
bool declares_result(const TaskSpec& spec, const std::vector<std::string>& parts, std::size_t from,
                     std::string& first) {
  first = parts[from];
  std::string name;
  for (std::size_t k = from; k < parts.size(); ++k) {
    if (k > from) name += '.';
    name += parts[k];
    for (const auto& r : spec.results) {
      if (r.name == name) return true;
    }
  }
  return false;
}

void check_result_name(PipelineCtx& c, const PipelineTask& producer, const subst::Reference& r,
                       const std::string& path) {
  if (r.parts.size() < 4) return;
  const TaskSpec* ks = c.lookup.find(producer.task_spec, producer.task_ref);
  std::string name;
  if (!ks || declares_result(*ks, r.parts, 3, name)) return;
  std::vector<std::string> declared;
  for (const auto& res : ks->results) declared.push_back(res.name);
  c.sink.error(path, "task " + in_quotes(producer.name) + " has no result " + in_quotes(name) +
                         " in $(" + r.expr + ")" + did_you_mean(name, declared) +
                         (declared.empty() ? "; it declares no results" : ""));
}

// `$(tasks.…)` / `$(params.…)` / `$(workspaces.…)` references in a pipeline task field.
// `self`/`deps` are set for tasks of spec.tasks, to collect result-reference edges.
void check_task_field(PipelineCtx& c, std::string_view text, const std::string& path,
                      bool in_finally, const PipelineTask& self, std::vector<std::size_t>* deps) {
  if (text.find("$(") == std::string_view::npos) return;
  for (const auto& r : subst::find_references(text)) {
    if (r.parts.empty() || r.parts[0] != "tasks") {
      check_ref(c.sink, r, path, c.scope);
      continue;
    }
    const std::string expr = "$(" + r.expr + ")";
    if (r.parts.size() == 2 && r.parts[1] == "status") {
      if (!in_finally) c.sink.error(path, expr + " can only be used in finally tasks");
      continue;
    }
    if (r.parts.size() < 3) continue;
    const std::string& target = r.parts[1];
    auto it = c.index.find(target);
    if (it == c.index.end()) {
      c.sink.error(path, "unknown task " + in_quotes(target) + " in " + expr +
                             did_you_mean(target, c.names(true)));
      continue;
    }
    const TaskLoc loc = it->second;
    const std::string& attr = r.parts[2];
    if (attr == "status" || attr == "reason") {
      if (!in_finally)
        c.sink.error(path, expr + " can only be used in finally tasks");
      else if (loc.finally)
        c.sink.error(path, expr + " names finally task " + in_quotes(target) +
                               "; only tasks of spec.tasks have a status here");
      continue;
    }
    if (attr != "results") continue;
    if (loc.finally) {
      c.sink.error(path, in_finally
                             ? "finally tasks can only use results of tasks in spec.tasks, and " +
                                   in_quotes(target) + " is a finally task (" + expr + ")"
                             : "tasks cannot use results of finally task " + in_quotes(target) +
                                   " (" + expr + "): finally tasks run after all tasks");
      continue;
    }
    if (&c.task(loc) == &self) {
      c.sink.error(path,
                   "task " + in_quotes(self.name) + " cannot use its own result (" + expr + ")");
      continue;
    }
    if (deps) deps->push_back(loc.index);
    check_result_name(c, c.task(loc), r, path);
  }
}

bool has_ref(const ParamValue& v) {
  auto in = [](const std::string& s) { return s.find("$(") != std::string::npos; };
  if (in(v.str)) return true;
  for (const auto& s : v.arr) {
    if (in(s)) return true;
  }
  for (const auto& [k, s] : v.obj) {
    if (in(s)) return true;
  }
  return false;
}

void check_value_field(PipelineCtx& c, const ParamValue& v, const std::string& path, bool fin,
                       const PipelineTask& self, std::vector<std::size_t>* deps) {
  check_task_field(c, v.str, path, fin, self, deps);
  for (std::size_t i = 0; i < v.arr.size(); ++i)
    check_task_field(c, v.arr[i], at(path, i), fin, self, deps);
  for (const auto& [k, s] : v.obj) check_task_field(c, s, at(path, k), fin, self, deps);
}

void check_when(PipelineCtx& c, const std::vector<WhenExpression>& when, const std::string& path,
                bool fin, const PipelineTask& self, std::vector<std::size_t>* deps) {
  for (std::size_t i = 0; i < when.size(); ++i) {
    const WhenExpression& w = when[i];
    const std::string wp = at(path, i);
    if (!w.cel.empty()) {
      if (!w.input.empty() || !w.op.empty() || !w.values.empty()) {
        c.sink.error(at(wp, "cel"),
                     "cel cannot be combined with input, operator or values; use one form");
      }
      check_task_field(c, w.cel, at(wp, "cel"), fin, self, deps);
      continue;
    }
    if (w.input.empty())
      c.sink.error(at(wp, "input"),
                   "missing required field: a when expression needs an input (or cel)");
    if (w.op != "in" && w.op != "notin") {
      c.sink.error(at(wp, "operator"),
                   w.op.empty()
                       ? std::string("missing required field: operator must be \"in\" or \"notin\"")
                       : "invalid operator " + in_quotes(w.op) + ": must be \"in\" or \"notin\"" +
                             did_you_mean(w.op, {"in", "notin"}));
    }
    if (w.values.empty())
      c.sink.error(at(wp, "values"), "missing required field: values must list at least one value");
    check_task_field(c, w.input, at(wp, "input"), fin, self, deps);
    for (std::size_t k = 0; k < w.values.size(); ++k) {
      check_task_field(c, w.values[k], at(at(wp, "values"), k), fin, self, deps);
    }
  }
}

void check_matrix(PipelineCtx& c, const PipelineTask& t, const std::string& tp, bool fin,
                  std::vector<std::size_t>* deps) {
  const Matrix& m = *t.matrix;
  const std::string mp = at(at(tp, "matrix"), "params");
  check_param_values(c.sink, m.params, mp);
  std::size_t combinations = 1;
  bool countable = !m.params.empty();
  for (std::size_t i = 0; i < m.params.size(); ++i) {
    const Param& p = m.params[i];
    const std::string pp = at(mp, i);
    for (const auto& given : t.params) {
      if (given.name == p.name) {
        c.sink.error(at(pp, "name"), "param " + in_quotes(p.name) +
                                         " is given both in params and matrix.params; keep one");
      }
    }
    if (p.value.type == ValueType::kArray) {
      combinations = std::min<std::size_t>(combinations * p.value.arr.size(), 1u << 30);
    } else if (p.value.type == ValueType::kString && p.value.str.rfind("$(", 0) == 0) {
      countable = false;  // an array given by reference: its length is known at run time
    } else {
      c.sink.error(at(pp, "value"),
                   "matrix params must be arrays (or a reference to an array), "
                   "got " +
                       std::string(to_string(p.value.type)));
    }
    check_value_field(c, p.value, at(pp, "value"), fin, t, deps);
  }
  for (std::size_t i = 0; i < m.include.size(); ++i) {
    const std::string ip = at(at(at(tp, "matrix"), "include"), i);
    check_param_values(c.sink, m.include[i].params, at(ip, "params"));
    for (std::size_t k = 0; k < m.include[i].params.size(); ++k) {
      check_value_field(c, m.include[i].params[k].value, at(at(at(ip, "params"), k), "value"), fin,
                        t, deps);
    }
  }
  if (!countable) return;
  combinations += m.include.size();
  if (combinations > c.limits.max_matrix_combinations) {
    c.sink.error(at(tp, "matrix"), "matrix of task " + in_quotes(t.name) + " fans out to " +
                                       std::to_string(combinations) +
                                       " combinations; the limit is " +
                                       std::to_string(c.limits.max_matrix_combinations));
  }
}

void check_run_after(PipelineCtx& c, const PipelineTask& t, const std::string& tp, bool fin,
                     std::vector<std::size_t>* deps) {
  if (t.run_after.empty()) return;
  const std::string rp = at(tp, "runAfter");
  if (fin) {
    c.sink.error(rp, "finally tasks cannot use runAfter: they run after all tasks of spec.tasks");
    return;
  }
  for (std::size_t j = 0; j < t.run_after.size(); ++j) {
    const std::string& name = t.run_after[j];
    auto it = c.index.find(name);
    if (name == t.name) {
      c.sink.error(at(rp, j), "task " + in_quotes(name) + " cannot run after itself");
    } else if (it == c.index.end()) {
      c.sink.error(at(rp, j),
                   "unknown task " + in_quotes(name) + did_you_mean(name, c.names(false)));
    } else if (it->second.finally) {
      c.sink.error(at(rp, j), "cannot run after finally task " + in_quotes(name) +
                                  ": finally tasks run after all tasks");
    } else if (deps) {
      deps->push_back(it->second.index);
    }
  }
}

void check_pipeline_task(PipelineCtx& c, const PipelineTask& t, const std::string& tp, bool fin,
                         std::vector<std::size_t>* deps) {
  if (!t.name.empty() && !is_dns_label(t.name)) {
    c.sink.error(at(tp, "name"), "invalid pipeline task name " + in_quotes(t.name) +
                                     ": must be a DNS-1123 label (lowercase letters, digits and "
                                     "'-', starting and ending with a letter or digit, at most 63 "
                                     "characters)");
  }
  const bool custom = t.task_ref && !t.task_ref->api_version.empty();
  if (t.task_ref && t.task_spec) {
    c.sink.error(at(tp, "taskSpec"), "set exactly one of taskRef and taskSpec, not both");
  } else if (!t.task_ref && !t.task_spec) {
    c.sink.error(tp, "missing taskRef or taskSpec: a pipeline task needs exactly one of them");
  } else if (t.task_ref && !custom && t.task_ref->name.empty() && t.task_ref->resolver.empty()) {
    c.sink.error(at(tp, "taskRef"), "taskRef needs a name (of a Task) or a resolver");
  }
  if (!t.on_error.empty() && t.on_error != "continue" && t.on_error != "stopAndFail") {
    c.sink.error(at(tp, "onError"), "invalid onError " + in_quotes(t.on_error) +
                                        ": must be \"continue\" or \"stopAndFail\"" +
                                        did_you_mean(t.on_error, {"continue", "stopAndFail"}));
  }
  check_run_after(c, t, tp, fin, deps);
  const std::string pp = at(tp, "params");
  check_param_values(c.sink, t.params, pp);
  // Paths are built only for fields that hold references: this runs for every task.
  for (std::size_t i = 0; i < t.params.size(); ++i) {
    if (has_ref(t.params[i].value))
      check_value_field(c, t.params[i].value, at(at(pp, i), "value"), fin, t, deps);
  }
  if (t.display_name.find("$(") != std::string::npos) {
    check_task_field(c, t.display_name, at(tp, "displayName"), fin, t, deps);
  }
  if (!t.when.empty()) check_when(c, t.when, at(tp, "when"), fin, t, deps);
  if (t.matrix) check_matrix(c, t, tp, fin, deps);

  const std::string wp = t.workspaces.empty() ? std::string() : at(tp, "workspaces");
  UniqueNames ws_names("workspace binding");
  for (std::size_t i = 0; i < t.workspaces.size(); ++i) {
    const auto& b = t.workspaces[i];
    ws_names.add(c.sink, b.name, wp, i);
    if (b.workspace.empty() || c.scope.workspaces->contains(b.workspace)) continue;
    c.sink.error(at(at(wp, i), "workspace"),
                 "unknown pipeline workspace " + in_quotes(b.workspace) +
                     did_you_mean(b.workspace, c.scope.workspaces->all_names()) +
                     "; declare it in the Pipeline's spec.workspaces");
  }

  if (const TaskSpec* ks = c.lookup.find(t.task_spec, t.task_ref)) {
    const std::vector<Param>* matrix_params = t.matrix ? &t.matrix->params : nullptr;
    check_required_params(c.sink, ks->params, {&t.params, matrix_params}, pp,
                          "task " + in_quotes(t.name));
  }
  if (t.task_spec) {
    // An embedded spec also sees what its pipeline task passes and binds (propagation).
    ParamScope params;
    params.add(t.params);
    if (t.matrix) params.add(t.matrix->params);
    params.parent = c.scope.params;
    NameSet workspaces;
    for (const auto& b : t.workspaces) workspaces.names.insert(b.name);
    workspaces.parent = c.scope.workspaces;
    check_task_spec(c.sink, *t.task_spec, at(tp, "taskSpec"), c.limits,
                    RefScope{&params, &workspaces, nullptr});
  }
}

void check_pipeline_results(PipelineCtx& c, const std::string& path) {
  const auto& results = c.spec.results;
  UniqueNames names("result");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const PipelineResult& r = results[i];
    const std::string rp = at(path, i);
    names.add(c.sink, r.name, path, i);
    if (!r.name.empty() && !is_result_name(r.name)) {
      c.sink.error(at(rp, "name"), "invalid result name " + in_quotes(r.name) +
                                       ": use letters, digits, '-', '_' and '.', starting and "
                                       "ending with a letter or digit");
    }
    std::vector<std::pair<const std::string*, std::string>> texts;
    const std::string vp = at(rp, "value");
    texts.emplace_back(&r.value.str, vp);
    for (std::size_t k = 0; k < r.value.arr.size(); ++k)
      texts.emplace_back(&r.value.arr[k], at(vp, k));
    for (const auto& [key, s] : r.value.obj) texts.emplace_back(&s, at(vp, key));
    bool any = false;
    for (const auto& [text, tp] : texts) {
      // `$(finally.t.results.r)` (results of finally tasks) is not a substitution root.
      any = any || text->find("$(finally.") != std::string::npos;
      for (const auto& ref : subst::find_references(*text)) {
        if (ref.parts.size() < 2 || (ref.parts[0] != "tasks" && ref.parts[0] != "finally"))
          continue;
        any = true;
        auto it = c.index.find(ref.parts[1]);
        if (it == c.index.end()) {
          c.sink.error(tp, "unknown task " + in_quotes(ref.parts[1]) + " in $(" + ref.expr + ")" +
                               did_you_mean(ref.parts[1], c.names(true)));
        } else if (ref.parts.size() >= 4 && ref.parts[2] == "results") {
          check_result_name(c, c.task(it->second), ref, tp);
        }
      }
    }
    if (!any) {
      c.sink.error(vp,
                   "a pipeline result must reference a task result, like "
                   "$(tasks.<task>.results.<result>)");
    }
  }
}

}  // namespace

void check_pipeline_spec(Sink& sink, const PipelineSpec& spec, const std::string& path,
                         const TaskLookup& lookup, const ValidationLimits& limits,
                         const RefScope& inherited) {
  ParamScope params;
  params.add(spec.params);
  params.parent = inherited.params;
  NameSet workspaces;
  for (const auto& w : spec.workspaces) workspaces.names.insert(w.name);
  workspaces.parent = inherited.workspaces;
  check_param_specs(sink, spec.params, at(path, "params"));
  const std::string ws_path = at(path, "workspaces");
  UniqueNames ws_names("workspace");
  for (std::size_t i = 0; i < spec.workspaces.size(); ++i)
    ws_names.add(sink, spec.workspaces[i].name, ws_path, i);

  const std::string tasks_path = at(path, "tasks"), finally_path = at(path, "finally");
  if (spec.tasks.empty())
    sink.error(tasks_path, "a Pipeline needs at least one task in spec.tasks");
  const std::size_t total = spec.tasks.size() + spec.finally.size();
  if (total > limits.max_tasks) {
    sink.error(tasks_path, "too many tasks: " + std::to_string(total) + " (the limit is " +
                               std::to_string(limits.max_tasks) + ", tasks and finally together)");
  }
  PipelineCtx c{sink,       spec,         lookup, limits, RefScope{&params, &workspaces, nullptr},
                tasks_path, finally_path, {}};
  c.index.reserve(total);
  UniqueNames task_names("pipeline task");  // tasks and finally share one namespace
  for (std::size_t i = 0; i < spec.tasks.size(); ++i) {
    task_names.add(sink, spec.tasks[i].name, tasks_path, i);
    c.index.try_emplace(spec.tasks[i].name, TaskLoc{false, i});
  }
  for (std::size_t i = 0; i < spec.finally.size(); ++i) {
    task_names.add(sink, spec.finally[i].name, finally_path, i);
    c.index.try_emplace(spec.finally[i].name, TaskLoc{true, i});
  }
  std::vector<std::vector<std::size_t>> deps(spec.tasks.size());
  for (std::size_t i = 0; i < spec.tasks.size(); ++i) {
    check_pipeline_task(c, spec.tasks[i], at(tasks_path, i), false, &deps[i]);
  }
  for (std::size_t i = 0; i < spec.finally.size(); ++i) {
    check_pipeline_task(c, spec.finally[i], at(finally_path, i), true, nullptr);
  }
  if (auto cycle = dag::find_cycle(deps)) {
    // find_cycle follows dependency lists; print in run order (each runs after the previous).
    std::string chain;
    for (auto it = cycle->rbegin(); it != cycle->rend(); ++it) {
      if (!chain.empty()) chain += " -> ";
      chain += spec.tasks[*it].name;
    }
    sink.error(at(at(tasks_path, cycle->front()), "name"),
               "dependency cycle: " + chain +
                   " (each task waits for the one before it, "
                   "through runAfter or result references)");
  }
  check_pipeline_results(c, at(path, "results"));
}

}  // namespace vdetail

Diagnostics validate_pipeline(const Pipeline& pipeline, const ObjectSet* context,
                              const ValidationLimits& limits) {
  Diagnostics out;
  vdetail::Sink sink(pipeline.origin, out);
  vdetail::check_object_name(sink, pipeline.metadata, false);
  vdetail::TaskLookup lookup(context);
  vdetail::check_pipeline_spec(sink, pipeline.spec, "spec", lookup, limits, {});
  return out;
}

}  // namespace baton::model
