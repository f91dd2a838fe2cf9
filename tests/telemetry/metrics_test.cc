// Metrics: the series names, labels and values of the text exposition.
#include "engine/telemetry/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace baton::telemetry {
namespace {

using namespace std::chrono_literals;

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

TEST(Metrics, RendersEverySeriesWithTypeAndLabels) {
  Metrics metrics;
  metrics.run_finished("build", "Succeeded", 12s);
  metrics.run_finished("build", "Failed", 3s);
  metrics.run_finished("build", "Succeeded", 1s);
  metrics.task_run_finished("Succeeded", 2s);
  metrics.set_queue_depth(4);
  metrics.queue_waited(20ms);
  metrics.webhook_delivery(DeliveryResult::kAccepted);
  metrics.webhook_delivery(DeliveryResult::kDuplicate);
  metrics.webhook_delivery(DeliveryResult::kAccepted);
  metrics.http_request("POST", "webhook", 202, 3ms);
  const std::string text = metrics.render();
  struct Expect {
    const char* line;
  };
  const Expect kLines[] = {
      {"# TYPE baton_runs_total counter"},
      {R"(baton_runs_total{outcome="Succeeded",pipeline="build"} 2)"},
      {R"(baton_runs_total{outcome="Failed",pipeline="build"} 1)"},
      {"# TYPE baton_run_duration_seconds histogram"},
      {R"(baton_run_duration_seconds_count{pipeline="build"} 3)"},
      {R"(baton_run_duration_seconds_sum{pipeline="build"} 16)"},
      {R"(baton_run_duration_seconds_bucket{pipeline="build",le="10"} 2)"},
      {R"(baton_task_runs_total{outcome="Succeeded"} 1)"},
      {"baton_task_run_duration_seconds_count 1"},
      {"# TYPE baton_queue_depth gauge"},
      {"baton_queue_depth 4"},
      {"baton_queue_wait_seconds_count 1"},
      {R"(baton_queue_wait_seconds_bucket{le="0.01"} 0)"},
      {R"(baton_queue_wait_seconds_bucket{le="0.05"} 1)"},
      {R"(baton_webhook_deliveries_total{result="accepted"} 2)"},
      {R"(baton_webhook_deliveries_total{result="duplicate"} 1)"},
      {R"(baton_webhook_deliveries_total{result="filtered"} 0)"},  // exported before any event
      {R"(baton_webhook_deliveries_total{result="rejected"} 0)"},
      {R"(baton_webhook_deliveries_total{result="error"} 0)"},
      {R"(baton_http_requests_total{code="202",method="POST",route="webhook"} 1)"},
      {R"(baton_http_request_duration_seconds_bucket{route="webhook",le="0.0025"} 0)"},
      {R"(baton_http_request_duration_seconds_bucket{route="webhook",le="0.005"} 1)"},
      {R"(baton_http_request_duration_seconds_bucket{route="webhook",le="+Inf"} 1)"},
  };
  for (const Expect& e : kLines) EXPECT_TRUE(has_line(text, e.line)) << e.line << "\n" << text;
}

TEST(Metrics, EveryLineIsValidExposition) {
  Metrics metrics;
  metrics.run_finished("p\"q\\", "Succeeded", 1s);  // label values are escaped
  metrics.http_request("GET", "/healthz", 200, 1ms);
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eInfa]+$)");
  std::istringstream in(metrics.render());
  int samples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
}

TEST(Metrics, UnknownMethodsShareOneLabel) {
  Metrics metrics;
  metrics.http_request("BREW", "unmatched", 404, 1ms);
  metrics.http_request("X-ANYTHING", "unmatched", 404, 1ms);
  EXPECT_TRUE(
      has_line(metrics.render(),
               R"(baton_http_requests_total{code="404",method="OTHER",route="unmatched"} 2)"));
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  Metrics metrics;
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        metrics.http_request("GET", t % 2 ? "a" : "b", 200, 1ms);
        metrics.webhook_delivery(DeliveryResult::kAccepted);
        if (i % 100 == 0) (void)metrics.render();  // scrapes race with updates
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = metrics.render();
  EXPECT_TRUE(has_line(text, R"(baton_webhook_deliveries_total{result="accepted"} 16000)"));
  EXPECT_TRUE(
      has_line(text, R"(baton_http_requests_total{code="200",method="GET",route="a"} 8000)"));
  EXPECT_TRUE(has_line(text, R"(baton_http_request_duration_seconds_count{route="b"} 8000)"));
}

}  // namespace
}  // namespace baton::telemetry
