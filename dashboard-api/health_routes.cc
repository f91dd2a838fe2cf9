#include "dashboard-api/health_routes.h"

#include "engine/telemetry/metrics.h"

namespace baton::api {

void add_health_routes(Router& router, std::function<bool()> ready) {
  router.add(
      "GET", "/healthz",
      [](const HttpRequest&) { return json_response(200, R"({"status":"ok"})"); }, "/healthz");
  router.add(
      "GET", "/readyz",
      [ready = std::move(ready)](const HttpRequest&) {
        if (ready && ready()) return json_response(200, R"({"status":"ready"})");
        return json_response(503, R"({"status":"not ready"})");
      },
      "/readyz");
}

void add_metrics_route(Router& router, const telemetry::Metrics& metrics) {
  router.add(
      "GET", "/metrics",
      [&metrics](const HttpRequest&) {
        HttpResponse response = json_response(200, metrics.render());
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        return response;
      },
      "/metrics");
}

}  // namespace baton::api
