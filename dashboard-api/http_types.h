#pragma once
// The request and response values handlers see; no Beast type leaks out of the server.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::api {

/// One HTTP request, read in full before the handler runs.
struct HttpRequest {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // raw request-target: "/api/v1/runs/1?x=%20"
  std::string path;    // percent-decoded, without the query: "/api/v1/runs/1"
  std::string query;   // raw (still encoded), without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::string body;
  std::string remote;                              // peer "ip:port"
  std::map<std::string, std::string> path_params;  // {name} segments of the matched route

  /// The first header named `name` (case-insensitive); "" when absent.
  std::string_view header(std::string_view name) const;
};

/// Writes the body of a streaming response (Server-Sent Events) from any thread.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Queues `data` as one chunk; false once the stream is closed (client gone, close(), server
  /// shutdown) or when the client is so slow that the per-connection buffer limit was exceeded,
  /// in which case the connection is dropped.
  virtual bool write(std::string data) = 0;
  /// Ends the body (last chunk) and closes the connection; idempotent.
  virtual void close() = 0;
  /// False once the stream is closed for any reason.
  virtual bool is_open() const = 0;
};

/// The answer of a handler.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  /// When set, the response is streamed: headers go out with chunked transfer encoding, `body`
  /// (if any) is the first chunk, then this is called once, on the connection's thread, with the
  /// stream to write the rest from any thread. The connection is not reused afterwards.
  std::function<void(std::shared_ptr<ResponseStream>)> on_stream;
};

/// Handles one request. Runs on a server I/O thread: it may block briefly (a SQLite commit),
/// never for long. An exception becomes a 500.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

/// A response with `status` and a JSON `body` given verbatim.
HttpResponse json_response(int status, std::string body);

/// A response with body {"error": message}.
HttpResponse json_error(int status, std::string_view message);

}  // namespace baton::api
