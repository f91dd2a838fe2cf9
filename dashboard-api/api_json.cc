#include "dashboard-api/api_json.h"

#include <cctype>
#include <cstring>
#include <map>

#include "engine/resolve/resolver.h"
#include "engine/sched/plan.h"
#include "engine/spec/loader.h"
#include "engine/spec/utf8.h"

namespace baton::api {

namespace {

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& in, bool url) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = unsigned{static_cast<unsigned char>(in[i])} << 16 |
                 unsigned{static_cast<unsigned char>(in[i + 1])} << 8 |
                 unsigned{static_cast<unsigned char>(in[i + 2])};
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = unsigned{static_cast<unsigned char>(in[i])} << 16;
    if (i + 1 < in.size()) v |= unsigned{static_cast<unsigned char>(in[i + 1])} << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  if (url) {
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=') out.pop_back();
  }
  return out;
}

std::optional<std::string> base64url_decode(const std::string& in) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = c == '-' ? kB64 + 62 : c == '_' ? kB64 + 63 : std::strchr(kB64, c);
    if (p == nullptr || c == '\0' || c == '+' || c == '/') return std::nullopt;
    v = v << 6 | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

Json opt(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }
Json opt(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

Json results_json(const store::ResultMap& results) {
  Json out = Json::object();
  for (const auto& [k, v] : results) out[k] = bytes_json(v);
  return out;
}

// A pipeline task's state from its attempts (latest per matrix instance).
std::string task_state(const std::vector<const store::TaskRunRecord*>& attempts) {
  if (attempts.empty()) return "pending";
  std::map<int, const store::TaskRunRecord*> latest;
  for (const auto* a : attempts) latest[a->matrix_index.value_or(0)] = a;
  bool all_reused = true, all_ok = true;
  std::string worst;
  for (const auto& [i, a] : latest) {
    const std::string s(store::to_string(a->state));
    if (s == "running" || s == "queued") return "running";
    if (!a->reused_from) all_reused = false;
    if (s != "succeeded") all_ok = false;
    if (s == "skipped" && worst.empty()) worst = "skipped";
    if (s == "failed" || s == "timeout" || s == "cancelled" || s == "interrupted") worst = s;
  }
  if (all_ok) return all_reused ? "reused" : "succeeded";
  return worst.empty() ? "failed" : worst;
}

bool is_approval(const model::PipelineTask& t) {
  return t.task_ref && t.task_ref->kind == "Approval" &&
         t.task_ref->api_version == "baton.dev/v1alpha1";
}

}  // namespace

std::map<std::string, std::string> query_params(const std::string& query) {
  std::map<std::string, std::string> out;
  auto decode = [](std::string_view in) {
    std::string o;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '+') {
        o += ' ';
      } else if (in[i] == '%' && i + 2 < in.size() &&
                 std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
        o += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        o += in[i];
      }
    }
    return o;
  };
  std::string_view q = query;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key = decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

