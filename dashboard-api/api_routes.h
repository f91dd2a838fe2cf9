#pragma once
// The dashboard REST API under /api/v1 (docs/design/dashboard-api.md, schemas/openapi.yaml).

#include "dashboard-api/api_context.h"
#include "dashboard-api/router.h"

namespace baton::api {

/// Adds every /api/v1 route. `ctx` must outlive the router.
void add_api_routes(Router& router, const ApiContext& ctx);

/// Parts of add_api_routes, one file each.
void add_read_routes(Router& router, const ApiContext& ctx);
void add_action_routes(Router& router, const ApiContext& ctx);
void add_admin_routes(Router& router, const ApiContext& ctx);

}  // namespace baton::api
