#include "dashboard-api/otlp_exporter.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace baton::api {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Json = nlohmann::json;
using tcp = boost::asio::ip::tcp;

// OTLP's SpanKind enum: INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5.
int span_kind(const std::string& kind) {
  if (kind == "server") return 2;
  if (kind == "client") return 3;
  if (kind == "producer") return 4;
  if (kind == "consumer") return 5;
  return 1;
}

// StatusCode: UNSET 0, OK 1, ERROR 2.
int status_code(const std::string& code) { return code == "ok" ? 1 : code == "error" ? 2 : 0; }

Json attribute(const std::string& key, const Json& value) {
  Json v;
  if (value.is_boolean()) {
    v["boolValue"] = value.get<bool>();
  } else if (value.is_number_integer()) {
    v["intValue"] = std::to_string(value.get<std::int64_t>());  // int64 is a JSON string in OTLP
  } else if (value.is_number()) {
    v["doubleValue"] = value.get<double>();
  } else {
    v["stringValue"] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return {{"key", key}, {"value", v}};
}

}  // namespace

std::string otlp_trace_json(const std::vector<store::SpanRecord>& spans,
                            const std::string& service) {
  Json out_spans = Json::array();
  for (const auto& s : spans) {
    Json attrs = Json::array();
    Json stored = Json::parse(s.attributes, nullptr, false);
    if (stored.is_object()) {
      for (const auto& [k, v] : stored.items()) attrs.push_back(attribute(k, v));
    }
    if (s.run_id) attrs.push_back(attribute("baton.run_id", *s.run_id));
    Json span = {{"traceId", s.trace_id},
                 {"spanId", s.span_id},
                 {"name", s.name},
                 {"kind", span_kind(s.kind)},
                 {"startTimeUnixNano", std::to_string(s.start_ns)},
                 {"endTimeUnixNano", std::to_string(s.end_ns.value_or(s.start_ns))},
                 {"attributes", attrs},
                 {"status", {{"code", status_code(s.status_code)}}}};
    if (!s.parent_span_id.empty()) span["parentSpanId"] = s.parent_span_id;
    if (!s.status_message.empty()) span["status"]["message"] = s.status_message;
    out_spans.push_back(std::move(span));
  }
  Json body = {
      {"resourceSpans",
       Json::array(
           {{{"resource", {{"attributes", Json::array({attribute("service.name", service)})}}},
             {"scopeSpans",
              Json::array({{{"scope", {{"name", "baton"}}}, {"spans", out_spans}}})}}})}};
  return body.dump();
}

OtlpExporter::OtlpExporter(std::string endpoint, store::RunStore& store,
                           std::function<void(const std::string&)> log)
    : endpoint_(std::move(endpoint)), store_(store), log_(std::move(log)) {}

OtlpExporter::~OtlpExporter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status OtlpExporter::start() {
  const std::string scheme = "http://";
  if (endpoint_.rfind(scheme, 0) != 0) {
    return Fail("OTLP endpoint " + endpoint_ + ": only http:// is supported by this build");
  }
  std::string rest = endpoint_.substr(scheme.size());
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string base = slash == std::string::npos ? "" : rest.substr(slash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::size_t colon = authority.rfind(':');
  host_ = colon == std::string::npos ? authority : authority.substr(0, colon);
  port_ = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  path_ = base + "/v1/traces";
  if (host_.empty()) return Fail("OTLP endpoint " + endpoint_ + ": no host");
  thread_ = std::thread([this] { loop(); });
  return {};
}

void OtlpExporter::enqueue(const std::string& trace_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(trace_id);
  }
  cv_.notify_all();
}

std::size_t OtlpExporter::sent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sent_;
}

void OtlpExporter::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::string trace = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto spans = store_.list_spans(trace);
    Status s = spans.ok() ? post(otlp_trace_json(*spans, "baton")) : Status(spans.error());
    if (!s.ok() && log_) log_("OTLP export of trace " + trace + ": " + s.error().message);
    lock.lock();
    if (s.ok()) ++sent_;
  }
}

Status OtlpExporter::post(const std::string& body) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::string_body> req{http::verb::post, path_, 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    if (res.result_int() / 100 != 2) {
      return Fail("collector answered " + std::to_string(res.result_int()) + ": " +
                  res.body().substr(0, 200));
    }
    return {};
  } catch (const std::exception& e) {  // Beast reports I/O errors by exception here
    return Fail(endpoint_ + ": " + e.what());
  }
}

}  // namespace baton::api