std::optional<std::int64_t> parse_int(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Json bytes_json(const std::string& bytes) {
  if (!spec::find_invalid_text(bytes)) return bytes;
  return Json{{"base64", base64(bytes, false)}};
}

Json parse_or_empty(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json::object() : j;
}

std::string encode_cursor(const store::RunCursor& c) {
  return base64(std::to_string(c.created_at) + "." + c.id, true);
}

std::optional<store::RunCursor> decode_cursor(const std::string& text) {
  auto raw = base64url_decode(text);
  if (!raw) return std::nullopt;
  auto dot = raw->find('.');
  if (dot == std::string::npos || dot == 0 || dot > 19) return std::nullopt;
  store::RunCursor c;
  for (std::size_t i = 0; i < dot; ++i) {
    if ((*raw)[i] < '0' || (*raw)[i] > '9') return std::nullopt;
    c.created_at = c.created_at * 10 + ((*raw)[i] - '0');
  }
  c.id = raw->substr(dot + 1);
  return c;
}

Json run_summary(const store::RunRecord& r) {
  return Json{{"id", r.id},
              {"name", r.name},
              {"kind", r.kind},
              {"pipeline", r.pipeline},
              {"namespace", r.namespace_},
              {"status", store::to_string(r.state)},
              {"reason", r.reason},
              {"message", r.message},
              {"created_at", r.created_at},
              {"queued_at", opt(r.queued_at)},
              {"started_at", opt(r.started_at)},
              {"finished_at", opt(r.finished_at)},
              {"trigger",
               {{"type", r.trigger_type},
                {"delivery_id", opt(r.delivery_id)},
                {"repository", opt(r.repository)},
                {"branch", opt(r.branch)},
                {"commit", opt(r.commit)},
                {"actor", opt(r.actor)}}},
              {"retry_of", opt(r.parent_run_id)}};
}

Result<Json> attempt_json(store::RunStore& store, const store::TaskRunRecord& tr) {
  auto steps = store.list_steps(tr.id);
  if (!steps.ok()) return steps.error();
  Json sj = Json::array();
  for (const auto& s : *steps) {
    sj.push_back({{"index", s.index},
                  {"name", s.name},
                  {"image", s.image},
                  {"status", store::to_string(s.state)},
                  {"exit_code", s.exit_code ? Json(*s.exit_code) : Json(nullptr)},
                  {"reason", s.reason},
                  {"started_at", opt(s.started_at)},
                  {"finished_at", opt(s.finished_at)}});
  }
  return Json{{"id", tr.id},
              {"name", tr.name},
              {"pipeline_task", tr.pipeline_task},
              {"attempt", tr.attempt},
              {"matrix_index", tr.matrix_index ? Json(*tr.matrix_index) : Json(nullptr)},
              {"status", store::to_string(tr.state)},
              {"reason", tr.reason},
              {"message", tr.message},
              {"started_at", opt(tr.started_at)},
              {"finished_at", opt(tr.finished_at)},
              {"results", results_json(tr.results)},
              {"reused_from", opt(tr.reused_from)},
              {"steps", std::move(sj)}};
}

namespace {

// The run's pipeline tasks with their DAG edges, from the stored spec planned against the
// server's catalog (engine/dag builds the edges); nullopt when it no longer plans.
std::optional<sched::RunPlan> plan_of(const ApiContext& ctx, const store::RunRecord& run) {
  spec::LoadOutput loaded = spec::load_text(run.spec, "run " + run.id);
  if (!loaded.errors.empty()) return std::nullopt;
  auto snapshot = ctx.objects ? ctx.objects() : nullptr;
  model::ObjectSet objects = snapshot ? *snapshot : model::ObjectSet{};
  model::ObjectSet mine = loaded.objects;
  objects.append(std::move(loaded.objects));
  resolve::Catalog catalog(&objects);
  Result<sched::RunPlan> plan = Fail("no run");
  if (!mine.pipeline_runs.empty()) {
    plan = sched::plan_pipeline_run(mine.pipeline_runs.front(), catalog);
  } else if (!mine.task_runs.empty()) {
    plan = sched::plan_task_run(mine.task_runs.front(), catalog);
  }
  if (!plan.ok()) return std::nullopt;
  return std::move(plan).value();
}

Result<Json> tasks_json(const ApiContext& ctx, const store::RunRecord& run,
                        const std::string& only) {
  auto attempts = ctx.store->list_task_runs(run.id);
  if (!attempts.ok()) return attempts.error();
  std::map<std::string, std::vector<const store::TaskRunRecord*>> by_task;
  std::vector<std::string> order;
  for (const auto& a : *attempts) {
    if (!by_task.count(a.pipeline_task)) order.push_back(a.pipeline_task);
    by_task[a.pipeline_task].push_back(&a);
  }
  struct Entry {
    std::string name, task_ref;
    bool is_finally = false, approval = false;
    std::vector<std::string> run_after, depends_on;
  };
  std::vector<Entry> entries;
  if (auto plan = plan_of(ctx, run)) {
    for (const auto& pt : plan->tasks) {
      Entry e;
      e.name = pt.task.name;
      e.task_ref = pt.task.task_ref ? (pt.task.task_ref->name.empty() ? pt.task.task_ref->kind
                                                                      : pt.task.task_ref->name)
                                    : "";
      e.is_finally = pt.is_finally;
      e.approval = is_approval(pt.task);
      e.run_after = pt.task.run_after;
      for (std::size_t p : pt.parents) e.depends_on.push_back(plan->tasks[p].task.name);
      entries.push_back(std::move(e));
    }
  } else {
    for (const auto& name : order) entries.push_back(Entry{name, "", false, false, {}, {}});
  }
  Json out = Json::array();
  for (const auto& e : entries) {
    if (!only.empty() && e.name != only) continue;
    const auto& mine = by_task[e.name];
    Json aj = Json::array();
    std::string reason, skipped;
    for (const auto* a : mine) {
      auto j = attempt_json(*ctx.store, *a);
      if (!j.ok()) return j.error();
      aj.push_back(std::move(j).value());
      reason = a->reason;
      skipped = a->skipped_reason;
    }
    std::string state = task_state(mine);
    if (e.approval && state == "running") reason = "WaitingForApproval";
    out.push_back({{"name", e.name},
                   {"task_ref", e.task_ref},
                   {"is_finally", e.is_finally},
                   {"approval", e.approval},
                   {"run_after", e.run_after},
                   {"depends_on", e.depends_on},
                   {"state", state},
                   {"reason", reason},
                   {"skipped_reason", skipped},
                   {"attempts", std::move(aj)}});
  }
  return out;
}

}  // namespace

Result<Json> task_json(const ApiContext& ctx, const store::RunRecord& run,
                       const std::string& task) {
  auto tasks = tasks_json(ctx, run, task);
  if (!tasks.ok()) return tasks.error();
  if (tasks->empty()) return Fail("run " + run.id + " has no task " + task, "not_found");
  return (*tasks)[0];
}

Result<Json> run_detail(const ApiContext& ctx, const store::RunRecord& run) {
  Json j = run_summary(run);
  j["params"] = parse_or_empty(run.params);
  j["labels"] = parse_or_empty(run.labels);
  j["annotations"] = parse_or_empty(run.annotations);
  auto results = ctx.store->get_run_results(run.id);
  if (!results.ok()) return results.error();
  j["results"] = results_json(*results);
  auto retries = ctx.store->child_runs(run.id);
  if (!retries.ok()) return retries.error();
  j["retries"] = *retries;
  j["trace_id"] = run.trace_id;
  auto tasks = tasks_json(ctx, run, "");
  if (!tasks.ok()) return tasks.error();
  j["tasks"] = std::move(tasks).value();
  return j;
}

Result<Json> delivery_json(store::RunStore& store, const store::DeliveryRecord& d) {
  auto runs = store.runs_of_delivery(d.id);
  if (!runs.ok()) return runs.error();
  Json ids = Json::array();
  for (const auto& r : *runs) ids.push_back(r.id);
  return Json{{"id", d.id},
              {"listener", d.listener},
              {"source", d.source},
              {"event_type", d.event_type},
              {"dedupe_key", opt(d.dedupe_key)},
              {"received_at", d.received_at},
              {"result", store::to_string(d.result)},
              {"reason", d.reason},
              {"duplicates", d.duplicates},
              {"runs", std::move(ids)},
              {"response", parse_or_empty(d.response)}};
}

}  // namespace baton::api
