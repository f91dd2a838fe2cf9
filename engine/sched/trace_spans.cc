#include "engine/sched/trace_spans.h"

#include <nlohmann/json.hpp>
#include <random>

namespace baton::sched {

namespace {
std::int64_t ns_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

std::string random_hex(std::size_t bytes) {
  static thread_local std::mt19937_64 gen(std::random_device{}());
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(gen() & 0xFF);
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

store::SpanRecord run_span(const std::string& trace_id, const std::string& span_id,
                           const std::string& run_id, const std::string& name,
                           std::chrono::system_clock::time_point start,
                           std::chrono::system_clock::time_point end, bool succeeded,
                           const std::string& reason, const std::string& message) {
  store::SpanRecord span;
  span.trace_id = trace_id;
  span.span_id = span_id;
  span.run_id = run_id;
  span.name = name;
  span.kind = "server";
  span.start_ns = ns_of(start);
  span.end_ns = ns_of(end);
  span.attributes = nlohmann::json{{"baton.reason", reason}}.dump();
  span.status_code = succeeded ? "ok" : "error";
  span.status_message = message;
  return span;
}

std::vector<store::SpanRecord> attempt_spans(
    const std::string& trace_id, const std::string& run_span_id, const std::string& attempt_span_id,
    const std::string& run_id, const std::string& task_run_id, const exec::TaskInvocation& inv,
    const exec::TaskOutcome& o) {
  std::vector<store::SpanRecord> out;
  store::SpanRecord span;
  span.trace_id = trace_id;
  span.span_id = attempt_span_id;
  span.parent_span_id = run_span_id;
  span.run_id = run_id;
  span.name =
      inv.task_run_name + (inv.attempt > 0 ? " (retry " + std::to_string(inv.attempt) + ")" : "");
  span.start_ns = ns_of(o.started_at);
  span.end_ns = ns_of(o.finished_at);
  span.attributes = nlohmann::json{
      {"baton.task_run_id", task_run_id},
      {"baton.attempt", inv.attempt},
      {"baton.reason",
       o.reason}}.dump();
  span.status_code = o.succeeded ? "ok" : "error";
  span.status_message = o.message;
  out.push_back(std::move(span));
  for (const auto& st : o.steps) {
    if (!st.started) continue;
    store::SpanRecord s;
    s.trace_id = trace_id;
    s.span_id = random_hex(8);
    s.parent_span_id = attempt_span_id;
    s.run_id = run_id;
    s.name = st.name;
    s.start_ns = ns_of(st.started_at);
    s.end_ns = ns_of(st.finished_at);
    s.attributes =
        nlohmann::json{{"baton.exit_code", st.exit_code}, {"baton.reason", st.reason}}.dump();
    s.status_code = st.exit_code == 0 ? "ok" : "error";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace baton::sched
