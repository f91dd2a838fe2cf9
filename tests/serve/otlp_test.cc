// Trace export: `baton serve` sends a finished run's spans over OTLP/HTTP JSON to a collector
// (here a server on port 0 that records what it receives), and the run's trace continues the
// webhook request's W3C traceparent.

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "dashboard-api/http_server.h"
#include "dashboard-api/otlp_exporter.h"
#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace baton::serve_testing {
namespace {

using Json = nlohmann::json;

TEST(OtlpJson, CarriesIdsKindsTimesAttributesAndStatus) {
  store::SpanRecord s;
  s.trace_id = std::string(32, 'a');
  s.span_id = std::string(16, 'b');
  s.parent_span_id = std::string(16, 'c');
  s.run_id = "run-1";
  s.name = "step build";
  s.kind = "server";
  s.start_ns = 1700000000000000001;
  s.end_ns = 1700000000000000009;
  s.attributes = R"({"exit_code": 2, "ok": false, "step": "build"})";
  s.status_code = "error";
  s.status_message = "exit 2";
  Json j = Json::parse(api::otlp_trace_json({s}, "baton"));
  const Json& rs = j["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
  const Json& span = rs["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], s.trace_id);
  EXPECT_EQ(span["spanId"], s.span_id);
  EXPECT_EQ(span["parentSpanId"], s.parent_span_id);
  EXPECT_EQ(span["kind"], 2);                                   // SPAN_KIND_SERVER
  EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000001");  // int64 as a JSON string
  EXPECT_EQ(span["endTimeUnixNano"], "1700000000000000009");
  EXPECT_EQ(span["status"]["code"], 2);  // STATUS_CODE_ERROR
  EXPECT_EQ(span["status"]["message"], "exit 2");
  std::map<std::string, Json> attrs;
  for (const auto& a : span["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(attrs["exit_code"]["intValue"], "2");
  EXPECT_EQ(attrs["ok"]["boolValue"], false);
  EXPECT_EQ(attrs["step"]["stringValue"], "build");
  EXPECT_EQ(attrs["baton.run_id"]["stringValue"], "run-1");
}

const char kListener[] = R"yaml(
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: traced}
spec:
  triggers:
    - name: t
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: traced-}
              spec:
                pipelineSpec:
                  tasks:
                    - name: show
                      taskSpec:
                        steps: [{name: env, image: busybox, script: 'echo "tp=$TRACEPARENT"'}]
)yaml";

TEST(OtlpExport, ARunsSpansReachTheCollectorInTheSendersTrace) {
  std::mutex mu;
  std::vector<std::string> received;
  auto router = std::make_shared<api::Router>();
  router->add("POST", "/v1/traces", [&](const api::HttpRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(req.body);
    return api::json_response(200, "{}");
  });
  auto collector = api::HttpServer::start({}, router, nullptr);
  ASSERT_TRUE(collector.ok());

  ServeProcess server(testing::make_temp_dir(), "telemetry: {otlpEndpoint: http://127.0.0.1:" +
                                                    std::to_string((*collector)->port()) + "}\n");
  testing::write_text(server.sources() + "/traced.yaml", kListener);
  ASSERT_TRUE(server.start()) << server.log();
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  auto r = server.post("traced", "{}",
                       {{"Content-Type", "application/json"},
                        {"traceparent", "00-" + trace + "-" + parent + "-01"}});
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !received.empty();
  })) << server.log();
  Json body;
  {
    std::lock_guard<std::mutex> lock(mu);
    body = Json::parse(received.front());
  }
  const Json& spans = body["resourceSpans"][0]["scopeSpans"][0]["spans"];
  ASSERT_GE(spans.size(), 3u) << body.dump();  // run, TaskRun attempt, step
  std::string run_span;
  for (const auto& s : spans) {
    EXPECT_EQ(s["traceId"], trace);
    if (s["name"].get<std::string>().rfind("PipelineRun", 0) == 0) {
      EXPECT_EQ(s["parentSpanId"], parent);  // the webhook sender's span
      run_span = s["spanId"];
    }
  }
  EXPECT_FALSE(run_span.empty());
  // The step saw a TRACEPARENT in the same trace.
  auto store = open_store(server.store_path());
  auto runs = store->list_runs({});
  ASSERT_TRUE(runs.ok() && runs->runs.size() == 1);
  auto attempts = store->list_task_runs(runs->runs[0].id);
  ASSERT_TRUE(attempts.ok() && attempts->size() == 1);
  auto chunks = store->read_logs(attempts->front().id, 0, 0);
  ASSERT_TRUE(chunks.ok());
  std::string log;
  for (const auto& c : *chunks) log += c.data;
  EXPECT_NE(log.find("tp=00-" + trace + "-"), std::string::npos) << log;
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace baton::serve_testing
