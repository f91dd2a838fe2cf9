#include "dashboard-api/serve_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/exec/runner.h"
#include "engine/spec/decode_util.h"
#include "engine/spec/yaml_tree.h"

namespace baton::api {

namespace {

namespace fs = std::filesystem;
using spec::DecodeCtx;
using spec::MapReader;
using spec::Node;

std::string default_home() {
  if (const char* h = std::getenv("BATON_HOME"); h && *h) return h;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.baton";
  return "/var/lib/baton";
}

std::string absolute(const std::string& base_dir, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  fs::path full = (path.is_absolute() ? path : fs::path(base_dir) / path).lexically_normal();
  if (!full.has_filename() && full.has_relative_path()) full = full.parent_path();  // "dir/"
  return full.string();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

void parse_listen_field(const DecodeCtx& c, const Node& n, ServeConfig& out) {
  std::string text = spec::read_string(c, n, "listen");
  if (!n.is_scalar()) return;
  auto addr = parse_listen(text);
  if (!addr) {
    c.error(n.mark, "listen",
            "want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got \"" + text + "\"");
    return;
  }
  out.address = addr->host;
  out.port = addr->port;
}

std::size_t positive(const DecodeCtx& c, const Node& n, const std::string& path, int max) {
  return static_cast<std::size_t>(spec::read_int(c, n, path, 1, max));
}

void parse_limits(const DecodeCtx& c, const Node& n, ServeLimits& out) {
  MapReader m(c, n, "limits");
  if (const Node* v = m.get("taskRuns")) out.task_runs = positive(c, *v, "limits.taskRuns", 4096);
  if (const Node* v = m.get("runs")) out.runs = positive(c, *v, "limits.runs", 4096);
  if (const Node* v = m.get("queuedRuns"))
    out.queued_runs = positive(c, *v, "limits.queuedRuns", 10'000'000);
  if (const Node* v = m.get("bodyBytes"))
    out.body_bytes = positive(c, *v, "limits.bodyBytes", 1 << 30);
  if (const Node* v = m.get("httpThreads"))
    out.http_threads = static_cast<int>(positive(c, *v, "limits.httpThreads", 256));
}

// `key: {field: DURATION}` blocks (reload, shutdown).
void parse_duration_block(const DecodeCtx& c, MapReader& root, const std::string& key,
                          const std::string& field, std::chrono::milliseconds& out) {
  const Node* n = root.get(key);
  if (!n) return;
  MapReader m(c, *n, key);
  std::optional<std::chrono::milliseconds> d;
  m.duration(field, d);
  if (d) out = *d;
}

void check_directory(const DecodeCtx& c, const Node& at, const std::string& path,
                     const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) c.error(at.mark, path, "no such directory: " + dir);
}

void parse_git(const DecodeCtx& c, const Node& n, const std::string& path, const std::string& base,
               SourceConfig& s) {
  MapReader m(c, n, path);
  const Node* url = m.required("url");
  if (url) s.git_url = spec::read_string(c, *url, path + ".url");
  if (const Node* ref = m.get("ref")) {
    s.git_ref = spec::read_string(c, *ref, path + ".ref");
    if (s.git_ref.empty()) c.error(ref->mark, path + ".ref", "want a branch, tag or commit id");
  }
  if (const Node* sub = m.get("path")) {
    s.git_path = spec::read_string(c, *sub, path + ".path");
    while (!s.git_path.empty() && s.git_path.back() == '/') s.git_path.pop_back();
    fs::path p = fs::path(s.git_path).lexically_normal();
    if (p.is_absolute() || starts_with(p.string(), "..")) {
      c.error(sub->mark, path + ".path",
              "want a directory inside the repository, got \"" + s.git_path + "\"");
    }
  }
  if (!url || s.git_url.empty()) return;
  const std::string& u = s.git_url;
  if (starts_with(u, "http://") || starts_with(u, "https://") || starts_with(u, "git://")) return;
  if (u.find("://") != std::string::npos) {
    if (!starts_with(u, "file://")) {
      c.error(url->mark, path + ".url",
              "unsupported URL scheme in \"" + u +
                  "\"; use file://, http://, https://, git:// or a local path");
      return;
    }
    check_directory(c, *url, path + ".url", u.substr(7));
    return;
  }
  s.git_url = absolute(base, u);  // a local repository path
  check_directory(c, *url, path + ".url", s.git_url);
}

void parse_sources(const DecodeCtx& c, MapReader& root, const std::string& base, ServeConfig& out) {
  root.list("sources", [&](const Node& item, const std::string& path, std::size_t) {
    MapReader m(c, item, path);
    SourceConfig s;
    const Node* d = m.get("directory");
    const Node* g = m.get("git");
    if (!m.valid()) return;
    if ((d == nullptr) == (g == nullptr)) {
      c.error(item.mark, path, "a source is either `directory: DIR` or `git: {url, ref, path}`");
      return;
    }
    if (d) {
      s.directory = absolute(base, spec::read_string(c, *d, path + ".directory"));
      if (s.directory.empty()) {
        c.error(d->mark, path + ".directory", "want a directory");
        return;
      }
      check_directory(c, *d, path + ".directory", s.directory);
    } else {
      parse_git(c, *g, path + ".git", base, s);
    }
    out.sources.push_back(std::move(s));
  });
}

void parse_secrets(const DecodeCtx& c, MapReader& root, const std::string& base, ServeConfig& out) {
  root.list("secrets", [&](const Node& item, const std::string& path, std::size_t) {
    MapReader s(c, item, path);
    const Node* f = s.required("file");
    if (!f) return;
    std::string p = absolute(base, spec::read_string(c, *f, path + ".file"));
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) c.error(f->mark, path + ".file", "no such file: " + p);
    out.secret_files.push_back(p);
  });
}

void parse_header(const DecodeCtx& c, MapReader& m) {
  const struct {
    const char* key;
    const char* want;
  } header[] = {{"apiVersion", "baton.dev/v1alpha1"}, {"kind", "ServeConfig"}};
  for (const auto& h : header) {
    const Node* n = m.required(h.key);
    if (!n) continue;
    std::string v = spec::read_string(c, *n, h.key);
    if (n->is_scalar() && v != h.want) {
      c.error(n->mark, h.key, std::string("want \"") + h.want + "\", got \"" + v + "\"");
    }
  }
}

}  // namespace

