#include "engine/sched/plan.h"

#include <random>

#include "engine/sched/approval_gate.h"
#include "engine/subst/refs.h"

namespace baton::sched {

namespace {

constexpr model::Duration kDefaultPipelineTimeout = std::chrono::hours(1);

void plan_tasks(RunPlan& plan, const resolve::Catalog& catalog) {
  auto add = [&](const model::PipelineTask& t, bool is_finally) {
    PlannedTask p;
    p.task = t;
    p.is_finally = is_finally;
    Result<model::TaskSpec> spec = Fail("no task");
    if (is_approval_task(t)) {
      spec = resolve::prepare_task_spec(approval_task_spec(), catalog, &p.step_actions);
    } else if (t.task_spec) {
      spec = resolve::prepare_task_spec(*t.task_spec, catalog, &p.step_actions);
    } else if (t.task_ref) {
      auto base = catalog.task(*t.task_ref);
      spec = base.ok() ? resolve::prepare_task_spec(*base, catalog, &p.step_actions)
                       : Result<model::TaskSpec>(base.error());
    }
    if (spec.ok()) {
      p.spec = std::move(*spec);
    } else {
      p.resolve_error = spec.error().message;
    }
    plan.tasks.push_back(std::move(p));
  };
  for (const auto& t : plan.pipeline.tasks) add(t, false);
  plan.dag_count = plan.tasks.size();
  for (const auto& t : plan.pipeline.finally) add(t, true);
}

// Every `$(tasks.X.results.R…)` in the fields a pipeline task reads them from.
std::vector<std::pair<std::string, std::string>> result_refs_of(const model::PipelineTask& t) {
  std::vector<std::pair<std::string, std::string>> out;
  auto scan = [&](const std::string& s) {
    if (s.find("$(") == std::string::npos) return;
    for (const auto& r : subst::find_references(s)) {
      if (r.parts.size() >= 4 && r.parts[0] == "tasks" && r.parts[2] == "results") {
        std::pair<std::string, std::string> ref{r.parts[1], r.parts[3]};
        if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
      }
    }
  };
  auto scan_value = [&](const model::ParamValue& v) {
    scan(v.str);
    for (const auto& a : v.arr) scan(a);
    for (const auto& [k, o] : v.obj) scan(o);
  };
  for (const auto& p : t.params) scan_value(p.value);
  if (t.matrix) {
    for (const auto& p : t.matrix->params) scan_value(p.value);
    for (const auto& inc : t.matrix->include) {
      for (const auto& p : inc.params) scan_value(p.value);
    }
  }
  for (const auto& w : t.when) {
    scan(w.input);
    for (const auto& v : w.values) scan(v);
  }
  return out;
}

Status link_graph(RunPlan& plan) {
  auto graph = dag::Graph::build(plan.pipeline);
  if (!graph.ok()) return graph.error();
  for (std::size_t i = 0; i < graph->size(); ++i) {
    PlannedTask& t = plan.tasks[i];
    t.parents = graph->parents(i);
    t.children = graph->children(i);
    for (std::size_t p : t.parents) {
      const auto& consumers = graph->result_consumers(p);
      if (std::find(consumers.begin(), consumers.end(), i) != consumers.end()) {
        t.result_parents.push_back(p);
      }
    }
  }
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    PlannedTask& t = plan.tasks[i];
    for (auto& [task, result] : result_refs_of(t.task)) {
      if (auto idx = graph->index_of(task)) {
        t.result_refs.emplace_back(*idx, result);
        // Finally tasks may consume DAG results too: their producers count as result parents.
        if (t.is_finally && std::find(t.result_parents.begin(), t.result_parents.end(), *idx) ==
                                t.result_parents.end()) {
          t.result_parents.push_back(*idx);
        }
      }
    }
  }
  return {};
}

}  // namespace

std::string generate_name(const std::string& prefix) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // Kubernetes' safe alphabet
  // One generator per thread: opening and reading the random device for every name was 4-5%
  // of `baton serve`'s CPU under webhook load (one name per delivery).
  thread_local std::mt19937_64 gen = [] {
    std::random_device rd;
    std::seed_seq seed{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seed);
  }();
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string out = prefix;
  for (int i = 0; i < 5; ++i) out += kAlphabet[pick(gen)];
  return out;
}

namespace {
// Name (generated from generateName when needed), namespace, labels and annotations.
void name_plan(RunPlan& plan, const model::ObjectMeta& meta, const std::string& fallback_prefix) {
  plan.name = !meta.name.empty() ? meta.name
                                 : generate_name(meta.generate_name.empty() ? fallback_prefix
                                                                            : meta.generate_name);
  if (!meta.namespace_.empty()) plan.namespace_ = meta.namespace_;
  plan.labels = meta.labels;
  plan.annotations = meta.annotations;
}
}  // namespace

Result<RunPlan> plan_pipeline_run(const model::PipelineRun& run, const resolve::Catalog& catalog) {
  RunPlan plan;
  plan.kind = "PipelineRun";
  name_plan(plan, run.metadata, "run-");
  if (run.spec.pipeline_spec) {
    plan.pipeline = *run.spec.pipeline_spec;
  } else if (run.spec.pipeline_ref) {
    auto p = catalog.pipeline(*run.spec.pipeline_ref);
    if (!p.ok()) return p.error();
    plan.pipeline = std::move(*p);
    plan.pipeline_name = run.spec.pipeline_ref->name;
  } else {
    return Fail("PipelineRun has neither pipelineRef nor pipelineSpec", "invalid");
  }
  plan.params = run.spec.params;
  plan.workspaces = run.spec.workspaces;
  plan.task_run_specs = run.spec.task_run_specs;
  plan.service_account_name = run.spec.service_account_name;
  plan.pod_template = run.spec.pod_template;
  plan.timeouts = run.spec.timeouts;
  if (!plan.timeouts.pipeline) plan.timeouts.pipeline = kDefaultPipelineTimeout;
  plan_tasks(plan, catalog);
  if (Status st = link_graph(plan); !st.ok()) return st.error();
  return plan;
}

Result<RunPlan> plan_task_run(const model::TaskRun& run, const resolve::Catalog& catalog) {
  RunPlan plan;
  plan.kind = "TaskRun";
  name_plan(plan, run.metadata, "taskrun-");
  model::PipelineTask t;
  t.name = run.spec.task_ref ? run.spec.task_ref->name : std::string("task");
  if (t.name.empty()) t.name = "task";
  t.task_ref = run.spec.task_ref;
  t.task_spec = run.spec.task_spec;
  t.retries = run.spec.retries;
  t.timeout = run.spec.timeout;
  // The TaskRun's params bind straight to the task's params: pass them through as-is.
  for (const auto& p : run.spec.params) t.params.push_back(p);
  for (const auto& w : run.spec.workspaces) t.workspaces.push_back({w.name, w.name, ""});
  plan.pipeline.tasks.push_back(t);
  plan.pipeline_name = run.spec.task_ref ? run.spec.task_ref->name : "";
  plan.workspaces = run.spec.workspaces;
  plan.service_account_name = run.spec.service_account_name;
  plan.pod_template = run.spec.pod_template;
  // A TaskRun's own timeout is the task's; the "pipeline" timeout only bounds it from above.
  plan.timeouts.pipeline = model::Duration(0);
  plan_tasks(plan, catalog);
  if (Status st = link_graph(plan); !st.ok()) return st.error();
  return plan;
}

}  // namespace baton::sched
