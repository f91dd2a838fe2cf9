#pragma once
// A small blocking HTTP/1.1 client for the `baton` client commands (runs, logs -f, retry,
// cancel, approve against `baton serve`): one request per connection, plain http:// only,
// Server-Sent Events read as they arrive.

#include <chrono>
#include <functional>
#include <string>

#include "engine/common/result.h"

namespace baton::api {

/// A server base URL: http://HOST:PORT.
struct ServerUrl {
  std::string host;
  std::string port = "80";
};

/// Parses "http://HOST[:PORT][/]"; an Error says why it is not one.
Result<ServerUrl> parse_server_url(const std::string& url);

/// A whole answer.
struct ClientAnswer {
  int status = 0;
  std::string body;
};

/// One request; `token` "" sends no Authorization header.
Result<ClientAnswer> http_call(const ServerUrl& server, const std::string& method,
                               const std::string& target, const std::string& token,
                               const std::string& body = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// One Server-Sent Event.
struct SseEvent {
  std::string id, event, data;
};

/// GETs `target` as an event stream and calls `on_event` for each event until the server ends
/// the stream or `on_event` returns false. A non-200 answer is an Error with its body.
Status http_follow(const ServerUrl& server, const std::string& target, const std::string& token,
                   const std::string& last_event_id,
                   const std::function<bool(const SseEvent&)>& on_event);

}  // namespace baton::api
