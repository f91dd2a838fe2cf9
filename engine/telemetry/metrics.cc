#include "engine/telemetry/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>

namespace baton::telemetry {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Runs and TaskRuns last from a second to hours.
const Histogram::BucketBoundaries kRunBuckets = {0.5, 1,   2.5, 5,    10,   30,  60,
                                                 120, 300, 600, 1800, 3600, 7200};
// Queue waits range from nothing (a free slot) to long concurrency-group waits.
const Histogram::BucketBoundaries kQueueBuckets = {0.005, 0.01, 0.05, 0.1, 0.5, 1,   5,
                                                   10,    30,   60,   300, 900, 3600};
// The webhook target is p99 under 10 ms, so the buckets are dense below it.
const Histogram::BucketBoundaries kHttpBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

constexpr std::array<DeliveryResult, 5> kDeliveryResults = {
    DeliveryResult::kAccepted, DeliveryResult::kDuplicate, DeliveryResult::kFiltered,
    DeliveryResult::kRejected, DeliveryResult::kError};

// Methods a client may send are unbounded tokens; only the standard ones become label values.
std::string method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  for (std::string_view known : kKnown) {
    if (method == known) return std::string(method);
  }
  return "OTHER";
}

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  Family<Counter>& runs =
      prometheus::BuildCounter()
          .Name("baton_runs_total")
          .Help("PipelineRuns finished, by pipeline and outcome (Tekton reason)")
          .Register(*registry);
  Family<Histogram>& run_duration = prometheus::BuildHistogram()
                                        .Name("baton_run_duration_seconds")
                                        .Help("PipelineRun duration from start to finish")
                                        .Register(*registry);
  Family<Counter>& task_runs = prometheus::BuildCounter()
                                   .Name("baton_task_runs_total")
                                   .Help("TaskRuns finished, by outcome (Tekton reason)")
                                   .Register(*registry);
  Family<Histogram>& task_run_duration = prometheus::BuildHistogram()
                                             .Name("baton_task_run_duration_seconds")
                                             .Help("TaskRun duration from start to finish")
                                             .Register(*registry);
  Gauge& queue_depth = prometheus::BuildGauge()
                           .Name("baton_queue_depth")
                           .Help("Runs waiting in the queue")
                           .Register(*registry)
                           .Add({});
  Histogram& queue_wait = prometheus::BuildHistogram()
                              .Name("baton_queue_wait_seconds")
                              .Help("Time a run waited in the queue before it started")
                              .Register(*registry)
                              .Add({}, kQueueBuckets);
  Family<Counter>& deliveries = prometheus::BuildCounter()
                                    .Name("baton_webhook_deliveries_total")
                                    .Help("Webhook deliveries answered, by result")
                                    .Register(*registry);
  Family<Counter>& http_requests = prometheus::BuildCounter()
                                       .Name("baton_http_requests_total")
                                       .Help("HTTP requests answered, by method, route and code")
                                       .Register(*registry);
  Family<Histogram>& http_latency =
      prometheus::BuildHistogram()
          .Name("baton_http_request_duration_seconds")
          .Help("Time from a request read in full to its response written, by route")
          .Register(*registry);
  Histogram& task_run_duration_all = task_run_duration.Add({}, kRunBuckets);
  prometheus::TextSerializer serializer;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
  // Every delivery result is exported from the start, so rate() sees a 0 before the first event.
  for (DeliveryResult result : kDeliveryResults) {
    impl_->deliveries.Add({{"result", std::string(to_string(result))}});
  }
}

Metrics::~Metrics() = default;

void Metrics::run_finished(std::string_view pipeline, std::string_view outcome, Seconds duration) {
  const std::string name(pipeline);
  impl_->runs.Add({{"pipeline", name}, {"outcome", std::string(outcome)}}).Increment();
  impl_->run_duration.Add({{"pipeline", name}}, kRunBuckets).Observe(duration.count());
}

void Metrics::task_run_finished(std::string_view outcome, Seconds duration) {
  impl_->task_runs.Add({{"outcome", std::string(outcome)}}).Increment();
  impl_->task_run_duration_all.Observe(duration.count());
}

void Metrics::set_queue_depth(std::size_t depth) {
  impl_->queue_depth.Set(static_cast<double>(depth));
}

void Metrics::queue_waited(Seconds wait) { impl_->queue_wait.Observe(wait.count()); }

void Metrics::webhook_delivery(DeliveryResult result) {
  impl_->deliveries.Add({{"result", std::string(to_string(result))}}).Increment();
}

void Metrics::http_request(std::string_view method, std::string_view route, int status,
                           Seconds latency) {
  const std::string route_name(route);
  impl_->http_requests
      .Add({{"method", method_label(method)},
            {"route", route_name},
            {"code", std::to_string(status)}})
      .Increment();
  impl_->http_latency.Add({{"route", route_name}}, kHttpBuckets).Observe(latency.count());
}

std::string Metrics::render() const {
  return impl_->serializer.Serialize(impl_->registry->Collect());
}

std::string_view to_string(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kAccepted:
      return "accepted";
    case DeliveryResult::kDuplicate:
      return "duplicate";
    case DeliveryResult::kFiltered:
      return "filtered";
    case DeliveryResult::kRejected:
      return "rejected";
    case DeliveryResult::kError:
      return "error";
  }
  return "error";
}

}  // namespace baton::telemetry
