// process_event: parse the request once, then run each trigger: interceptors → bindings →
// template. A trigger's failure never affects the others.

#include "triggers/event_processor.h"

#include <algorithm>
#include <random>

#include "triggers/event_internal.h"
#include "triggers/template_internal.h"

namespace baton::triggers {

using detail::EventData;
using detail::Json;

const char* to_string(TriggerStatus s) {
  switch (s) {
    case TriggerStatus::kFired:
      return "fired";
    case TriggerStatus::kFiltered:
      return "filtered";
    case TriggerStatus::kRejected:
      return "rejected";
    case TriggerStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::size_t EventOutcome::fired() const {
  std::size_t n = 0;
  for (const auto& t : triggers) n += t.fired ? 1 : 0;
  return n;
}

namespace {

std::string random_uid() {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s(5, 'a');
  for (char& c : s) c = kChars[rng() % (sizeof(kChars) - 1)];
  return s;
}

// Deepest nesting of a JSON text, scanning bytes only. Bounds the recursion of everything that
// walks the parsed body (dump, comparisons, destruction) against a hostile 25 MiB `[[[[...`.
constexpr int kMaxBodyDepth = 512;
int json_depth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

TriggerResult finish(TriggerResult r, TriggerStatus s, std::string reason) {
  r.status = s;
  r.fired = false;
  r.reason = std::move(reason);
  return r;
}

// Bindings → params, template → resources.
TriggerResult bind_and_render(TriggerResult r, const TriggerSpec& spec, const TriggerCatalog& cat,
                              const EventData& ev, const Json& extensions,
                              const ProcessOptions& opts) {
  for (const BindingRef& b : spec.bindings) {
    std::vector<const BindingParam*> params;
    if (b.param) {
      params.push_back(&*b.param);
    } else {
      const auto& pool = b.cluster ? cat.cluster_bindings : cat.bindings;
      auto it = pool.find(b.ref);
      if (it == pool.end()) {
        return finish(std::move(r), TriggerStatus::kFailed,
                      std::string(b.cluster ? "ClusterTriggerBinding" : "TriggerBinding") + " \"" +
                          b.ref + "\" not found");
      }
      for (const auto& p : it->second.params) params.push_back(&p);
    }
    for (const BindingParam* p : params) {
      auto v = detail::resolve_binding_value(p->value, ev, extensions);
      if (!v.ok()) {
        return finish(std::move(r), TriggerStatus::kFailed,
                      "binding param " + p->name + ": " + v.error().message);
      }
      if (!r.params.emplace(p->name, std::move(*v)).second) {
        return finish(std::move(r), TriggerStatus::kFailed,
                      "param " + p->name + " is set by more than one binding");
      }
    }
  }
  const TriggerTemplate* t = spec.template_ref.spec.get();
  if (!t) {
    auto it = cat.templates.find(spec.template_ref.ref);
    if (it == cat.templates.end()) {
      return finish(std::move(r), TriggerStatus::kFailed,
                    "TriggerTemplate \"" + spec.template_ref.ref + "\" not found");
    }
    t = &it->second;
  }
  std::map<std::string, std::string> values;
  for (const TemplateParam& p : t->params) {
    auto it = r.params.find(p.name);
    if (it != r.params.end()) {
      values[p.name] = it->second;
    } else if (p.default_value) {
      values[p.name] = *p.default_value;
      r.params[p.name] = *p.default_value;
    } else {
      return finish(std::move(r), TriggerStatus::kFailed,
                    "template param " + p.name +
                        " has no value: no binding sets it and it has "
                        "no default");
    }
  }
  r.uid = opts.make_uid ? opts.make_uid() : random_uid();
  r.resources = detail::render_template(*t, values, r.uid);
  r.status = TriggerStatus::kFired;
  r.fired = true;
  return r;
}

TriggerResult run_trigger(const std::string& name, const TriggerSpec& spec,
                          const TriggerCatalog& cat, const EventData& ev, Json extensions,
                          const SecretLookup& secrets, const ProcessOptions& opts) {
  TriggerResult r;
  r.trigger = name;
  for (const Interceptor& ic : spec.interceptors) {
    auto o = detail::run_interceptor(ic, ev, extensions, secrets);
    if (o.status != TriggerStatus::kFired)
      return finish(std::move(r), o.status, std::move(o.reason));
  }
  return bind_and_render(std::move(r), spec, cat, ev, extensions, opts);
}

void run_group(const TriggerGroup& g, const TriggerCatalog& cat, const EventData& ev,
               const SecretLookup& secrets, const ProcessOptions& opts, EventOutcome& out) {
  Json extensions = Json::object();
  for (const Interceptor& ic : g.interceptors) {
    auto o = detail::run_interceptor(ic, ev, extensions, secrets);
    if (o.status != TriggerStatus::kFired) {
      TriggerResult r;
      r.trigger = g.name;
      out.triggers.push_back(finish(std::move(r), o.status, std::move(o.reason)));
      return;
    }
  }
  for (const auto& [name, t] : cat.triggers) {
    bool match = !g.match_labels.empty();
    for (const auto& [k, v] : g.match_labels) {
      auto it = t.labels.find(k);
      match = match && it != t.labels.end() && it->second == v;
    }
    if (match) {
      out.triggers.push_back(
          run_trigger(g.name + "/" + name, t.spec, cat, ev, extensions, secrets, opts));
    }
  }
}

}  // namespace

std::pair<std::string, std::string> event_id_of(const WebhookRequest& req) {
  for (const char* h : {"Idempotency-Key", "X-GitHub-Delivery", "X-Gitlab-Event-UUID"}) {
    std::string_view want(h);
    for (const auto& [k, v] : req.headers) {
      bool same = k.size() == want.size() &&
                  std::equal(k.begin(), k.end(), want.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                  });
      if (same && !v.empty()) return {v, h};
    }
  }
  return {};
}

EventOutcome process_event(const EventListener& listener, const TriggerCatalog& catalog,
                           const WebhookRequest& req, const SecretLookup& secrets,
                           const ProcessOptions& options) {
  EventOutcome out;
  EventData ev;
  ev.request = &req;
  ev.header = Json::object();
  for (const auto& [k, v] : req.headers) ev.header[cel::canonical_header(k)].push_back(v);
  std::tie(out.event_id, out.event_id_header) = event_id_of(req);
  ev.event_id = out.event_id;
  for (const char* h : {"X-GitHub-Event", "X-Gitlab-Event", "X-Event-Key"}) {
    if (auto t = detail::header_value(ev, h)) {
      out.event_type = *t;
      break;
    }
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    ev.body = Json::object();
  } else if (json_depth(req.body) > kMaxBodyDepth) {
    out.valid = false;
    out.error = "the body nests deeper than " + std::to_string(kMaxBodyDepth) + " levels";
    return out;
  } else {
    try {
      ev.body = Json::parse(req.body);
    } catch (const Json::exception& ex) {
      out.valid = false;
      out.error = std::string("the body is not valid JSON: ") + ex.what();
      return out;
    }
  }
  for (const ListenerTrigger& lt : listener.triggers) {
    if (lt.trigger_ref.empty()) {
      out.triggers.push_back(
          run_trigger(lt.spec.name, lt.spec, catalog, ev, Json::object(), secrets, options));
      continue;
    }
    auto it = catalog.triggers.find(lt.trigger_ref);
    if (it == catalog.triggers.end()) {
      TriggerResult r;
      r.trigger = lt.trigger_ref;
      out.triggers.push_back(finish(std::move(r), TriggerStatus::kFailed,
                                    "Trigger \"" + lt.trigger_ref + "\" not found"));
      continue;
    }
    out.triggers.push_back(
        run_trigger(it->first, it->second.spec, catalog, ev, Json::object(), secrets, options));
  }
  for (const TriggerGroup& g : listener.trigger_groups)
    run_group(g, catalog, ev, secrets, options, out);
  bool rejected = false;
  for (const auto& t : out.triggers) rejected = rejected || t.status == TriggerStatus::kRejected;
  out.authorised = !rejected || out.fired() > 0;
  return out;
}

}  // namespace baton::triggers
