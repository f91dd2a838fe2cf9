#include "engine/sched/reconciler.h"

#include <algorithm>

#include "engine/sched/go_duration.h"
#include "engine/subst/substitute.h"

namespace baton::sched {

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::kPending:
      return "Pending";
    case TaskStatus::kRunning:
      return "Running";
    case TaskStatus::kSucceeded:
      return "Succeeded";
    case TaskStatus::kFailed:
      return "Failed";
    case TaskStatus::kSkipped:
      return "Skipped";
    case TaskStatus::kCancelled:
      return "Cancelled";
  }
  return "?";
}

bool is_terminal(TaskStatus s) { return s != TaskStatus::kPending && s != TaskStatus::kRunning; }

namespace {

Action make(Action::Kind kind, std::size_t task, std::string reason = {},
            std::string message = {}) {
  Action a;
  a.kind = kind;
  a.task = task;
  a.reason = std::move(reason);
  a.message = std::move(message);
  return a;
}

// Tekton skips a matrixed task (DAG or finally) when one of its matrix params is an empty array.
bool has_empty_matrix_param(const PlannedTask& t, const subst::Context& values) {
  if (!t.task.matrix) return false;
  for (const auto& p : t.task.matrix->params) {
    auto v = subst::substitute_value(p.value, values);
    if (v.ok() && v->type == model::ValueType::kArray && v->arr.empty()) return true;
  }
  return false;
}

}  // namespace

bool Reconciler::is_stopping(const RunFacts& facts) const { return facts.dag_stopping > 0; }

bool Reconciler::dag_done(const RunFacts& facts) const {
  return facts.dag_terminal == plan_.dag_count;
}

bool Reconciler::all_done(const RunFacts& facts) const {
  return dag_done(facts) && facts.finally_terminal == plan_.tasks.size() - plan_.dag_count;
}

// Returns "" when every when expression holds, the skip reason otherwise; a substitution
// error goes to *error.
std::string Reconciler::when_false(std::size_t i, const subst::Context& values,
                                   std::string* error) const {
  for (const auto& w : plan_.tasks[i].task.when) {
    if (!w.cel.empty()) {
      *error = "CEL in when expressions is not supported yet: " + w.cel;
      return {};
    }
    auto input = subst::substitute_string(w.input, values);
    auto vals = subst::substitute_array(w.values, values);
    if (!input.ok() || !vals.ok()) {
      *error = !input.ok() ? input.error().message : vals.error().message;
      return {};
    }
    bool in = std::find(vals->begin(), vals->end(), *input) != vals->end();
    if ((w.op == "in" && !in) || (w.op == "notin" && in)) return kSkipWhen;
  }
  return {};
}

void Reconciler::consider(std::size_t i, const RunFacts& facts, const subst::Context& values,
                          std::vector<Action>& out) const {
  const PlannedTask& t = plan_.tasks[i];
  if (facts.tasks[i].status != TaskStatus::kPending) return;
  for (std::size_t p : t.parents) {
    if (!is_terminal(facts.tasks[p].status)) return;  // not ready yet
  }
  using K = Action::Kind;
  if (facts.pipeline_timed_out) return out.push_back(make(K::kSkip, i, kSkipPipelineTimeout));
  if (facts.tasks_timed_out) return out.push_back(make(K::kSkip, i, kSkipTasksTimeout));
  if (facts.stop == StopRequest::kCancelledRunFinally) {
    return out.push_back(make(K::kSkip, i, kSkipGracefullyCancelled));
  }
  if (facts.stop == StopRequest::kStoppedRunFinally) {
    return out.push_back(make(K::kSkip, i, kSkipGracefullyStopped));
  }
  if (facts.stop == StopRequest::kCancelled || is_stopping(facts)) {
    return out.push_back(make(K::kSkip, i, kSkipStopping));
  }
  // Tekton looks at every parent for a non-`when` skip before it looks at missing results.
  for (std::size_t p : t.parents) {
    const TaskFacts& pf = facts.tasks[p];
    // A task skipped by its own `when` does not skip tasks that merely run after it.
    if (pf.status == TaskStatus::kSkipped && pf.reason != kSkipWhen) {
      return out.push_back(make(K::kSkip, i, kSkipParentSkipped));
    }
  }
  for (std::size_t p : t.result_parents) {
    const TaskFacts& pf = facts.tasks[p];
    // An ignored failure may have written results before failing: those stay usable.
    bool ignored = pf.status == TaskStatus::kFailed && pf.failure_ignored;
    if (pf.status != TaskStatus::kSucceeded && !ignored) {
      return out.push_back(make(K::kSkip, i, kSkipResultsMissing));
    }
  }
  for (const auto& [producer, result] : t.result_refs) {
    if (!values.find("tasks." + plan_.tasks[producer].task.name + ".results." + result)) {
      // A consumer that tolerates failure is skipped instead of failing the run.
      if (t.task.on_error == "continue")
        return out.push_back(make(K::kSkip, i, kSkipResultsMissing));
      return out.push_back(make(K::kFail, i, "InvalidTaskResultReference",
                                "Invalid task result reference: task \"" +
                                    plan_.tasks[producer].task.name +
                                    "\" did not produce result \"" + result + "\""));
    }
  }
  out.push_back(when_matrix_or_start(i, values));
}

