// GET routes of the dashboard API (viewer): runs, run detail, TaskRuns, logs, events, traces,
// pipelines, tasks, deliveries, whoami.

#include <nlohmann/json.hpp>

#include "dashboard-api/api_auth.h"
#include "dashboard-api/api_json.h"
#include "dashboard-api/api_routes.h"
#include "dashboard-api/stream_hub.h"

namespace baton::api {

namespace {

HttpResponse ok(const Json& j) {
  return json_response(200, j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

HttpResponse store_error(const Error& e) {
  if (e.code == "not_found") return json_error(404, e.message);
  return json_error(500, "the store failed: " + e.message);
}

bool wants_sse(const HttpRequest& req) {
  return req.header("Accept").find("text/event-stream") != std::string_view::npos;
}

HttpResponse list_runs(const ApiContext& ctx, const HttpRequest& req) {
  auto q = query_params(req.query);
  store::RunFilter f;
  f.pipeline = q["pipeline"];
  f.repository = q["repository"];
  f.branch = q["branch"];
  f.trigger_type = q["trigger"];
  if (!q["status"].empty()) {
    auto st = store::parse_run_state(q["status"]);
    if (!st || *st == store::RunState::kSkipped) {
      return json_error(400, "status: \"" + q["status"] + "\" is not a run status");
    }
    f.state = st;
  }
  for (const char* key : {"since", "until", "limit"}) {
    if (q[key].empty()) continue;
    auto v = parse_int(q[key]);
    if (!v) return json_error(400, std::string(key) + ": want a non-negative integer");
    if (std::string(key) == "since") f.since = v;
    if (std::string(key) == "until") f.until = v;
    if (std::string(key) == "limit") {
      if (*v < 1 || *v > 200) return json_error(400, "limit: want 1 to 200");
      f.limit = static_cast<int>(*v);
    }
  }
  if (!q["cursor"].empty()) {
    f.after = decode_cursor(q["cursor"]);
    if (!f.after) return json_error(400, "cursor: not a cursor this server gave out");
  }
  auto page = ctx.store->list_runs(f);
  if (!page.ok()) return store_error(page.error());
  Json runs = Json::array();
  for (const auto& r : page->runs) runs.push_back(run_summary(r));
  return ok({{"runs", std::move(runs)},
             {"next_cursor", page->next ? Json(encode_cursor(*page->next)) : Json(nullptr)}});
}

HttpResponse get_run(const ApiContext& ctx, const HttpRequest& req) {
  auto run = ctx.store->get_run(req.path_params.at("id"));
  if (!run.ok()) return store_error(run.error());
  auto j = run_detail(ctx, *run);
  if (!j.ok()) return store_error(j.error());
  return ok(*j);
}

// The attempt named in the path, checked to belong to the run in the path.
Result<store::TaskRunRecord> attempt_of(const ApiContext& ctx, const HttpRequest& req) {
  auto tr = ctx.store->get_task_run(req.path_params.at("task_run_id"));
  if (!tr.ok()) return tr.error();
  if (tr->run_id != req.path_params.at("id")) {
    return Fail("run " + req.path_params.at("id") + " has no TaskRun " + tr->id, "not_found");
  }
  return tr;
}

HttpResponse get_task_run(const ApiContext& ctx, const HttpRequest& req) {
  auto tr = attempt_of(ctx, req);
  if (!tr.ok()) return store_error(tr.error());
  auto j = attempt_json(*ctx.store, *tr);
  if (!j.ok()) return store_error(j.error());
  return ok(*j);
}

std::int64_t last_event_id(const HttpRequest& req, std::int64_t fallback) {
  auto v = parse_int(std::string(req.header("Last-Event-ID")));
  return v ? *v : fallback;
}

HttpResponse sse(std::function<void(std::shared_ptr<ResponseStream>)> start) {
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.body = ": baton\n\n";
  r.on_stream = std::move(start);
  return r;
}

HttpResponse get_logs(const ApiContext& ctx, const HttpRequest& req) {
  auto tr = attempt_of(ctx, req);
  if (!tr.ok()) return store_error(tr.error());
  auto step = parse_int(req.path_params.at("index"));
  if (!step || *step > 10000) return json_error(400, "step index: want a non-negative integer");
  // A reused attempt shows the logs of the attempt it reuses.
  std::string source = tr->reused_from.value_or(tr->id);
  if (wants_sse(req)) {
    std::int64_t after = last_event_id(req, 0);
    StreamHub* hub = ctx.hub;
    return sse([hub, source, s = static_cast<int>(*step), after](auto out) {
      hub->follow_log(std::move(out), source, s, after);
    });
  }
  auto q = query_params(req.query);
  std::int64_t offset = 0, length = -1;
  if (!q["offset"].empty()) {
    auto v = parse_int(q["offset"]);
    if (!v) return json_error(400, "offset: want a non-negative integer");
    offset = *v;
  }
  if (!q["length"].empty()) {
    auto v = parse_int(q["length"]);
    if (!v) return json_error(400, "length: want a non-negative integer");
    length = *v;
  }
  std::string all;
  for (std::int64_t from = 1;;) {
    auto chunks = ctx.store->read_logs(source, static_cast<int>(*step), from, 1000);
    if (!chunks.ok()) return store_error(chunks.error());
    for (const auto& c : *chunks) all += c.data;
    if (chunks->size() < 1000) break;
    from = chunks->back().seq + 1;
  }
  bool finished = store::is_terminal(tr->state);
  if (auto steps = ctx.store->list_steps(source); steps.ok()) {
    for (const auto& s : *steps) {
      if (s.index == *step && store::is_terminal(s.state)) finished = true;
    }
  }
  HttpResponse r;
  r.content_type = "text/plain; charset=utf-8";
  const auto size = static_cast<std::int64_t>(all.size());
  if (offset < size) {
    r.body = all.substr(static_cast<std::size_t>(offset),
                        length < 0 ? std::string::npos : static_cast<std::size_t>(length));
  }
  r.headers.emplace_back("X-Log-Size", std::to_string(size));
  r.headers.emplace_back("X-Step-Finished", finished ? "true" : "false");
  return r;
}

HttpResponse get_events(const ApiContext& ctx, const HttpRequest& req, bool all_runs) {
  std::string run_id;
  if (!all_runs) {
    run_id = req.path_params.at("id");
    auto run = ctx.store->get_run(run_id);
    if (!run.ok()) return store_error(run.error());
  }
  if (wants_sse(req)) {
    // The runs list wants what happens from now on; one run's page wants its whole story.
    std::int64_t after = last_event_id(req, all_runs ? -1 : 0);
    StreamHub* hub = ctx.hub;
    return sse(
        [hub, run_id, after](auto out) { hub->follow_events(std::move(out), run_id, after); });
  }
  if (all_runs)
    return json_error(406, "GET /api/v1/events is a stream: send Accept: text/event-stream");
  auto q = query_params(req.query);
  std::int64_t after = 0;
  if (!q["after"].empty()) {
    auto v = parse_int(q["after"]);
    if (!v) return json_error(400, "after: want a non-negative integer");
    after = *v;
  }
  auto events = ctx.store->list_events(run_id, after, 10000);
  if (!events.ok()) return store_error(events.error());
  Json out = Json::array();
  for (const auto& e : *events) {
    out.push_back({{"seq", e.seq},
                   {"time", e.time},
                   {"type", e.type},
                   {"payload", parse_or_empty(e.payload)}});
  }
  return ok({{"events", std::move(out)}});
}

HttpResponse get_trace(const ApiContext& ctx, const HttpRequest& req) {
  auto run = ctx.store->get_run(req.path_params.at("id"));
  if (!run.ok()) return store_error(run.error());
  Json spans = Json::array();
  if (!run->trace_id.empty()) {
    auto list = ctx.store->list_spans(run->trace_id);
    if (!list.ok()) return store_error(list.error());
    for (const auto& s : *list) {
      spans.push_back({{"span_id", s.span_id},
                       {"parent_span_id", s.parent_span_id},
                       {"name", s.name},
                       {"kind", s.kind},
                       {"start_ns", s.start_ns},
                       {"end_ns", s.end_ns ? Json(*s.end_ns) : Json(nullptr)},
                       {"status", s.status_code},
                       {"attributes", parse_or_empty(s.attributes)}});
    }
  }
  return ok({{"trace_id", run->trace_id}, {"spans", std::move(spans)}});
}

template <typename T>
Json names(const std::vector<T>& items) {
  Json out = Json::array();
  for (const auto& i : items) out.push_back(i.name);
  return out;
}

HttpResponse get_pipelines(const ApiContext& ctx) {
  auto objects = ctx.objects ? ctx.objects() : nullptr;
  Json out = Json::array();
  if (objects) {
    for (const auto& p : objects->pipelines) {
      Json tasks = names(p.spec.tasks);
      for (const auto& t : p.spec.finally) tasks.push_back(t.name);
      out.push_back(
          {{"name", p.metadata.name},
           {"namespace", p.metadata.namespace_.empty() ? "default" : p.metadata.namespace_},
           {"tasks", std::move(tasks)},
           {"params", names(p.spec.params)}});
    }
  }
  return ok({{"pipelines", std::move(out)}});
}

HttpResponse get_tasks(const ApiContext& ctx) {
  auto objects = ctx.objects ? ctx.objects() : nullptr;
  Json out = Json::array();
  if (objects) {
    for (const auto& t : objects->tasks) {
      out.push_back({{"name", t.metadata.name},
                     {"steps", names(t.spec.steps)},
                     {"params", names(t.spec.params)},
                     {"results", names(t.spec.results)}});
    }
  }
  return ok({{"tasks", std::move(out)}});
}

HttpResponse list_deliveries(const ApiContext& ctx, const HttpRequest& req) {
  auto q = query_params(req.query);
  int limit = 50;
  if (!q["limit"].empty()) {
    auto v = parse_int(q["limit"]);
    if (!v || *v < 1 || *v > 200) return json_error(400, "limit: want 1 to 200");
    limit = static_cast<int>(*v);
  }
  std::optional<store::RunCursor> before;
  if (!q["cursor"].empty()) {
    before = decode_cursor(q["cursor"]);
    if (!before) return json_error(400, "cursor: not a cursor this server gave out");
  }
  auto list = ctx.store->list_deliveries(limit + 1, before);
  if (!list.ok()) return store_error(list.error());
  Json next = nullptr;
  if (list->size() > static_cast<std::size_t>(limit)) {
    list->resize(static_cast<std::size_t>(limit));
    next = encode_cursor({list->back().received_at, list->back().id});
  }
  Json out = Json::array();
  for (const auto& d : *list) {
    auto j = delivery_json(*ctx.store, d);
    if (!j.ok()) return store_error(j.error());
    out.push_back(std::move(j).value());
  }
  return ok({{"deliveries", std::move(out)}, {"next_cursor", next}});
}

HttpResponse get_delivery(const ApiContext& ctx, const HttpRequest& req) {
  auto d = ctx.store->get_delivery(req.path_params.at("id"));
  if (!d.ok()) return store_error(d.error());
  auto j = delivery_json(*ctx.store, *d);
  if (!j.ok()) return store_error(j.error());
  return ok(*j);
}

}  // namespace

void add_read_routes(Router& router, const ApiContext& ctx) {
  auto get = [&](std::string_view pattern, ApiHandler h) {
    router.add("GET", pattern, guard_read(ctx, Role::kViewer, std::move(h)));
  };
  // whoami answers anyone: the page asks it to know which buttons to show.
  router.add("GET", "/api/v1/whoami", [&ctx](const HttpRequest& req) {
    HttpResponse r = guard_read(ctx, Role::kViewer, [](const HttpRequest&, const Caller& c) {
      return ok({{"actor", c.actor}, {"role", to_string(c.role)}});
    })(req);
    if (r.status == 401 && req.header("Authorization").empty()) {
      return ok({{"actor", "anonymous"}, {"role", nullptr}});
    }
    return r;
  });
  get("/api/v1/runs", [&ctx](const HttpRequest& r, const Caller&) { return list_runs(ctx, r); });
  get("/api/v1/runs/{id}", [&ctx](const HttpRequest& r, const Caller&) { return get_run(ctx, r); });
  get("/api/v1/runs/{id}/taskruns/{task_run_id}",
      [&ctx](const HttpRequest& r, const Caller&) { return get_task_run(ctx, r); });
  get("/api/v1/runs/{id}/taskruns/{task_run_id}/steps/{index}/logs",
      [&ctx](const HttpRequest& r, const Caller&) { return get_logs(ctx, r); });
  get("/api/v1/runs/{id}/events",
      [&ctx](const HttpRequest& r, const Caller&) { return get_events(ctx, r, false); });
  get("/api/v1/events",
      [&ctx](const HttpRequest& r, const Caller&) { return get_events(ctx, r, true); });
  get("/api/v1/runs/{id}/trace",
      [&ctx](const HttpRequest& r, const Caller&) { return get_trace(ctx, r); });
  get("/api/v1/pipelines",
      [&ctx](const HttpRequest&, const Caller&) { return get_pipelines(ctx); });
  get("/api/v1/tasks", [&ctx](const HttpRequest&, const Caller&) { return get_tasks(ctx); });
  get("/api/v1/deliveries",
      [&ctx](const HttpRequest& r, const Caller&) { return list_deliveries(ctx, r); });
  get("/api/v1/deliveries/{id}",
      [&ctx](const HttpRequest& r, const Caller&) { return get_delivery(ctx, r); });
}

void add_api_routes(Router& router, const ApiContext& ctx) {
  add_read_routes(router, ctx);
  add_action_routes(router, ctx);
  add_admin_routes(router, ctx);
}

}  // namespace baton::api
