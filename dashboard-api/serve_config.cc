#include "dashboard-api/serve_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  return (path.is_absolute() ? path : fs::path(base_dir) / path).lexically_normal().string();
}

void parse_listen(const DecodeCtx& c, const Node& n, ServeConfig& out) {
  std::string text = spec::read_string(c, n, "listen");
  auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 &&
                port.find_first_not_of("0123456789") == std::string::npos;
  if (host.empty() || !digits || std::stoi(port) > 65535) {
    c.error(n.mark, "listen",
            "want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got \"" + text + "\"");
    return;
  }
  out.address = host;
  out.port = static_cast<unsigned short>(std::stoi(port));
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

std::chrono::milliseconds duration_of(MapReader& m, const std::string& key,
                                      std::chrono::milliseconds fallback) {
  std::optional<std::chrono::milliseconds> d;
  m.duration(key, d);
  return d ? *d : fallback;
}

void parse_sources(const DecodeCtx& c, MapReader& root, const std::string& base, ServeConfig& out) {
  root.list("sources", [&](const Node& item, const std::string& path, std::size_t) {
    MapReader m(c, item, path);
    SourceConfig s;
    if (const Node* d = m.get("directory")) {
      s.directory = absolute(base, spec::read_string(c, *d, path + ".directory"));
      std::error_code ec;
      if (!s.directory.empty() && !fs::is_directory(s.directory, ec)) {
        c.error(d->mark, path + ".directory", "no such directory: " + s.directory);
      }
    }
    if (const Node* g = m.get("git")) {
      MapReader gm(c, *g, path + ".git");
      if (const Node* u = gm.required("url"))
        s.git_url = spec::read_string(c, *u, path + ".git.url");
      gm.str("ref", s.git_ref);
      gm.str("path", s.git_path);
      if (!s.git_url.empty() && s.git_url.find("://") == std::string::npos &&
          s.git_url.find('@') == std::string::npos) {
        s.git_url = absolute(base, s.git_url);  // a local repository path
      }
    }
    if (s.directory.empty() == s.git_url.empty()) {
      c.error(item.mark, path, "a source is either `directory: DIR` or `git: {url, ref, path}`");
      return;
    }
    out.sources.push_back(std::move(s));
  });
}

}  // namespace

ConfigLoad parse_serve_config(const std::string& text, const std::string& file) {
  ConfigLoad out;
  out.config.file = file;
  const std::string base = fs::path(file).parent_path().string();
  auto docs = spec::parse_yaml(text, file);
  if (!docs.ok()) {
    out.errors.push_back({{file, 1, 1}, "", docs.error().message});
    return out;
  }
  if (docs->size() != 1 || !docs->front().root.is_map()) {
    out.errors.push_back({{file, 1, 1}, "", "the config is one YAML mapping (kind: ServeConfig)"});
    return out;
  }
  DecodeCtx c{file, false, &out.errors};
  const Node& root = docs->front().root;
  MapReader m(c, root, "");
  ServeConfig& cfg = out.config;
  std::string api_version, kind;
  m.str("apiVersion", api_version);
  m.str("kind", kind);
  if (api_version != "baton.dev/v1alpha1" || kind != "ServeConfig") {
    c.error(root.mark, "kind", "want apiVersion: baton.dev/v1alpha1 and kind: ServeConfig");
  }
  if (const Node* l = m.get("listen")) parse_listen(c, *l, cfg);
  std::string home, store;
  m.str("home", home);
  m.str("store", store);
  cfg.home = home.empty() ? default_home() : absolute(base, home);
  cfg.store = store.empty() ? cfg.home + "/baton.db" : absolute(base, store);
  parse_sources(c, m, base, cfg);
  m.list("secrets", [&](const Node& item, const std::string& path, std::size_t) {
    MapReader s(c, item, path);
    if (const Node* f = s.required("file")) {
      std::string p = absolute(base, spec::read_string(c, *f, path + ".file"));
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) c.error(f->mark, path + ".file", "no such file: " + p);
      cfg.secret_files.push_back(p);
    }
  });
  if (const Node* l = m.get("limits")) parse_limits(c, *l, cfg.limits);
  if (const Node* r = m.get("reload")) {
    MapReader rm(c, *r, "reload");
    cfg.reload_interval = duration_of(rm, "interval", cfg.reload_interval);
  }
  if (const Node* s = m.get("shutdown")) {
    MapReader sm(c, *s, "shutdown");
    cfg.shutdown_grace = duration_of(sm, "grace", cfg.shutdown_grace);
  }
  if (const Node* t = m.get("telemetry")) {
    MapReader tm(c, *t, "telemetry");
    tm.str("otlpEndpoint", cfg.otlp_endpoint);
  }
  if (const Node* r = m.get("runner")) {
    cfg.runner = spec::read_string(c, *r, "runner");
    if (cfg.runner != "host") {
      c.error(r->mark, "runner", "unknown runner \"" + cfg.runner + "\"; this build has: host");
    }
  }
  m.finish();
  return out;
}

ConfigLoad load_serve_config(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ConfigLoad out;
    out.errors.push_back({{path, 0, 0}, "", "cannot read the config file"});
    return out;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_serve_config(ss.str(), path);
}

}  // namespace baton::api