// The last checks every ready task goes through, DAG or finally: `when`, an empty matrix, a
// task that could not be resolved; then it starts.
Action Reconciler::when_matrix_or_start(std::size_t i, const subst::Context& values) const {
  using K = Action::Kind;
  const PlannedTask& t = plan_.tasks[i];
  std::string error;
  std::string skip = when_false(i, values, &error);
  if (!error.empty()) return make(K::kFail, i, "InvalidWhenExpression", error);
  if (!skip.empty()) return make(K::kSkip, i, skip);
  if (has_empty_matrix_param(t, values)) return make(K::kSkip, i, kSkipEmptyMatrix);
  if (!t.resolve_error.empty()) return make(K::kFail, i, "CouldntGetTask", t.resolve_error);
  return make(K::kStart, i);
}

void Reconciler::consider_finally(std::size_t i, const RunFacts& facts,
                                  const subst::Context& values, std::vector<Action>& out) const {
  const PlannedTask& t = plan_.tasks[i];
  if (facts.tasks[i].status != TaskStatus::kPending) return;
  using K = Action::Kind;
  if (facts.pipeline_timed_out) return out.push_back(make(K::kSkip, i, kSkipPipelineTimeout));
  if (facts.finally_timed_out) return out.push_back(make(K::kSkip, i, kSkipFinallyTimeout));
  if (facts.stop == StopRequest::kCancelled) {
    return out.push_back(make(K::kSkip, i, kSkipStopping));
  }
  for (const auto& [producer, result] : t.result_refs) {
    if (!values.find("tasks." + plan_.tasks[producer].task.name + ".results." + result)) {
      return out.push_back(make(K::kSkip, i, kSkipResultsMissing));
    }
  }
  out.push_back(when_matrix_or_start(i, values));
}

std::vector<Action> Reconciler::reconcile(const RunFacts& facts, const subst::Context& values,
                                          const Change& change) const {
  std::vector<Action> out;
  if (facts.finished) return out;
  using K = Action::Kind;
  const std::size_t n = plan_.tasks.size();

  if (change.run_level) {
    for (std::size_t i = 0; i < n; ++i) {
      if (facts.tasks[i].status != TaskStatus::kRunning) continue;
      bool fin = plan_.tasks[i].is_finally;
      bool timeout = facts.pipeline_timed_out || (!fin && facts.tasks_timed_out) ||
                     (fin && facts.finally_timed_out);
      bool cancel = facts.stop == StopRequest::kCancelled ||
                    (!fin && facts.stop == StopRequest::kCancelledRunFinally);
      if (timeout || cancel) {
        Action a = make(K::kCancelRunning, i, timeout ? "TaskRunTimeout" : "TaskRunCancelled");
        a.for_timeout = timeout;
        out.push_back(std::move(a));
      }
    }
    for (std::size_t i = 0; i < plan_.dag_count; ++i) consider(i, facts, values, out);
  } else if (change.tasks.empty()) {
    for (std::size_t i = 0; i < plan_.dag_count; ++i) {
      if (plan_.tasks[i].parents.empty()) consider(i, facts, values, out);
    }
  } else {
    for (std::size_t c : change.tasks) {
      for (std::size_t child : plan_.tasks[c].children) consider(child, facts, values, out);
    }
  }
  // Deduplicate (a task can be the child of several changed tasks).
  std::sort(out.begin(), out.end(), [](const Action& a, const Action& b) {
    return a.task != b.task ? a.task < b.task : a.kind < b.kind;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Action& a, const Action& b) {
                          return a.task == b.task && a.kind == b.kind;
                        }),
            out.end());
  if (!out.empty()) return out;  // apply these first: they may change what is done

  if (dag_done(facts)) {
    for (std::size_t i = plan_.dag_count; i < n; ++i) consider_finally(i, facts, values, out);
    if (!out.empty()) return out;
    if (all_done(facts)) out.push_back(finish_condition(facts));
  }
  return out;
}

