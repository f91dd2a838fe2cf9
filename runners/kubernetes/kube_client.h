#pragma once
// A client of the Kubernetes REST API (core/v1 pods) over Boost.Beast, plain HTTP or TLS
// (OpenSSL): bearer token or client certificate, CA bundle or insecure-skip-tls-verify.
// Blocking calls, one connection per call, each bounded by client-side timeouts (a blackholed
// API server fails a call instead of blocking until TCP gives up); abort() unblocks every call
// in flight (used when an execution is cancelled or the runner goes away).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "runners/kubernetes/kube_config.h"
#include "runners/kubernetes/pod_spec.h"

namespace baton::runners::kube {

/// A status line and body.
struct HttpResponse {
  int status = 0;
  std::string body;
};

/// Client-side limits of one call.
struct KubeTimeouts {
  std::chrono::milliseconds connect{10'000};  // TCP connect (and TLS handshake)
  std::chrono::milliseconds request{30'000};  // a whole plain call; a stream's response headers
  /// A watch asks the server to end it after timeoutSeconds; without a byte for
  /// timeoutSeconds + this, the client gives up on it (the caller watches again).
  std::chrono::milliseconds watch_slack{5'000};
  /// A followed log silent this long is given up (the caller resumes it without repeating).
  std::chrono::milliseconds log_idle{300'000};
};

/// Error codes of KubeClient calls: "conflict" (409), "not_found" (404), "gone" (410),
/// "unauthorized" (401), "forbidden" (403), "http" (other status), "io" (connection),
/// "timeout" (a client-side limit of KubeTimeouts), "aborted".
class KubeClient {
 public:
  explicit KubeClient(KubeConfig config, KubeTimeouts timeouts = {});
  ~KubeClient();

  const KubeConfig& config() const { return config_; }

  /// POST a pod; the created object. 409 AlreadyExists is an Error with code "conflict".
  Result<Json> create_pod(const std::string& ns, const Json& pod);
  Result<Json> get_pod(const std::string& ns, const std::string& name);
  /// The PodList of pods matching `selector` (its metadata.resourceVersion starts a watch).
  Result<Json> list_pods(const std::string& ns, const std::string& selector);
  /// DELETE with gracePeriodSeconds; a pod already gone is success.
  Result<void> delete_pod(const std::string& ns, const std::string& name, int grace_seconds = 0);
  /// Watches pods matching `selector` from `resource_version` (bookmarks on). `on_event` gets
  /// each WatchEvent object and returns false to stop. Returns when the server ends the
  /// stream (the caller reconnects from the last resourceVersion it saw) or on_event said stop;
  /// fails with "timeout" when no byte came for timeout_seconds + KubeTimeouts::watch_slack.
  Result<void> watch_pods(const std::string& ns, const std::string& selector,
                          const std::string& resource_version, int timeout_seconds,
                          const std::function<bool(const Json&)>& on_event);
  /// Follows the log of `container` until it ends; `on_bytes` gets each chunk as it arrives
  /// ("timeout" after KubeTimeouts::log_idle without a byte).
  Result<void> stream_log(const std::string& ns, const std::string& pod,
                          const std::string& container,
                          const std::function<void(std::string_view)>& on_bytes);

  /// Any request; `on_body` (if given) receives a 2xx body in pieces instead of collecting it,
  /// each piece within `idle` of the previous one (0: the request timeout).
  Result<HttpResponse> request(const std::string& method, const std::string& target,
                               const std::string& body = {},
                               const std::function<bool(std::string_view)>& on_body = {},
                               std::chrono::milliseconds idle = {});

  /// Makes every call in flight, and every later one, fail with code "aborted".
  void abort();

 private:
  struct Impl;
  KubeConfig config_;
  KubeTimeouts timeouts_;
  std::unique_ptr<Impl> impl_;
};

/// An Error for a non-2xx response: status, reason and the Status object's message.
Error http_error(const HttpResponse& r, const std::string& what);

/// Percent-encodes a query value.
std::string url_encode(std::string_view s);

}  // namespace baton::runners::kube
