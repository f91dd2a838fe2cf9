// Admin routes of the dashboard API: tokens (create, list, delete) and the audit trail.

#include "dashboard-api/api_auth.h"
#include "dashboard-api/api_json.h"
#include "dashboard-api/api_routes.h"

namespace baton::api {

namespace {

Json token_json(const store::TokenRecord& t) {
  return Json{{"id", t.id},
              {"name", t.name},
              {"role", t.role},
              {"created_at", t.created_at},
              {"last_used", t.last_used ? Json(*t.last_used) : Json(nullptr)}};
}

HttpResponse create_token(const ApiContext& ctx, const HttpRequest& req) {
  Json body = Json::parse(req.body, nullptr, false);
  if (!body.is_object()) return json_error(400, "the body must be a JSON object {name, role}");
  const std::string name = body.value("name", "");
  const std::string role = body.value("role", "");
  if (name.empty() || name.size() > 100) return json_error(400, "name: want 1-100 characters");
  if (parse_role(role) == Role::kNone)
    return json_error(400, "role: want viewer, operator or admin");
  const std::string secret = new_token();
  store::TokenRecord t;
  t.name = name;
  t.role = role;
  t.hash = sha256_hex(secret);
  auto created = ctx.store->create_token(t);
  if (!created.ok()) {
    return json_error(created.error().code == "conflict" ? 409 : 500, created.error().message);
  }
  Json j = token_json(*created);
  j["token"] = secret;
  return json_response(201, j.dump());
}

}  // namespace

void add_admin_routes(Router& router, const ApiContext& ctx) {
  router.add(
      "POST", "/api/v1/tokens",
      guard_action(ctx, Role::kAdmin, "token.create", "",
                   [&ctx](const HttpRequest& r, const Caller&) { return create_token(ctx, r); }));
  router.add("GET", "/api/v1/tokens",
             guard_read(ctx, Role::kAdmin, [&ctx](const HttpRequest&, const Caller&) {
               auto list = ctx.store->list_tokens();
               if (!list.ok()) return json_error(500, list.error().message);
               Json out = Json::array();
               for (const auto& t : *list) out.push_back(token_json(t));
               return json_response(200, Json{{"tokens", out}}.dump());
             }));
  router.add("DELETE", "/api/v1/tokens/{id}",
             guard_action(ctx, Role::kAdmin, "token.delete", "id",
                          [&ctx](const HttpRequest& r, const Caller&) {
                            auto s = ctx.store->delete_token(r.path_params.at("id"));
                            if (!s.ok()) {
                              return json_error(s.error().code == "not_found" ? 404 : 500,
                                                s.error().message);
                            }
                            return json_response(200, R"({"deleted":true})");
                          }));
  router.add("GET", "/api/v1/audit",
             guard_read(ctx, Role::kAdmin, [&ctx](const HttpRequest& r, const Caller&) {
               auto q = query_params(r.query);
               int limit = 50;
               if (!q["limit"].empty()) {
                 auto v = parse_int(q["limit"]);
                 if (!v || *v < 1 || *v > 1000) return json_error(400, "limit: want 1 to 1000");
                 limit = static_cast<int>(*v);
               }
               std::int64_t before = 0;
               if (!q["cursor"].empty()) {
                 auto v = parse_int(q["cursor"]);
                 if (!v) return json_error(400, "cursor: not a cursor this server gave out");
                 before = *v;
               }
               auto list = ctx.store->list_audit(limit, before);
               if (!list.ok()) return json_error(500, list.error().message);
               Json out = Json::array();
               for (const auto& a : *list) {
                 out.push_back({{"id", a.id},
                                {"time", a.time},
                                {"actor", a.actor},
                                {"action", a.action},
                                {"target", a.target},
                                {"outcome", a.outcome},
                                {"detail", parse_or_empty(a.detail)}});
               }
               Json next = list->size() == static_cast<std::size_t>(limit) && !list->empty()
                               ? Json(std::to_string(list->back().id))
                               : Json(nullptr);
               return json_response(200, Json{{"audit", out}, {"next_cursor", next}}.dump());
             }));
}

}  // namespace baton::api