Action Reconciler::finish_condition(const RunFacts& facts) const {
  Action a;
  a.kind = Action::Kind::kFinish;
  if (plan_.kind == "TaskRun") {
    const TaskFacts& t = facts.tasks.at(0);
    a.succeeded = t.status == TaskStatus::kSucceeded;
    if (!t.instances.empty()) {
      a.reason = t.instances.back().reason;
      a.message = t.instances.back().message;
    } else {
      a.reason = t.reason;
    }
    if (a.reason.empty()) a.reason = a.succeeded ? "Succeeded" : "Failed";
    return a;
  }
  const std::string quoted_name = "PipelineRun \"" + plan_.name + "\"";
  // A hard cancel ends the run as Cancelled whatever had failed before (Tekton checks it first).
  if (facts.stop == StopRequest::kCancelled) {
    a.reason = "Cancelled";
    a.message = quoted_name + " was cancelled";
    return a;
  }
  if (facts.pipeline_timed_out) {
    a.reason = "PipelineRunTimeout";
    a.message = quoted_name + " failed to finish within \"" +
                format_go_duration(plan_.timeouts.pipeline.value_or(model::Duration(0))) + "\"";
    return a;
  }
  if (facts.tasks_timed_out) {  // Tekton >= v0.58 (tektoncd/pipeline#7573)
    a.reason = "PipelineRunTimeout";
    a.message = quoted_name + " failed due to tasks failed to finish within \"" +
                format_go_duration(plan_.timeouts.tasks.value_or(model::Duration(0))) + "\"";
    return a;
  }
  std::size_t succeeded = 0, failed = 0, ignored = 0, cancelled = 0, skipped = 0;
  std::size_t skipped_timeout = 0;
  for (const auto& t : facts.tasks) {
    switch (t.status) {
      case TaskStatus::kSucceeded:
        ++succeeded;
        break;
      case TaskStatus::kFailed:
        ++(t.failure_ignored ? ignored : failed);
        break;
      case TaskStatus::kCancelled: {
        bool for_timeout = !t.instances.empty() && t.instances.back().cancelled_for_timeout;
        ++(for_timeout ? failed : cancelled);
        break;
      }
      case TaskStatus::kSkipped:
        ++skipped;
        if (t.reason == kSkipPipelineTimeout || t.reason == kSkipTasksTimeout ||
            t.reason == kSkipFinallyTimeout) {
          ++skipped_timeout;
        }
        break;
      default:
        break;
    }
  }
  // Ignored failures count as failures in the message but do not fail the run.
  std::size_t completed = succeeded + failed + ignored + cancelled;
  std::string failures = std::to_string(failed + ignored);
  if (ignored > 0) failures += " (Ignored: " + std::to_string(ignored) + ")";
  a.message = "Tasks Completed: " + std::to_string(completed) + " (Failed: " + failures +
              ", Cancelled " + std::to_string(cancelled) + "), Skipped: " + std::to_string(skipped);
  a.succeeded = true;
  a.reason = skipped > 0 ? "Completed" : "Succeeded";
  if (failed > 0 || skipped_timeout > 0) {
    a.succeeded = false;
    a.reason = "Failed";
  } else if (facts.stop != StopRequest::kNone) {
    a.succeeded = false;
    a.reason = "Cancelled";
    a.message = quoted_name + " was cancelled";
  } else if (cancelled > 0) {
    a.succeeded = false;
    a.reason = "Cancelled";
  }
  return a;
}

}  // namespace baton::sched
