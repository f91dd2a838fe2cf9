#pragma once
// A finished (or running) run as Tekton's v1 object with `status`, the shape the Tekton API
// specification defines: conditions, startTime/completionTime, childReferences, results,
// skippedTasks for PipelineRuns; steps with `terminated`, results for TaskRuns.

#include <nlohmann/json.hpp>

#include "engine/sched/plan.h"
#include "engine/sched/report.h"

namespace baton::sched {

/// The PipelineRun or TaskRun object (apiVersion, kind, metadata, spec, status).
nlohmann::json run_status_object(const RunPlan& plan, const RunReport& report);

/// RFC 3339 UTC with second precision, as Kubernetes writes metav1.Time.
std::string rfc3339(TimePoint t);

}  // namespace baton::sched
