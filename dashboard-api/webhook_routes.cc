#include "dashboard-api/webhook_routes.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/model/validate.h"
#include "engine/sched/plan.h"
#include "engine/sched/run_queue.h"
#include "engine/sched/trace_spans.h"
#include "engine/spec/loader.h"
#include "triggers/event_processor.h"

namespace baton::api {

namespace {

using Json = nlohmann::json;
using telemetry::Metrics;
using Counted = telemetry::DeliveryResult;

HttpResponse json_answer(int status, const Json& body) {
  return json_response(status, body.dump());
}

// A rendered resource turned into a run row, or why it cannot be one.
Result<store::NewRun> run_from_resource(const std::string& resource, const std::string& trigger,
                                        const std::string& traceparent) {
  Json doc = Json::parse(resource, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Fail("the rendered resource is not a JSON object");
  Json& meta = doc["metadata"];
  if (!meta.is_object()) meta = Json::object();
  std::string name = meta.value("name", "");
  if (name.empty()) {
    std::string prefix = meta.value("generateName", trigger + "-run-");
    name = sched::generate_name(prefix);
    meta["name"] = name;
    meta.erase("generateName");
  }
  const std::string text = doc.dump();
  spec::LoadOutput out = spec::load_text(text, "trigger " + trigger);
  Diagnostics errors = out.errors;
  if (errors.empty()) errors = model::validate(out.objects);
  if (!errors.empty())
    return Fail("the rendered resource is invalid: " + errors.front().to_string());
  store::NewRun run;
  run.name = name;
  run.spec = text;
  const model::ObjectMeta* m = nullptr;
  Json params = Json::object();
  if (out.objects.pipeline_runs.size() == 1 && out.objects.task_runs.empty()) {
    const auto& pr = out.objects.pipeline_runs.front();
    run.kind = "PipelineRun";
    run.pipeline = pr.spec.pipeline_ref ? pr.spec.pipeline_ref->name : name;
    for (const auto& p : pr.spec.params) params[p.name] = Json::parse(p.value.to_json());
    m = &pr.metadata;
  } else if (out.objects.task_runs.size() == 1 && out.objects.pipeline_runs.empty()) {
    const auto& tr = out.objects.task_runs.front();
    run.kind = "TaskRun";
    run.pipeline = tr.spec.task_ref ? tr.spec.task_ref->name : name;
    for (const auto& p : tr.spec.params) params[p.name] = Json::parse(p.value.to_json());
    m = &tr.metadata;
  } else {
    return Fail("a trigger template must render one PipelineRun or TaskRun per resource");
  }
  if (!m->namespace_.empty()) run.namespace_ = m->namespace_;
  run.params = params.dump();
  run.labels = Json(m->labels).dump();
  auto annotations = m->annotations;
  annotations["baton.dev/trigger"] = trigger;
  if (auto g = annotations.find(sched::kConcurrencyGroupAnnotation);
      g != annotations.end() && !g->second.empty()) {
    run.concurrency_group = g->second;
  }
  if (auto p = annotations.find(sched::kConcurrencyPolicyAnnotation); p != annotations.end()) {
    sched::ConcurrencyPolicy policy;
    if (!sched::parse_concurrency_policy(p->second, &policy)) {
      return Fail("annotation " + std::string(sched::kConcurrencyPolicyAnnotation) + ": \"" +
                  p->second + "\" is not queue or cancel-in-progress");
    }
  }
  // The run joins the sender's trace when the request carried a W3C traceparent.
  if (traceparent.size() == 55 && traceparent.compare(0, 3, "00-") == 0) {
    run.trace_id = traceparent.substr(3, 32);
    annotations["baton.dev/traceparent"] = traceparent;
  } else {
    run.trace_id = sched::random_hex(16);
  }
  run.annotations = Json(annotations).dump();
  return run;
}

std::string source_of(const HttpRequest& req) {
  if (!req.header("X-GitHub-Event").empty()) return "github";
  if (!req.header("X-Gitlab-Event").empty()) return "gitlab";
  if (!req.header("X-Event-Key").empty()) return "bitbucket";
  return "generic";
}

void count(Metrics* metrics, Counted r) {
  if (metrics) metrics->webhook_delivery(r);
}

Json runs_json(const std::vector<store::RunRecord>& runs) {
  Json out = Json::array();
  for (const auto& r : runs) {
    out.push_back({{"id", r.id}, {"name", r.name}, {"kind", r.kind}, {"pipeline", r.pipeline}});
  }
  return out;
}

// Where a push or merge request came from, for the runs list filters: GitHub's and GitLab's
// payload fields (repository, branch, commit); absent fields stay unset.
void set_origin(const std::string& body, std::vector<store::NewRun>& runs) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  auto str = [&](std::initializer_list<const char*> path) -> std::optional<std::string> {
    const Json* n = &j;
    for (const char* k : path) {
      if (!n->is_object() || !n->contains(k)) return std::nullopt;
      n = &(*n)[k];
    }
    if (!n->is_string() || n->get<std::string>().empty()) return std::nullopt;
    return n->get<std::string>();
  };
  auto repository = str({"repository", "full_name"});
  if (!repository) repository = str({"project", "path_with_namespace"});
  auto branch = str({"pull_request", "head", "ref"});
  if (!branch) branch = str({"object_attributes", "source_branch"});
  if (!branch) branch = str({"ref"});
  if (branch && branch->rfind("refs/heads/", 0) == 0) branch = branch->substr(11);
  auto commit = str({"pull_request", "head", "sha"});
  if (!commit) commit = str({"object_attributes", "last_commit", "id"});
  if (!commit) commit = str({"checkout_sha"});
  if (!commit) commit = str({"after"});
  for (auto& r : runs) {
    r.repository = repository;
    r.branch = branch;
    r.commit = commit;
  }
}

HttpResponse handle(const WebhookContext& ctx, const HttpRequest& req, bool redelivery = false) {
  const std::string listener = req.path_params.at("listener");
  auto snapshot = ctx.triggers ? ctx.triggers() : nullptr;
  if (!snapshot || !snapshot->catalog.listeners.count(listener)) {
    count(ctx.metrics, Counted::kRejected);
    return json_error(404, "no EventListener named \"" + listener + "\"");
  }
  // Overload: refuse before doing any work, with a status senders retry.
  std::optional<std::size_t> queued;
  if (ctx.queued_runs) {
    queued = ctx.queued_runs();
  } else if (auto n = ctx.store->count_runs_in_state(store::RunState::kQueued); n.ok()) {
    queued = static_cast<std::size_t>(*n);
  }
  if (!queued || *queued >= ctx.max_queued_runs) {
    count(ctx.metrics, Counted::kError);
    HttpResponse r = json_error(503, queued ? "the run queue is full" : "the store failed");
    r.headers.emplace_back("Retry-After", "30");
    return r;
  }
  triggers::WebhookRequest wr{req.method, req.path, req.headers, req.body};
  triggers::EventOutcome outcome = triggers::process_event(
      snapshot->catalog.listeners.at(listener), snapshot->catalog, wr, snapshot->secrets.lookup());

  store::NewDelivery d;
  d.listener = listener;
  d.source = source_of(req);
  d.event_type = outcome.event_type;
  if (!outcome.event_id.empty()) d.dedupe_key = outcome.event_id;
  Json headers = Json::object();
  for (const auto& [k, v] : req.headers) headers[k] = v;
  d.headers = headers.dump();
  d.trace_parent = std::string(req.header("traceparent"));

  std::vector<store::NewRun> runs;
  Json triggers_json = Json::array();
  for (const auto& t : outcome.triggers) {
    Json tj = {{"name", t.trigger}, {"status", triggers::to_string(t.status)}};
    if (!t.reason.empty()) tj["reason"] = t.reason;
    if (t.fired) {
      for (const auto& resource : t.resources) {
        auto run = run_from_resource(resource, t.trigger, d.trace_parent);
        if (!run.ok()) {
          tj["status"] = "failed";
          tj["reason"] = run.error().message;
          continue;
        }
        runs.push_back(std::move(run).value());
      }
    }
    triggers_json.push_back(std::move(tj));
  }
  int status = 202;
  if (!outcome.valid) {
    d.result = store::DeliveryResult::kRejected;
    d.reason = outcome.error;
    status = 400;
  } else if (!outcome.authorised) {
    d.result = store::DeliveryResult::kRejected;
    d.reason = "the signature or token check refused the delivery";
    status = 401;
  } else if (!runs.empty()) {
    d.result = store::DeliveryResult::kAccepted;
  } else {
    d.result = store::DeliveryResult::kFiltered;
    d.reason = "no trigger fired";
  }
  set_origin(req.body, runs);
  if (redelivery) {
    // Asked for by an operator: processed as a new delivery, so the sender's key (which the
    // original holds) must not make it a duplicate.
    d.dedupe_key.reset();
  }
  if (d.result == store::DeliveryResult::kRejected) {
    // Kept for the record, but it neither claims its delivery id (else anyone could send a bad
    // signature first and make the real delivery look like a redelivery) nor keeps a body that
    // came from someone who could not sign it.
    d.dedupe_key.reset();
  } else {
    d.body = req.body;
  }
  Json answer = {{"eventListener", listener},
                 {"result", store::to_string(d.result)},
                 {"triggers", triggers_json}};
  if (!d.reason.empty()) answer["reason"] = d.reason;
  d.response = answer.dump();
  auto stored = ctx.store->record_delivery(d, runs);
  if (!stored.ok()) {
    count(ctx.metrics, Counted::kError);
    HttpResponse r = json_error(503, "the store failed: " + stored.error().message);
    r.headers.emplace_back("Retry-After", "10");
    return r;
  }
  answer["eventID"] = stored->delivery.id;
  answer["duplicate"] = stored->duplicate;
  answer["runs"] = runs_json(stored->runs);
  if (stored->duplicate) {
    count(ctx.metrics, Counted::kDuplicate);
    answer["result"] = store::to_string(stored->delivery.result);
    return json_answer(202, answer);
  }
  count(ctx.metrics, d.result == store::DeliveryResult::kAccepted   ? Counted::kAccepted
                     : d.result == store::DeliveryResult::kFiltered ? Counted::kFiltered
                                                                    : Counted::kRejected);
  if (!stored->runs.empty() && ctx.runs_queued) ctx.runs_queued(stored->runs.size());
  return json_answer(status, answer);
}

}  // namespace

std::pair<int, std::string> redeliver(const WebhookContext& ctx, const store::DeliveryRecord& d) {
  HttpRequest req;
  req.method = "POST";
  req.path = "/hooks/" + d.listener;
  req.target = req.path;
  Json headers = Json::parse(d.headers, nullptr, /*allow_exceptions=*/false);
  if (headers.is_object()) {
    for (const auto& [k, v] : headers.items()) {
      if (v.is_string()) req.headers.emplace_back(k, v.get<std::string>());
    }
  }
  req.body = d.body;
  req.path_params["listener"] = d.listener;
  HttpResponse r = handle(ctx, req, /*redelivery=*/true);
  return {r.status, r.body};
}

void add_webhook_routes(Router& router, WebhookContext context) {
  router.add(
      "POST", "/hooks/{listener}",
      [ctx = std::move(context)](const HttpRequest& req) { return handle(ctx, req); }, "webhook");
}

}  // namespace baton::api
