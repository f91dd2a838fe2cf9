// The in-process interceptors. When a secret is configured the signature/token is checked
// before the event type, so an unauthenticated request is always reported as rejected.

#include <algorithm>

#include "triggers/event_internal.h"
#include "triggers/hmac.h"

namespace baton::triggers::detail {

namespace {

InterceptOutcome pass() { return {}; }
InterceptOutcome outcome(TriggerStatus s, std::string reason) { return {s, std::move(reason)}; }

struct VcsHeaders {
  const char* event;      // event type header
  const char* signature;  // HMAC header (github, bitbucket) or nullptr
  const char* token;      // plain token header (gitlab) or nullptr
};

VcsHeaders headers_for(InterceptorKind k) {
  switch (k) {
    case InterceptorKind::kGitHub:
      return {"X-GitHub-Event", "X-Hub-Signature-256", nullptr};
    case InterceptorKind::kGitLab:
      return {"X-Gitlab-Event", nullptr, "X-Gitlab-Token"};
    default:
      return {"X-Event-Key", "X-Hub-Signature", nullptr};
  }
}

InterceptOutcome run_vcs(const Interceptor& ic, const EventData& ev, const SecretLookup& secrets) {
  VcsHeaders h = headers_for(ic.kind);
  std::string who = ic.name + " interceptor: ";
  if (ic.secret_ref) {
    const SecretRef& ref = *ic.secret_ref;
    std::optional<std::string> secret;
    if (secrets) secret = secrets(ref.secret_name, ref.secret_key);
    if (!secret) {
      return outcome(TriggerStatus::kFailed,
                     who + "secret " + ref.secret_name + " has no key " + ref.secret_key);
    }
    if (h.signature) {
      auto sig = header_value(ev, h.signature);
      if (!sig) {
        bool sha1 = ic.kind == InterceptorKind::kGitHub && header_value(ev, "X-Hub-Signature");
        return outcome(TriggerStatus::kRejected,
                       who + "no " + h.signature + " header" +
                           (sha1 ? " (X-Hub-Signature with SHA-1 is not accepted)" : ""));
      }
      std::string why = check_sha256_signature(*sig, ev.request->body, *secret);
      if (!why.empty()) return outcome(TriggerStatus::kRejected, who + h.signature + ": " + why);
    } else {
      auto token = header_value(ev, h.token);
      if (!token) return outcome(TriggerStatus::kRejected, who + "no " + h.token + " header");
      if (!constant_time_equal(*token, *secret)) {
        return outcome(TriggerStatus::kRejected, who + h.token + " does not match the secret");
      }
    }
  }
  if (!ic.event_types.empty()) {
    auto type = header_value(ev, h.event);
    if (!type) return outcome(TriggerStatus::kFiltered, who + "no " + h.event + " header");
    if (std::find(ic.event_types.begin(), ic.event_types.end(), *type) == ic.event_types.end()) {
      std::string allowed;
      for (const auto& t : ic.event_types) allowed += (allowed.empty() ? "" : ", ") + t;
      return outcome(TriggerStatus::kFiltered, who + "event type \"" + *type +
                                                   "\" is not allowed (allowed: " + allowed + ")");
    }
  }
  return pass();
}

// Sets extensions.<a>.<b> for a dotted overlay key.
void set_path(Json& ext, const std::string& key, Json value) {
  Json* cur = &ext;
  std::size_t b = 0;
  for (std::size_t dot; (dot = key.find('.', b)) != std::string::npos; b = dot + 1) {
    Json& next = (*cur)[key.substr(b, dot - b)];
    if (!next.is_object()) next = Json::object();
    cur = &next;
  }
  (*cur)[key.substr(b)] = std::move(value);
}

InterceptOutcome run_cel(const Interceptor& ic, const EventData& ev, Json& extensions,
                         const SecretLookup& secrets) {
  cel::Env env;
  env.body = &ev.body;
  env.header = &ev.header;
  env.extensions = &extensions;
  env.secrets = &secrets;
  env.request_url = ev.request->path;
  std::string who = ic.name + " interceptor: ";
  if (ic.filter) {
    auto v = cel::evaluate(*ic.filter, env);
    if (!v.ok()) {
      return outcome(TriggerStatus::kFiltered,
                     who + "filter \"" + ic.filter->source() + "\" failed: " + v.error().message);
    }
    if (!v->is_boolean()) {
      return outcome(TriggerStatus::kFiltered, who + "filter \"" + ic.filter->source() +
                                                   "\" returned a " + cel::type_name(*v) +
                                                   ", not a bool");
    }
    if (!v->get<bool>()) {
      return outcome(TriggerStatus::kFiltered,
                     who + "filter \"" + ic.filter->source() + "\" is false");
    }
  }
  // All overlays see the extensions as they were before this interceptor (as Tekton's do).
  Json updated = extensions;
  for (const CelOverlay& o : ic.overlays) {
    auto v = cel::evaluate(o.expression, env);
    if (!v.ok()) {
      return outcome(TriggerStatus::kFiltered, who + "overlay " + o.key + " \"" +
                                                   o.expression.source() +
                                                   "\" failed: " + v.error().message);
    }
    set_path(updated, o.key, std::move(*v));
  }
  extensions = std::move(updated);
  return pass();
}

}  // namespace

std::optional<std::string> header_value(const EventData& ev, std::string_view name) {
  auto it = ev.header.find(cel::canonical_header(name));
  if (it == ev.header.end()) return std::nullopt;
  std::string out;
  for (const auto& v : *it) out += (out.empty() ? "" : ",") + v.get<std::string>();
  return out;
}

InterceptOutcome run_interceptor(const Interceptor& ic, const EventData& ev, Json& extensions,
                                 const SecretLookup& secrets) {
  if (ic.kind == InterceptorKind::kCel) return run_cel(ic, ev, extensions, secrets);
  return run_vcs(ic, ev, secrets);
}

}  // namespace baton::triggers::detail
