// POST routes of the dashboard API (operator): cancel, retry (failed only or all), rerun,
// approve/reject an approval gate, redeliver a webhook delivery. Auth and audit: api_auth.cc.

#include <chrono>
#include <thread>

#include "dashboard-api/api_auth.h"
#include "dashboard-api/api_json.h"
#include "dashboard-api/api_routes.h"
#include "engine/sched/trace_spans.h"

namespace baton::api {

namespace {

HttpResponse store_error(const Error& e) {
  if (e.code == "not_found") return json_error(404, e.message);
  if (e.code == "conflict") return json_error(409, e.message);
  return json_error(500, "the store failed: " + e.message);
}

// The request body as a JSON object ({} when empty); an Error when it is something else.
Result<Json> body_object(const HttpRequest& req) {
  if (req.body.empty()) return Json::object();
  Json j = Json::parse(req.body, nullptr, false);
  if (!j.is_object()) return Fail("the body must be a JSON object");
  return j;
}

Result<sched::StopRequest> parse_mode(const Json& body) {
  if (!body.contains("mode")) return sched::StopRequest::kCancelled;
  const Json& m = body["mode"];
  if (m == "Cancelled") return sched::StopRequest::kCancelled;
  if (m == "CancelledRunFinally") return sched::StopRequest::kCancelledRunFinally;
  if (m == "StoppedRunFinally") return sched::StopRequest::kStoppedRunFinally;
  return Fail("mode: want Cancelled, CancelledRunFinally or StoppedRunFinally");
}

HttpResponse cancel(const ApiContext& ctx, const HttpRequest& req) {
  auto body = body_object(req);
  if (!body.ok()) return json_error(400, body.error().message);
  auto mode = parse_mode(*body);
  if (!mode.ok()) return json_error(400, mode.error().message);
  const std::string& id = req.path_params.at("id");
  auto run = ctx.store->get_run(id);
  if (!run.ok()) return store_error(run.error());
  if (store::is_terminal(run->state)) {
    return json_error(409,
                      "run " + id + " is already " + std::string(store::to_string(run->state)));
  }
  if (!ctx.cancel) return json_error(503, "this server runs no dispatcher");
  if (auto s = ctx.cancel(id, *mode); !s.ok()) return store_error(s.error());
  auto now = ctx.store->get_run(id);
  if (!now.ok()) return store_error(now.error());
  return json_response(202, Json{{"run", run_summary(*now)}}.dump());
}

// A new queued run made from `run`: same spec and origin, a new trace.
store::NewRun copy_run(const store::RunRecord& run, const Caller& caller) {
  store::NewRun nr;
  nr.kind = run.kind;
  nr.name = run.name;
  nr.namespace_ = run.namespace_;
  nr.pipeline = run.pipeline;
  nr.spec = run.spec;
  nr.params = run.params;
  nr.labels = run.labels;
  nr.concurrency_group = run.concurrency_group;
  nr.trace_id = sched::random_hex(16);
  nr.repository = run.repository;
  nr.branch = run.branch;
  nr.commit = run.commit;
  nr.actor = caller.actor;
  Json annotations = parse_or_empty(run.annotations);
  annotations.erase("baton.dev/traceparent");  // the webhook's trace belongs to the original
  annotations.erase("baton.dev/retry-mode");
  nr.annotations = annotations.dump();
  return nr;
}

HttpResponse queued(const ApiContext& ctx, const store::NewRun& nr) {
  auto created = ctx.store->create_run(nr);
  if (!created.ok()) return store_error(created.error());
  if (ctx.runs_queued) ctx.runs_queued();
  return json_response(201, Json{{"run", run_summary(*created)}}.dump());
}

HttpResponse retry(const ApiContext& ctx, const HttpRequest& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body.ok()) return json_error(400, body.error().message);
  bool failed_only = true;
  if (body->contains("failed_only")) {
    if (!(*body)["failed_only"].is_boolean()) return json_error(400, "failed_only: want a boolean");
    failed_only = (*body)["failed_only"].get<bool>();
  }
  const std::string& id = req.path_params.at("id");
  auto run = ctx.store->get_run(id);
  if (!run.ok()) return store_error(run.error());
  if (!store::is_terminal(run->state)) {
    return json_error(409, "run " + id + " is still " + std::string(store::to_string(run->state)));
  }
  store::NewRun nr = copy_run(*run, caller);
  nr.parent_run_id = run->id;
  nr.trigger_type = "retry";
  Json annotations = parse_or_empty(nr.annotations);
  // The dispatcher reads this when the retry starts: reuse what succeeded in the parent.
  annotations["baton.dev/retry-mode"] = failed_only ? "failed" : "all";
  nr.annotations = annotations.dump();
  return queued(ctx, nr);
}

HttpResponse rerun(const ApiContext& ctx, const HttpRequest& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body.ok()) return json_error(400, body.error().message);
  const std::string& id = req.path_params.at("id");
  auto run = ctx.store->get_run(id);
  if (!run.ok()) return store_error(run.error());
  store::NewRun nr = copy_run(*run, caller);
  nr.trigger_type = "rerun";
  Json annotations = parse_or_empty(nr.annotations);
  annotations["baton.dev/rerun-of"] = run->id;
  nr.annotations = annotations.dump();
  if (body->contains("params")) {
    const Json& overrides = (*body)["params"];
    if (!overrides.is_object()) return json_error(400, "params: want an object of name: value");
    Json spec = Json::parse(run->spec, nullptr, false);
    if (!spec.is_object()) {
      return json_error(400, "params can only be changed on a run whose stored spec is JSON");
    }
    Json& list = spec["spec"]["params"];
    if (!list.is_array()) list = Json::array();
    Json params = parse_or_empty(run->params);
    for (const auto& [name, value] : overrides.items()) {
      if (!value.is_string() && !value.is_array() && !value.is_object()) {
        return json_error(400, "params." + name + ": want a string, array or object");
      }
      bool replaced = false;
      for (auto& p : list) {
        if (p.is_object() && p.value("name", "") == name) {
          p["value"] = value;
          replaced = true;
        }
      }
      if (!replaced) list.push_back({{"name", name}, {"value", value}});
      params[name] = value;
    }
    nr.spec = spec.dump();
    nr.params = params.dump();
  }
  return queued(ctx, nr);
}

