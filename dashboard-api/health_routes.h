#pragma once
// The operational routes every `baton serve` exposes.

#include <functional>

#include "dashboard-api/router.h"

namespace baton::telemetry {
class Metrics;
}

namespace baton::api {

/// GET /healthz: 200 while the process serves. GET /readyz: 200 when `ready()` returns true,
/// else 503 (e.g. store not open yet, or shutting down). `ready` must be thread-safe.
void add_health_routes(Router& router, std::function<bool()> ready);

/// GET /metrics: `metrics.render()` as text/plain; version=0.0.4. `metrics` must outlive the
/// router.
void add_metrics_route(Router& router, const telemetry::Metrics& metrics);

}  // namespace baton::api
