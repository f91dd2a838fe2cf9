#pragma once
// What the listener, the sessions and HttpServer share (Beast's "shared_state"): options, the
// router, metrics and the registry of open connections that graceful shutdown walks.
// Private to dashboard-api.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "dashboard-api/http_server.h"

namespace baton::api {

/// The operations shutdown needs on a connection; both are thread-safe (they post to its strand).
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  /// Close now if idle or streaming; otherwise close after the in-flight answer.
  virtual void drain() = 0;
  /// Close now, whatever the connection is doing.
  virtual void force_close() = 0;
};

/// State shared by every connection of one server.
class ServerState {
 public:
  ServerState(ServerOptions options, std::shared_ptr<const Router> router,
              telemetry::Metrics* metrics)
      : options_(std::move(options)), router_(std::move(router)), metrics_(metrics) {}

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return *router_; }
  telemetry::Metrics* metrics() const { return metrics_; }

  /// Registers an open connection; false (and nothing registered) when draining or full.
  bool add(SessionControl* key, std::weak_ptr<SessionControl> session);
  /// Unregisters a closed connection (no-op when unknown).
  void remove(SessionControl* key);
  /// Open connections.
  std::size_t size() const;
  bool draining() const;
  /// Marks the server draining and returns the open connections.
  std::vector<std::shared_ptr<SessionControl>> begin_drain();
  /// The open connections.
  std::vector<std::shared_ptr<SessionControl>> sessions() const;
  /// Waits until no connection is open or `deadline`; true when none is open.
  bool wait_empty_until(std::chrono::steady_clock::time_point deadline);

 private:
  const ServerOptions options_;
  const std::shared_ptr<const Router> router_;
  telemetry::Metrics* const metrics_;
  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::unordered_map<SessionControl*, std::weak_ptr<SessionControl>> sessions_;
  bool draining_ = false;
};

}  // namespace baton::api
