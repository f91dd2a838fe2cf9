#include "tests/sched/sim.h"

#include <gtest/gtest.h>

#include "engine/resolve/resolver.h"
#include "engine/spec/loader.h"

namespace baton::sched::testing {

Result<RunPlan> plan_from_yaml(const std::string& yaml) {
  spec::LoadOutput out = spec::load_text(yaml, "case.yaml");
  if (!out.errors.empty()) return Fail(out.errors.front().to_string());
  // The plan copies every spec it needs, so the catalog may die with this function.
  resolve::Catalog catalog(&out.objects);
  if (out.objects.pipeline_runs.size() == 1) {
    return plan_pipeline_run(out.objects.pipeline_runs.front(), catalog);
  }
  if (out.objects.task_runs.size() == 1)
    return plan_task_run(out.objects.task_runs.front(), catalog);
  return Fail("want exactly one PipelineRun or TaskRun");
}

Sim::Sim(const RunPlan& plan) : plan_(plan), reconciler_(plan) {
  facts_.tasks.resize(plan.tasks.size());
  values_.set_params(plan.pipeline.params, plan.params);
}

std::size_t Sim::index(const std::string& name) const {
  for (std::size_t i = 0; i < plan_.tasks.size(); ++i) {
    if (plan_.tasks[i].task.name == name) return i;
  }
  ADD_FAILURE() << "no task " << name;
  return 0;
}

TaskStatus Sim::status(const std::string& name) const { return facts_.tasks[index(name)].status; }
const std::string& Sim::reason(const std::string& name) const {
  return facts_.tasks[index(name)].reason;
}

std::string Sim::describe(const std::string& name) const {
  const TaskFacts& t = facts_.tasks[index(name)];
  switch (t.status) {
    case TaskStatus::kFailed:
      return "Failed: " + t.reason;
    case TaskStatus::kSkipped:
      return "Skipped: " + t.reason;
    default:
      return to_string(t.status);
  }
}

std::string Sim::running() const {
  std::string out;
  for (std::size_t i = 0; i < plan_.tasks.size(); ++i) {
    if (facts_.tasks[i].status != TaskStatus::kRunning) continue;
    if (!out.empty()) out += ' ';
    out += plan_.tasks[i].task.name;
  }
  return out;
}

void Sim::begin() { settle(Change{}); }

void Sim::succeed(const std::string& name, const Results& results) {
  end_running(name, true, "Succeeded", results);
}

void Sim::fail(const std::string& name, const std::string& reason, const Results& results) {
  end_running(name, false, reason, results);
}

void Sim::end_running(const std::string& name, bool ok, const std::string& reason,
                      const Results& results) {
  std::size_t i = index(name);
  TaskFacts& t = facts_.tasks[i];
  if (t.status != TaskStatus::kRunning) {
    ADD_FAILURE() << name << " is " << to_string(t.status) << ", not Running";
    return;
  }
  InstanceFacts& inst = t.instances.back();
  inst.status = ok ? TaskStatus::kSucceeded : TaskStatus::kFailed;
  inst.reason = reason;
  inst.results = results;
  end_task(i, inst.status, ok ? "" : reason);
  settle(Change{{i}, false});
}

void Sim::request_stop(StopRequest stop) {
  facts_.stop = stop;
  settle(Change{{}, true});
}

void Sim::time_out_pipeline() {
  facts_.pipeline_timed_out = true;
  settle(Change{{}, true});
}

void Sim::time_out_tasks() {
  facts_.tasks_timed_out = true;
  settle(Change{{}, true});
}

void Sim::time_out_finally() {
  facts_.finally_timed_out = true;
  settle(Change{{}, true});
}

// Applies batches until the reconciler has nothing more to say. Every task an action touched
// is reported as changed in the next call, as the scheduler reports status changes.
void Sim::settle(Change change) {
  first_actions_.clear();
  for (int round = 0; round < 100000; ++round) {
    std::vector<Action> actions = reconciler_.reconcile(facts_, values_, change);
    if (round == 0) first_actions_ = actions;
    if (actions.empty() || facts_.finished) return;
    change = Change{};
    for (const Action& a : actions) {
      apply(a);
      if (a.kind != Action::Kind::kFinish) change.tasks.push_back(a.task);
    }
    if (facts_.finished) return;
  }
  ADD_FAILURE() << "reconciler did not settle";
}

void Sim::apply(const Action& a) {
  using K = Action::Kind;
  switch (a.kind) {
    case K::kStart: {
      TaskFacts& t = facts_.tasks[a.task];
      EXPECT_EQ(t.status, TaskStatus::kPending) << "start of " << plan_.tasks[a.task].task.name;
      t.status = TaskStatus::kRunning;
      InstanceFacts inst;
      inst.status = TaskStatus::kRunning;
      inst.attempts = 1;
      t.instances = {inst};
      return;
    }
    case K::kRetry:
      ADD_FAILURE() << "the reconciler never retries: the scheduler does";
      return;
    case K::kSkip:
    case K::kFail:
      EXPECT_EQ(facts_.tasks[a.task].status, TaskStatus::kPending)
          << plan_.tasks[a.task].task.name << ": " << a.reason;
      end_task(a.task, a.kind == K::kSkip ? TaskStatus::kSkipped : TaskStatus::kFailed, a.reason);
      return;
    case K::kCancelRunning: {
      TaskFacts& t = facts_.tasks[a.task];
      EXPECT_EQ(t.status, TaskStatus::kRunning) << "cancel of " << plan_.tasks[a.task].task.name;
      for (InstanceFacts& inst : t.instances) {
        inst.status = TaskStatus::kCancelled;
        inst.reason = a.reason;
        inst.cancelled_for_timeout = a.for_timeout;
      }
      end_task(a.task, TaskStatus::kCancelled, a.reason);
      return;
    }
    case K::kFinish:
      EXPECT_FALSE(facts_.finished) << "finished twice";
      facts_.finished = true;
      final_ = a;
      return;
  }
}

// Records a terminal status with the bookkeeping the scheduler does: counters, values.
void Sim::end_task(std::size_t i, TaskStatus s, std::string reason) {
  const PlannedTask& p = plan_.tasks[i];
  TaskFacts& t = facts_.tasks[i];
  t.status = s;
  t.reason = std::move(reason);
  t.failure_ignored = s == TaskStatus::kFailed && p.task.on_error == "continue";
  if (p.is_finally) {
    ++facts_.finally_terminal;
  } else {
    ++facts_.dag_terminal;
    bool stops = (s == TaskStatus::kFailed && !t.failure_ignored) || s == TaskStatus::kCancelled;
    if (stops) ++facts_.dag_stopping;
  }
  publish(i);
}

// The values a finished task makes visible: results, `tasks.X.status`/`.reason`, and
// `tasks.status` once every DAG task is terminal (Tekton's execution status variables).
void Sim::publish(std::size_t i) {
  const PlannedTask& p = plan_.tasks[i];
  const TaskFacts& t = facts_.tasks[i];
  const std::string prefix = "tasks." + p.task.name + ".";
  bool results_visible =
      t.status == TaskStatus::kSucceeded || (t.status == TaskStatus::kFailed && t.failure_ignored);
  if (results_visible && !t.instances.empty()) {
    for (const auto& [k, v] : t.instances.back().results) values_.set(prefix + "results." + k, v);
  }
  if (p.is_finally) return;
  std::string status = "None";  // skipped (and never-run) tasks
  if (t.status == TaskStatus::kSucceeded) status = "Succeeded";
  if (t.status == TaskStatus::kFailed || t.status == TaskStatus::kCancelled) status = "Failed";
  values_.set(prefix + "status", status);
  values_.set(prefix + "reason", t.instances.empty() ? t.reason : t.instances.back().reason);
  if (aggregate_published_ || facts_.dag_terminal != plan_.dag_count) return;
  aggregate_published_ = true;
  std::string aggregate = "Succeeded";
  for (std::size_t d = 0; d < plan_.dag_count; ++d) {
    TaskStatus ds = facts_.tasks[d].status;
    if (ds == TaskStatus::kFailed || ds == TaskStatus::kCancelled) {
      aggregate = "Failed";
      break;
    }
    if (ds == TaskStatus::kSkipped) aggregate = "Completed";
  }
  values_.set("tasks.status", aggregate);
}

}  // namespace baton::sched::testing
