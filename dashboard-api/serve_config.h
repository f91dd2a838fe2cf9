#pragma once
// The `baton serve` config file (docs/serve-config.md): listen address, store, where
// Task/Pipeline/EventListener YAML comes from, secrets, limits, reload and shutdown timing.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/diagnostic.h"

namespace baton::api {

/// Where Task/Pipeline/EventListener/Secret YAML is loaded from: a directory or a git repository.
struct SourceConfig {
  std::string directory;         // a local directory (absolute after parsing), or
  std::string git_url;           // a git repository (file://, http(s)://, git://, a local path)
  std::string git_ref = "main";  // branch, tag or commit
  std::string git_path;          // subdirectory inside the repository ("" = root)
};

/// Limits of the service.
struct ServeLimits {
  std::size_t task_runs = 0;        // TaskRuns running at once across runs; 0 = number of cores
  std::size_t runs = 16;            // runs executing at once
  std::size_t queued_runs = 10000;  // queued runs before webhooks answer 503
  std::size_t body_bytes = 25u << 20;
  int http_threads = 16;  // handlers block on the durable commit; more threads, bigger groups
};

/// A parsed config.
struct ServeConfig {
  std::string file;  // the config file path as given
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 = any free port (tests)
  std::string home;            // scratch + default store dir; default $BATON_HOME or ~/.baton
  std::string store;           // SQLite path; default <home>/baton.db
  std::vector<SourceConfig> sources;
  std::vector<std::string> secret_files;  // YAML files with `kind: Secret` documents (absolute)
  ServeLimits limits;
  std::chrono::milliseconds reload_interval{5000};  // 0 = never reload
  std::chrono::milliseconds shutdown_grace{30000};
  std::string otlp_endpoint;    // "" = no OTLP export
  std::string runner = "host";  // default runner: one of exec::known_runner_names()
  /// Image map of the podman runner (runners/podman/image_map.h): reference/prefix -> image.
  std::map<std::string, std::string> images;
  /// auth.anonymousRead: requests without a token may read the dashboard API (never act).
  bool anonymous_read = false;
  /// `kubernetes:` of the config: where the Kubernetes runner connects.
  struct Kubernetes {
    std::string kubeconfig, context, namespace_, shell_image;
    bool in_cluster = false;
    bool keep_pods = false;
    std::chrono::milliseconds connect_timeout{0}, request_timeout{0};  // 0: the runner's default
  } kubernetes;
};

/// A config and every error found in it (file:line:col, field path).
struct ConfigLoad {
  ServeConfig config;
  Diagnostics errors;
};

/// A listen address split into host (brackets of IPv6 removed) and port.
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};

/// Parses HOST:PORT (port 0-65535; [::1]:PORT for IPv6); nullopt when malformed. The same
/// rule as the config's `listen`, for command-line overrides.
std::optional<ListenAddress> parse_listen(const std::string& text);

/// Reads and validates a config file; all errors are reported, unknown keys rejected.
ConfigLoad load_serve_config(const std::string& path);
/// The same for text; relative paths resolve against the directory of `file`.
ConfigLoad parse_serve_config(const std::string& text, const std::string& file);

}  // namespace baton::api
