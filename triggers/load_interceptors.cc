// Interceptor decoding. Two spellings reach the same Interceptor:
//   v1beta1:  - ref: {name: github}            v1alpha1:  - github:
//               params: [{name: eventTypes,                    eventTypes: [...]
//                         value: [...]}]                       secretRef: {...}
// Interceptors Baton cannot run in-process (webhook, custom ClusterInterceptors, githubOwners,
// which calls the GitHub API) are load-time errors that name them.

#include "triggers/load_internal.h"

namespace baton::triggers::detail {

using spec::field;
using spec::index;
using spec::MapReader;
using spec::read_string;

namespace {

struct RawParam {
  std::string name;
  const Node* value;
  std::string path;
  spec::Mark mark;
};

bool parse_kind(const std::string& name, InterceptorKind& kind) {
  if (name == "github")
    kind = InterceptorKind::kGitHub;
  else if (name == "gitlab")
    kind = InterceptorKind::kGitLab;
  else if (name == "bitbucket")
    kind = InterceptorKind::kBitbucket;
  else if (name == "cel")
    kind = InterceptorKind::kCel;
  else
    return false;
  return true;
}

void decode_secret_ref(const DecodeCtx& c, const RawParam& p, Interceptor& out) {
  MapReader r(c, *p.value, p.path);
  SecretRef ref;
  r.str("secretName", ref.secret_name);
  r.str("secretKey", ref.secret_key);
  r.ignore({"namespace"});
  if (!r.valid()) return;
  if (ref.secret_name.empty() || ref.secret_key.empty()) {
    c.error(p.value->mark, p.path, "secretRef needs secretName and secretKey");
    return;
  }
  out.secret_ref = std::move(ref);
}

void decode_overlays(const DecodeCtx& c, const RawParam& p, Interceptor& out) {
  if (!p.value->is_seq()) {
    c.error(p.value->mark, p.path, std::string("expected a list, got a ") + p.value->kind_name());
    return;
  }
  for (std::size_t i = 0; i < p.value->items.size(); ++i) {
    const Node& item = p.value->items[i];
    std::string ip = index(p.path, i);
    MapReader r(c, item, ip);
    CelOverlay o;
    r.str("key", o.key);
    const Node* expr = r.required("expression");
    if (!r.valid()) continue;
    if (o.key.empty()) c.error(item.mark, field(ip, "key"), "missing required field");
    if (!expr) continue;
    if (auto prog = compile_cel_at(c, *expr, field(ip, "expression"))) {
      o.expression = std::move(*prog);
      out.overlays.push_back(std::move(o));
    }
  }
}

void decode_param(const DecodeCtx& c, const RawParam& p, Interceptor& out) {
  const std::string& n = p.name;
  bool vcs = out.kind != InterceptorKind::kCel;
  if (vcs && n == "secretRef") return decode_secret_ref(c, p, out);
  if (vcs && n == "eventTypes") {
    out.event_types = spec::read_string_list(c, *p.value, p.path);
    return;
  }
  if (out.kind == InterceptorKind::kGitHub && n == "addChangedFiles") return;  // see docs/design
  if (out.kind == InterceptorKind::kGitHub && n == "githubOwners") {
    const Node* enabled = p.value->find("enabled");
    if (enabled && enabled->is_scalar() && enabled->scalar == "true") {
      c.error(p.mark, p.path,
              "githubOwners is not supported: it calls the GitHub API to check OWNERS; use a cel "
              "filter on body.sender.login instead");
    }
    return;
  }
  if (out.kind == InterceptorKind::kCel && n == "filter") {
    out.filter = compile_cel_at(c, *p.value, p.path);
    return;
  }
  if (out.kind == InterceptorKind::kCel && n == "overlays") return decode_overlays(c, p, out);
  c.error(p.mark, p.path, "unknown param \"" + n + "\" for the " + out.name + " interceptor");
}

void decode_one(const DecodeCtx& c, const Node& n, const std::string& path,
                std::vector<Interceptor>& out) {
  MapReader r(c, n, path);
  Interceptor ic;
  ic.pos = pos_of(c, n);
  r.str("name", ic.name);
  std::vector<RawParam> params;
  std::string type;
  if (const Node* ref = r.get("ref")) {
    std::string rp = field(path, "ref");
    MapReader rr(c, *ref, rp);
    rr.str("name", type);
    std::string kind;
    rr.str("kind", kind);
    rr.ignore({"apiVersion"});
    if (!kind.empty() && kind != "ClusterInterceptor") {
      c.error(ref->mark, field(rp, "kind"),
              "only the built-in ClusterInterceptors github, gitlab, bitbucket and cel are "
              "supported, not a " +
                  kind);
    }
    r.list("params", [&](const Node& item, const std::string& pp, std::size_t) {
      MapReader pr(c, item, pp);
      std::string pname;
      pr.str("name", pname);
      const Node* v = pr.required("value");
      if (!pname.empty() && v) params.push_back({pname, v, field(pp, "value"), item.mark});
    });
  }
  for (const char* legacy : {"github", "gitlab", "bitbucket", "cel"}) {
    const Node* body = r.get(legacy);
    if (!body) continue;
    if (!type.empty()) c.error(n.mark, path, "an interceptor has exactly one type");
    type = legacy;
    std::string lp = field(path, legacy);
    if (body->is_null()) continue;
    if (!body->is_map()) {
      c.error(body->mark, lp, std::string("expected a mapping, got a ") + body->kind_name());
      continue;
    }
    for (const auto& e : body->entries)
      params.push_back({e.key, &e.value, field(lp, e.key), e.key_mark});
  }
  if (r.get("webhook")) {
    c.error(n.mark, field(path, "webhook"),
            "webhook interceptors are not supported (Baton runs github, gitlab, bitbucket and cel "
            "in-process and does not call out to services)");
    return;
  }
  r.finish();
  if (type.empty()) {
    if (r.valid())
      c.error(n.mark, path, "interceptor needs ref.name (github, gitlab, bitbucket or cel)");
    return;
  }
  if (!parse_kind(type, ic.kind)) {
    c.error(n.mark, field(path, "ref.name"),
            "interceptor \"" + type +
                "\" is not supported (supported: github, gitlab, bitbucket, cel)");
    return;
  }
  if (ic.name.empty()) ic.name = type;
  std::size_t before = c.diags->size();
  for (const RawParam& p : params) decode_param(c, p, ic);
  if (c.diags->size() == before) out.push_back(std::move(ic));
}

}  // namespace

std::vector<Interceptor> decode_interceptors(const DecodeCtx& c, const Node& n,
                                             const std::string& path) {
  std::vector<Interceptor> out;
  if (n.is_null()) return out;
  if (!n.is_seq()) {
    c.error(n.mark, path, std::string("expected a list, got a ") + n.kind_name());
    return out;
  }
  for (std::size_t i = 0; i < n.items.size(); ++i) decode_one(c, n.items[i], index(path, i), out);
  return out;
}

}  // namespace baton::triggers::detail
