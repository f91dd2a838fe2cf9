#include "engine/sched/status.h"

#include <ctime>

namespace baton::sched {

using nlohmann::json;

std::string rfc3339(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

json condition(bool done, bool succeeded, const std::string& reason, const std::string& message,
               TimePoint at) {
  return json{{"type", "Succeeded"},
              {"status", !done       ? "Unknown"
                         : succeeded ? "True"
                                     : "False"},
              {"reason", reason},
              {"message", message},
              {"lastTransitionTime", rfc3339(at)}};
}

json param_json(const model::ParamValue& v) { return json::parse(v.to_json()); }

json task_run_status(const AttemptReport& a, const std::map<std::string, model::ValueType>& types) {
  const exec::TaskOutcome& o = a.outcome;
  json st;
  st["conditions"] =
      json::array({condition(true, o.succeeded, o.reason, o.message, o.finished_at)});
  st["podName"] = "";
  st["startTime"] = rfc3339(o.started_at);
  st["completionTime"] = rfc3339(o.finished_at);
  json steps = json::array();
  for (const auto& s : o.steps) {
    json step{{"name", s.name}, {"container", "step-" + s.name}};
    if (s.started) {
      step["terminated"] = json{{"exitCode", s.exit_code},
                                {"reason", s.reason},
                                {"startedAt", rfc3339(s.started_at)},
                                {"finishedAt", rfc3339(s.finished_at)}};
      if (!s.message.empty()) step["terminated"]["message"] = s.message;
    } else {
      step["terminated"] = json{{"exitCode", 1}, {"reason", "Skipped"}};
    }
    if (!s.results.empty()) {
      json rs = json::array();
      for (const auto& [k, v] : s.results)
        rs.push_back({{"name", k}, {"type", "string"}, {"value", v}});
      step["results"] = rs;
    }
    steps.push_back(step);
  }
  st["steps"] = steps;
  if (!o.results.empty()) {
    json rs = json::array();
    for (const auto& [k, v] : o.results) {
      auto it = types.find(k);
      model::ValueType t = it == types.end() ? model::ValueType::kString : it->second;
      json value = v;
      if (t != model::ValueType::kString) {
        json parsed = json::parse(v, nullptr, false);
        if (!parsed.is_discarded()) value = parsed;
      }
      rs.push_back({{"name", k}, {"type", model::to_string(t)}, {"value", value}});
    }
    st["results"] = rs;
  }
  return st;
}

std::map<std::string, model::ValueType> result_types(const PlannedTask& t) {
  std::map<std::string, model::ValueType> m;
  if (t.spec) {
    for (const auto& r : t.spec->results) m[r.name] = r.type;
  }
  return m;
}

}  // namespace

json run_status_object(const RunPlan& plan, const RunReport& report) {
  bool done = report.finished_at != TimePoint{};
  json obj;
  obj["apiVersion"] = "tekton.dev/v1";
  obj["kind"] = plan.kind;
  obj["metadata"] = {{"name", plan.name}, {"namespace", plan.namespace_}, {"uid", report.uid}};
  if (!plan.labels.empty()) obj["metadata"]["labels"] = plan.labels;
  if (!plan.annotations.empty()) obj["metadata"]["annotations"] = plan.annotations;

  if (plan.kind == "TaskRun") {
    const TaskReport& t = report.tasks.at(0);
    json st;
    if (!t.instances.empty() && !t.instances[0].attempts.empty()) {
      const auto& attempts = t.instances[0].attempts;
      st = task_run_status(attempts.back(), result_types(plan.tasks[0]));
      json retries = json::array();
      for (std::size_t i = 0; i + 1 < attempts.size(); ++i) {
        retries.push_back(task_run_status(attempts[i], result_types(plan.tasks[0])));
      }
      if (!retries.empty()) st["retriesStatus"] = retries;
    }
    st["conditions"] = json::array({condition(done, report.succeeded, report.reason, report.message,
                                              done ? report.finished_at : report.started_at)});
    if (plan.tasks[0].spec) {
      st["taskSpec"] = json::object();  // kept small: the spec as run is in the store
    }
    obj["status"] = st;
    return obj;
  }

  json st;
  st["conditions"] = json::array({condition(done, report.succeeded, report.reason, report.message,
                                            done ? report.finished_at : report.started_at)});
  st["startTime"] = rfc3339(report.started_at);
  if (done) st["completionTime"] = rfc3339(report.finished_at);
  json children = json::array();
  json skipped = json::array();
  json task_runs = json::object();  // not in v1 status; kept under a baton key for humans
  for (std::size_t i = 0; i < report.tasks.size(); ++i) {
    const TaskReport& t = report.tasks[i];
    if (t.status == TaskStatus::kSkipped) {
      json s{{"name", t.name}, {"reason", t.reason}};
      if (!plan.tasks[i].task.when.empty()) {
        json when = json::array();
        for (const auto& w : plan.tasks[i].task.when) {
          when.push_back({{"input", w.input}, {"operator", w.op}, {"values", w.values}});
        }
        s["whenExpressions"] = when;
      }
      skipped.push_back(s);
      continue;
    }
    for (const auto& inst : t.instances) {
      if (inst.attempts.empty()) continue;
      children.push_back({{"apiVersion", "tekton.dev/v1"},
                          {"kind", "TaskRun"},
                          {"name", inst.task_run_name},
                          {"pipelineTaskName", t.name}});
      task_runs[inst.task_run_name] = {
          {"pipelineTaskName", t.name},
          {"status", task_run_status(inst.attempts.back(), result_types(plan.tasks[i]))}};
    }
  }
  st["childReferences"] = children;
  if (!skipped.empty()) st["skippedTasks"] = skipped;
  if (!report.results.empty()) {
    json rs = json::array();
    for (const auto& [name, v] : report.results)
      rs.push_back({{"name", name}, {"value", param_json(v)}});
    st["results"] = rs;
  }
  json spec = json::object();
  st["pipelineSpec"] = spec;
  obj["status"] = st;
  obj["baton"] = {{"taskRuns", task_runs}};
  return obj;
}

}  // namespace baton::sched
