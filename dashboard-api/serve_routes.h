#pragma once
// Every route of `baton serve` in one place, so schemas/openapi.yaml can be checked against
// exactly what the server mounts (tests/api/openapi_test.cc).

#include <functional>

#include "dashboard-api/api_routes.h"
#include "dashboard-api/health_routes.h"
#include "dashboard-api/router.h"
#include "dashboard-api/web_routes.h"
#include "dashboard-api/webhook_routes.h"

namespace baton::api {

/// Adds /healthz, /readyz, /metrics, POST /hooks/{listener}, the /api/v1 routes and the page.
inline void add_serve_routes(Router& router, std::function<bool()> ready,
                             const telemetry::Metrics& metrics, const WebhookContext& webhook,
                             const ApiContext& api) {
  add_health_routes(router, std::move(ready));
  add_metrics_route(router, metrics);
  add_webhook_routes(router, webhook);
  add_api_routes(router, api);
  add_web_routes(router);
}

}  // namespace baton::api
