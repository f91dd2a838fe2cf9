#pragma once
// W3C trace spans of a run: one for the run, one per TaskRun attempt, one per step, stored so
// the dashboard can draw a waterfall and an OTLP exporter can send them on.

#include <chrono>
#include <string>
#include <vector>

#include "engine/exec/runner.h"
#include "engine/store/records.h"

namespace baton::sched {

/// `bytes` random bytes as lowercase hex (trace ids: 16, span ids: 8).
std::string random_hex(std::size_t bytes);

/// The span of a whole run.
store::SpanRecord run_span(const std::string& trace_id, const std::string& span_id,
                           const std::string& run_id, const std::string& name,
                           std::chrono::system_clock::time_point start,
                           std::chrono::system_clock::time_point end, bool succeeded,
                           const std::string& reason, const std::string& message);

/// The span of one TaskRun attempt (child of the run span) and one per started step.
std::vector<store::SpanRecord> attempt_spans(
    const std::string& trace_id, const std::string& run_span_id, const std::string& attempt_span_id,
    const std::string& run_id, const std::string& task_run_id, const exec::TaskInvocation& inv,
    const exec::TaskOutcome& o);

}  // namespace baton::sched
