#include "runners/kubernetes/kube_config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/sched/workspaces.h"
#include "engine/spec/decode_util.h"
#include "engine/spec/yaml_tree.h"

namespace baton::runners::kube {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Fail("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Json* named(const Json& list, const std::string& name, const char* field) {
  if (!list.is_array()) return nullptr;
  for (const auto& e : list) {
    if (e.is_object() && e.value("name", "") == name && e.contains(field)) return &e[field];
  }
  return nullptr;
}

// `<key>-data` (base64) or `<key>` (a file relative to the kubeconfig).
Result<std::string> data_or_file(const Json& obj, const std::string& key, const fs::path& base,
                                 const std::string& where) {
  if (obj.contains(key + "-data")) {
    auto d = sched::decode_base64(obj[key + "-data"].get<std::string>());
    if (!d) return Fail(where + "." + key + "-data: not valid base64");
    return *d;
  }
  if (obj.contains(key)) {
    fs::path p = obj[key].get<std::string>();
    if (p.is_relative()) p = base / p;
    auto text = read_file(p);
    if (!text.ok()) return Fail(where + "." + key + ": " + text.error().message);
    return *text;
  }
  return std::string();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  auto docs = spec::parse_yaml_file(path);
  if (!docs.ok()) return docs.error();
  if (docs->empty()) return Fail(path + ": empty kubeconfig");
  Json cfg = spec::to_json(docs->front().root);
  if (!cfg.is_object()) return Fail(path + ": not a kubeconfig (want a mapping)");
  std::string ctx_name = context.empty() ? cfg.value("current-context", "") : context;
  if (ctx_name.empty()) return Fail(path + ": no current-context; pick one with a context name");
  const Json* ctx = named(cfg["contexts"], ctx_name, "context");
  if (!ctx) return Fail(path + ": context \"" + ctx_name + "\" not found");
  std::string cluster_name = ctx->value("cluster", ""), user_name = ctx->value("user", "");
  const Json* cluster = named(cfg["clusters"], cluster_name, "cluster");
  if (!cluster) return Fail(path + ": cluster \"" + cluster_name + "\" not found");
  KubeConfig out;
  fs::path base = fs::path(path).parent_path();
  out.server = cluster->value("server", "");
  if (out.server.empty()) return Fail(path + ": cluster \"" + cluster_name + "\" has no server");
  std::string ns = ctx->value("namespace", "");
  if (!ns.empty()) out.namespace_ = ns;
  out.insecure_skip_tls_verify = cluster->value("insecure-skip-tls-verify", false);
  auto ca = data_or_file(*cluster, "certificate-authority", base, "clusters." + cluster_name);
  if (!ca.ok()) return Fail(path + ": " + ca.error().message);
  out.ca_pem = *ca;
  if (!user_name.empty()) {
    const Json* user = named(cfg["users"], user_name, "user");
    if (!user) return Fail(path + ": user \"" + user_name + "\" not found");
    std::string where = "users." + user_name;
    auto cert = data_or_file(*user, "client-certificate", base, where);
    auto key = data_or_file(*user, "client-key", base, where);
    if (!cert.ok()) return Fail(path + ": " + cert.error().message);
    if (!key.ok()) return Fail(path + ": " + key.error().message);
    out.client_cert_pem = *cert;
    out.client_key_pem = *key;
    out.token = user->value("token", "");
    if (user->contains("tokenFile")) {
      fs::path p = (*user)["tokenFile"].get<std::string>();
      out.token_file = (p.is_relative() ? base / p : p).string();
    }
    if (user->contains("exec") || user->contains("auth-provider"))
      return Fail(path + ": " + where +
                  ": exec/auth-provider credential plugins are not supported");
    if (user->contains("username"))
      return Fail(path + ": " + where + ": basic auth (username/password) is not supported");
  }
  return out;
}

Result<KubeConfig> in_cluster_config(const std::string& sa_dir) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return Fail("not in a cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set");
  KubeConfig out;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  out.server = "https://" + h + ":" + port;
  out.token_file = sa_dir + "/token";
  auto token = read_file(out.token_file);
  if (!token.ok()) return Fail("in-cluster: " + token.error().message);
  out.token = trim(*token);
  if (auto ca = read_file(sa_dir + "/ca.crt"); ca.ok()) out.ca_pem = *ca;
  if (const char* ns = getenv("POD_NAMESPACE"); ns && *ns) {
    out.namespace_ = ns;
  } else if (auto n = read_file(sa_dir + "/namespace"); n.ok() && !trim(*n).empty()) {
    out.namespace_ = trim(*n);
  }
  return out;
}

}  // namespace baton::runners::kube