std::optional<ListenAddress> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string::npos) return std::nullopt;  // [v4] is not a thing
  } else if (host.find_first_of(":[]") != std::string::npos) {
    return std::nullopt;  // IPv6 needs brackets, or its last group reads as the port
  }
  bool digits = !port.empty() && port.size() <= 5 &&
                port.find_first_not_of("0123456789") == std::string::npos;
  if (host.empty() || !digits || std::stoi(port) > 65535) return std::nullopt;
  return ListenAddress{host, static_cast<unsigned short>(std::stoi(port))};
}

ConfigLoad parse_serve_config(const std::string& text, const std::string& file) {
  ConfigLoad out;
  out.config.file = file;
  const std::string base = fs::absolute(fs::path(file)).parent_path().string();
  auto docs = spec::parse_yaml(text, file);
  if (!docs.ok()) {
    out.errors = docs.error().diagnostics;
    if (out.errors.empty()) out.errors.push_back({{file, 1, 1}, "", docs.error().message});
    return out;
  }
  if (docs->size() != 1 || !docs->front().root.is_map()) {
    out.errors.push_back(
        {{file, 1, 1}, "", "want one YAML mapping with kind: ServeConfig in the config file"});
    return out;
  }
  DecodeCtx c{file, false, &out.errors};
  const Node& root = docs->front().root;
  MapReader m(c, root, "");
  ServeConfig& cfg = out.config;
  parse_header(c, m);
  if (const Node* l = m.get("listen")) parse_listen_field(c, *l, cfg);
  std::string home, store;
  m.str("home", home);
  m.str("store", store);
  cfg.home = home.empty() ? default_home() : absolute(base, home);
  cfg.store = store.empty() ? cfg.home + "/baton.db" : absolute(base, store);
  parse_sources(c, m, base, cfg);
  parse_secrets(c, m, base, cfg);
  if (const Node* l = m.get("limits")) parse_limits(c, *l, cfg.limits);
  parse_duration_block(c, m, "reload", "interval", cfg.reload_interval);
  parse_duration_block(c, m, "shutdown", "grace", cfg.shutdown_grace);
  if (const Node* t = m.get("telemetry")) {
    MapReader tm(c, *t, "telemetry");
    if (const Node* e = tm.get("otlpEndpoint")) {
      cfg.otlp_endpoint = spec::read_string(c, *e, "telemetry.otlpEndpoint");
      const std::string& u = cfg.otlp_endpoint;
      if (!u.empty() && !starts_with(u, "http://") && !starts_with(u, "https://")) {
        c.error(e->mark, "telemetry.otlpEndpoint",
                "want an http:// or https:// URL (OTLP/HTTP), got \"" + u + "\"");
      }
    }
  }
  if (const Node* a = m.get("auth")) {
    MapReader am(c, *a, "auth");
    if (const Node* v = am.get("anonymousRead")) {
      cfg.anonymous_read = spec::read_bool(c, *v, "auth.anonymousRead");
    }
    am.finish();
  }
  if (const Node* r = m.get("runner")) {
    cfg.runner = spec::read_string(c, *r, "runner");
    const auto& known = exec::known_runner_names();
    if (std::find(known.begin(), known.end(), cfg.runner) == known.end()) {
      c.error(
          r->mark, "runner",
          "unknown runner \"" + cfg.runner + "\"; this build has: " + exec::known_runner_list());
    }
  }
  if (const Node* i = m.get("images")) cfg.images = spec::read_string_map(c, *i, "images");
  if (const Node* k = m.get("kubernetes")) {
    MapReader km(c, *k, "kubernetes");
    std::string kubeconfig;
    km.str("kubeconfig", kubeconfig);
    if (!kubeconfig.empty()) cfg.kubernetes.kubeconfig = absolute(base, kubeconfig);
    km.str("context", cfg.kubernetes.context);
    km.str("namespace", cfg.kubernetes.namespace_);
    km.str("shellImage", cfg.kubernetes.shell_image);
    km.boolean("inCluster", cfg.kubernetes.in_cluster);
    km.boolean("keepPods", cfg.kubernetes.keep_pods);
    std::optional<std::chrono::milliseconds> connect, request;
    km.duration("connectTimeout", connect);
    km.duration("requestTimeout", request);
    if (connect) cfg.kubernetes.connect_timeout = *connect;
    if (request) cfg.kubernetes.request_timeout = *request;
    km.finish();
  }
  m.finish();
  return out;
}

ConfigLoad load_serve_config(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ConfigLoad out;
    out.config.file = path;
    out.errors.push_back({{path, 0, 0}, "", "cannot read the config file"});
    return out;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_serve_config(ss.str(), path);
}

}  // namespace baton::api
