#pragma once
// Metrics: the Prometheus series of `baton serve`, one named method per event so callers cannot
// invent series or labels. prometheus-cpp stays inside metrics.cc.
//
// Label values must come from bounded sets (Tekton reasons, configured pipeline names, router
// route names), never from request data: each distinct value is a new time series.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace baton::telemetry {

/// What happened to one webhook delivery (label `result` of baton_webhook_deliveries_total).
enum class DeliveryResult { kAccepted, kDuplicate, kFiltered, kRejected, kError };

/// Seconds as a double, the unit of every duration series.
using Seconds = std::chrono::duration<double>;

/// The registry of Baton's metrics; every method is thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// A PipelineRun ended: baton_runs_total{pipeline,outcome} and
  /// baton_run_duration_seconds{pipeline}. `outcome` is the Tekton reason ("Succeeded", ...).
  void run_finished(std::string_view pipeline, std::string_view outcome, Seconds duration);
  /// A TaskRun ended: baton_task_runs_total{outcome} and baton_task_run_duration_seconds.
  void task_run_finished(std::string_view outcome, Seconds duration);
  /// Runs waiting in the queue now: baton_queue_depth.
  void set_queue_depth(std::size_t depth);
  /// A run left the queue after waiting `wait`: baton_queue_wait_seconds.
  void queue_waited(Seconds wait);
  /// A webhook delivery was answered: baton_webhook_deliveries_total{result}.
  void webhook_delivery(DeliveryResult result);
  /// An HTTP request was answered: baton_http_requests_total{method,route,code} and
  /// baton_http_request_duration_seconds{route}. Unknown methods are counted as "OTHER".
  void http_request(std::string_view method, std::string_view route, int status, Seconds latency);

  /// The Prometheus text exposition format (version 0.0.4) of every series.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The label value of a DeliveryResult ("accepted", "duplicate", ...).
std::string_view to_string(DeliveryResult result);

}  // namespace baton::telemetry
