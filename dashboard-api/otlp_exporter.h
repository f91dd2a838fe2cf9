#pragma once
// Exports finished runs' trace spans to an OpenTelemetry collector over OTLP/HTTP with the JSON
// encoding (POST <endpoint>/v1/traces). Runs never wait for it: traces are queued and sent by one
// background thread; a collector that is down costs a log line, not a run.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/common/result.h"
#include "engine/store/records.h"
#include "engine/store/run_store.h"

namespace baton::api {

/// The OTLP JSON body (ExportTraceServiceRequest) of `spans`, resource service.name `service`.
std::string otlp_trace_json(const std::vector<store::SpanRecord>& spans,
                            const std::string& service);

/// Sends each queued trace's spans from the store to the collector.
class OtlpExporter {
 public:
  /// `endpoint` like http://127.0.0.1:4318 (plain HTTP; https is refused by start()).
  OtlpExporter(std::string endpoint, store::RunStore& store,
               std::function<void(const std::string&)> log);
  ~OtlpExporter();
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  /// Checks the endpoint and starts the sender thread.
  Status start();
  /// Queues a trace (its spans are read from the store when sent).
  void enqueue(const std::string& trace_id);
  /// Traces sent successfully so far.
  std::size_t sent() const;

 private:
  void loop();
  Status post(const std::string& body);

  std::string host_, port_, path_;
  std::string endpoint_;
  store::RunStore& store_;
  std::function<void(const std::string&)> log_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::size_t sent_ = 0;
  std::thread thread_;
};

}  // namespace baton::api