HttpResponse approve(const ApiContext& ctx, const HttpRequest& req, const Caller& caller) {
  auto body = body_object(req);
  if (!body.ok()) return json_error(400, body.error().message);
  const std::string decision = body->value("decision", "approve");
  if (decision != "approve" && decision != "reject") {
    return json_error(400, "decision: want approve or reject");
  }
  const std::string message = body->contains("message") && (*body)["message"].is_string()
                                  ? (*body)["message"].get<std::string>()
                                  : "";
  auto run = ctx.store->get_run(req.path_params.at("id"));
  if (!run.ok()) return store_error(run.error());
  const std::string& task = req.path_params.at("task");
  auto before = task_json(ctx, *run, task);
  if (!before.ok()) return store_error(before.error());
  if (!(*before)["approval"].get<bool>()) {
    return json_error(409, "task " + task + " is not an approval gate");
  }
  std::string waiting;
  for (const auto& a : (*before)["attempts"]) {
    if (a["status"] == "running") waiting = a["id"];
  }
  auto decided = waiting.empty() || !ctx.decide_approval
                     ? sched::ApprovalDecision::kNotWaiting
                     : ctx.decide_approval(waiting, decision == "approve", caller.actor, message);
  if (decided == sched::ApprovalDecision::kNotWaiting) {
    return json_error(409, "task " + task + " is not waiting for approval");
  }
  if (decided == sched::ApprovalDecision::kNotAnApprover) {
    return json_error(403, caller.actor + " is not one of the approvers of task " + task);
  }
  // The scheduler records the outcome on its own thread: answer once the store has it.
  for (int i = 0; i < 500; ++i) {
    auto tr = ctx.store->get_task_run(waiting);
    if (!tr.ok() || store::is_terminal(tr->state)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto after = task_json(ctx, *run, task);
  if (!after.ok()) return store_error(after.error());
  return json_response(200, Json{{"task", *after}}.dump());
}

HttpResponse redeliver(const ApiContext& ctx, const HttpRequest& req) {
  auto d = ctx.store->get_delivery(req.path_params.at("id"));
  if (!d.ok()) return store_error(d.error());
  if (d->result == store::DeliveryResult::kRejected) {
    // Its body was not kept (it came from someone who could not sign it).
    return json_error(409, "delivery " + d->id + " was rejected; it has no stored body to process");
  }
  if (!ctx.redeliver) return json_error(503, "this server has no webhook listeners");
  auto [status, answer] = ctx.redeliver(*d);
  Json a = Json::parse(answer, nullptr, false);
  if (status >= 300 || !a.is_object() || !a.contains("eventID")) {
    return json_response(status >= 300 ? status : 500, answer);
  }
  auto nd = ctx.store->get_delivery(a["eventID"].get<std::string>());
  if (!nd.ok()) return store_error(nd.error());
  auto dj = delivery_json(*ctx.store, *nd);
  if (!dj.ok()) return store_error(dj.error());
  auto runs = ctx.store->runs_of_delivery(nd->id);
  if (!runs.ok()) return store_error(runs.error());
  Json rj = Json::array();
  for (const auto& r : *runs) rj.push_back(run_summary(r));
  return json_response(202, Json{{"delivery", *dj}, {"runs", rj}}.dump());
}

}  // namespace

void add_action_routes(Router& router, const ApiContext& ctx) {
  auto post = [&](std::string_view pattern, std::string action, std::string target, ApiHandler h) {
    router.add(
        "POST", pattern,
        guard_action(ctx, Role::kOperator, std::move(action), std::move(target), std::move(h)));
  };
  post("/api/v1/runs/{id}/cancel", "cancel", "id",
       [&ctx](const HttpRequest& r, const Caller&) { return cancel(ctx, r); });
  post("/api/v1/runs/{id}/retry", "retry", "id",
       [&ctx](const HttpRequest& r, const Caller& c) { return retry(ctx, r, c); });
  post("/api/v1/runs/{id}/rerun", "rerun", "id",
       [&ctx](const HttpRequest& r, const Caller& c) { return rerun(ctx, r, c); });
  post("/api/v1/runs/{id}/approvals/{task}", "approve", "id",
       [&ctx](const HttpRequest& r, const Caller& c) { return approve(ctx, r, c); });
  post("/api/v1/deliveries/{id}/redeliver", "redeliver", "id",
       [&ctx](const HttpRequest& r, const Caller&) { return redeliver(ctx, r); });
}

}  // namespace baton::api
