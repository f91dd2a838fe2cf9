#include "runners/kubernetes/pod_status.h"

#include <time.h>

#include "runners/kubernetes/pod_spec.h"

namespace baton::runners::kube {

Result<CollectedResults> parse_collected(std::string_view log) {
  CollectedResults out;
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t nl = log.find('\n', pos);
    if (nl == std::string_view::npos) return Fail("collector output: truncated record header");
    std::string header(log.substr(pos, nl - pos));
    pos = nl + 1;
    if (header.empty()) continue;
    char kind[32], name[512];
    unsigned long long len = 0;
    if (header.rfind("baton-result ", 0) != 0 ||
        std::sscanf(header.c_str(), "baton-result %31s %511s %llu", kind, name, &len) != 3)
      return Fail("collector output: unexpected line \"" + header.substr(0, 80) + "\"");
    if (pos + len > log.size())
      return Fail("collector output: truncated value of " + std::string(name));
    std::string value(log.substr(pos, len));
    pos += len;
    if (pos < log.size() && log[pos] == '\n') ++pos;
    std::string k = kind, n = name;
    if (k == "result") {
      out.results[n] = value;
    } else if (k == "step-result") {
      std::size_t slash = n.find('/');
      if (slash == std::string::npos) return Fail("collector output: bad step result " + n);
      out.step_results[n.substr(0, slash)][n.substr(slash + 1)] = value;
    } else if (k == "exit-code") {
      try {
        out.exit_codes[n] = std::stoi(value);
      } catch (const std::exception&) {
        return Fail("collector output: bad exit code of " + n);
      }
    }
  }
  return out;
}

const Json* container_status(const Json& pod, const std::string& name) {
  if (!pod.contains("status")) return nullptr;
  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    const auto& st = pod["status"];
    if (!st.contains(list) || !st[list].is_array()) continue;
    for (const auto& c : st[list]) {
      if (c.value("name", "") == name) return &c;
    }
  }
  return nullptr;
}

bool container_started(const Json& pod, const std::string& name) {
  const Json* c = container_status(pod, name);
  if (!c || !c->contains("state")) return false;
  const auto& s = (*c)["state"];
  return s.contains("running") || s.contains("terminated");
}

bool container_terminated(const Json& pod, const std::string& name) {
  const Json* c = container_status(pod, name);
  return c && c->contains("state") && (*c)["state"].contains("terminated");
}

bool pod_finished(const Json& pod) {
  std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  return phase == "Succeeded" || phase == "Failed";
}

std::optional<exec::Clock::time_point> parse_time(const std::string& s) {
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  return exec::Clock::from_time_t(timegm(&tm));
}

exec::TaskOutcome outcome_of(const exec::TaskInvocation& inv, const Json& pod,
                             const CollectedResults& collected, const StopCause& stop,
                             std::size_t max_result_bytes) {
  exec::TaskOutcome o;
  bool failed_step = false;
  std::string first_failure;
  for (std::size_t i = 0; i < inv.steps.size(); ++i) {
    exec::StepOutcome s;
    s.name = inv.steps[i].name;
    const Json* c = container_status(pod, step_container(inv, i));
    const Json* term = c && c->contains("state") && (*c)["state"].contains("terminated")
                           ? &(*c)["state"]["terminated"]
                           : nullptr;
    if (term) {
      s.started = true;
      s.exit_code = term->value("exitCode", -1);
      if (auto t = parse_time(term->value("startedAt", ""))) s.started_at = *t;
      if (auto t = parse_time(term->value("finishedAt", ""))) s.finished_at = *t;
      if (auto it = collected.exit_codes.find(s.name); it != collected.exit_codes.end())
        s.exit_code = it->second;  // onError: continue recorded the step's own code
      s.reason = s.exit_code == 0 ? "Completed" : "Error";
      s.message = term->value("message", "");
      if (s.exit_code != 0 && inv.steps[i].on_error != "continue" && !failed_step) {
        failed_step = true;
        first_failure = "\"step-" + s.name + "\" exited with code " + std::to_string(s.exit_code);
      }
    } else if (!stop.reason.empty()) {
      s.started = c && c->contains("state") && (*c)["state"].contains("running");
      s.reason = stop.reason;
    } else {
      s.reason = "Skipped";
    }
    if (auto it = collected.step_results.find(s.name); it != collected.step_results.end())
      s.results = it->second;
    o.steps.push_back(std::move(s));
  }
  std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  std::string pod_reason = pod.contains("status") ? pod["status"].value("reason", "") : "";
  if (!stop.reason.empty()) {
    o.reason = stop.reason;
    o.message = stop.reason == "TaskRunTimeout" ? "TaskRun timed out; pod deleted"
                                                : "TaskRun cancelled; pod deleted";
  } else if (pod_reason == "DeadlineExceeded") {
    o.reason = "TaskRunTimeout";
    o.message = "pod exceeded activeDeadlineSeconds";
  } else if (stop.deleted) {
    o.reason = "Failed";
    o.message = "pod " + pod_name(inv) + " was deleted before it finished";
  } else if (failed_step || phase == "Failed") {
    o.reason = "Failed";
    o.message = failed_step
                    ? first_failure
                    : "pod failed: " + pod_reason + " " +
                          (pod.contains("status") ? pod["status"].value("message", "") : "");
  } else if (phase == "Succeeded") {
    o.succeeded = true;
    o.reason = "Succeeded";
    o.results = collected.results;
    for (const auto& [k, v] : o.results) {
      if (v.size() > max_result_bytes) {
        o.succeeded = false;
        o.reason = "TaskRunResultLargerThanAllowedLimit";
        o.message = "result \"" + k + "\" is " + std::to_string(v.size()) + " bytes";
      }
    }
  } else {
    o.reason = "InternalError";
    o.message = "pod ended in phase \"" + phase + "\"";
  }
  if (const Json* ss = pod.contains("status") ? &pod["status"] : nullptr;
      ss && ss->contains("startTime")) {
    if (auto t = parse_time((*ss)["startTime"].get<std::string>())) o.started_at = *t;
  }
  o.finished_at = exec::Clock::now();
  if (o.started_at == exec::Clock::time_point{}) o.started_at = o.finished_at;
  return o;
}

}  // namespace baton::runners::kube
