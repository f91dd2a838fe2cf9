#pragma once
// HttpServer: Baton's one HTTP/1.1 server (Boost.Beast, asynchronous). A listener accepts on
// its own strand; each connection is a session on its own strand, so a connection's reads,
// handler call and writes never run concurrently while different connections run on different
// I/O threads. Beast stays inside dashboard-api's .cc files.
//
// Per request: the headers are read first and a Content-Length over body_limit is answered 413
// before any body byte is read; a chunked body is cut off at body_limit the same way. Malformed
// requests (bad syntax, dot-segments or encoded slashes in the path; see request_target.h) are
// answered 400 and the connection is closed. Error answers are JSON {"error": "..."}.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "dashboard-api/router.h"
#include "engine/common/result.h"

namespace baton::telemetry {
class Metrics;
}

namespace baton::api {

/// Listen address, threads and limits of an HttpServer.
struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  // 0: the kernel picks one; see HttpServer::port()
  int threads = 2;          // I/O threads; handlers run on them
  std::size_t body_limit = 25 << 20;
  std::size_t header_limit = 16 << 10;  // request line + headers; over it: 431
  /// From the first byte of a request until it is read in full (headers and body).
  std::chrono::milliseconds read_timeout{30'000};
  /// How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  /// Open connections beyond this get a 503 and are closed.
  std::size_t max_connections = 10'000;
  /// Bytes a streaming response may queue for a slow client before it is dropped.
  std::size_t stream_buffer_limit = 1 << 20;
};

/// A running HTTP server; stops (shutdown with no grace) when destroyed.
class HttpServer {
 public:
  /// Binds, listens and starts the I/O threads. `router` must not change afterwards; `metrics`
  /// (may be null) records every answered request and must outlive the server.
  static Result<std::unique_ptr<HttpServer>> start(ServerOptions options,
                                                   std::shared_ptr<const Router> router,
                                                   telemetry::Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The bound port (the kernel's choice when options.port was 0).
  unsigned short port() const;
  /// Closes the listening socket: new connections are refused; open ones keep being served.
  void stop_accepting();
  /// Graceful stop: stops accepting, closes idle keep-alive connections and streams at once,
  /// lets in-flight requests finish (their answers carry Connection: close), and after `grace`
  /// closes whatever is left; returns when every I/O thread has exited. Idempotent.
  void shutdown(std::chrono::milliseconds grace);
  /// Connections open now (for tests and overload answers).
  std::size_t connection_count() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baton::api
