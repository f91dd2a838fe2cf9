#pragma once
// A small blocking HTTP/1.1 client over a real loopback socket, for the server tests. Every
// operation has a deadline (no test can hang on a silent server).

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/common/result.h"

namespace baton::api::testing {

/// One response as the client read it.
struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;
  /// First header `name` (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One client connection.
class TestClient {
 public:
  explicit TestClient(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  /// Connects to 127.0.0.1:port.
  Status connect(unsigned short port);
  /// Sends a request (Content-Length set from `body`) and reads the response.
  Result<ClientResponse> request(const std::string& method, const std::string& target,
                                 const std::string& body = {}, const Headers& headers = {});
  /// Sends raw bytes as they are.
  Status write_raw(const std::string& bytes);
  /// Reads one response.
  Result<ClientResponse> read_response();
  /// True when the server closes the connection (EOF or reset) before the deadline; bytes the
  /// server sends meanwhile are discarded.
  bool wait_closed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A request line, headers and body as bytes, for tests that need control over framing.
std::string raw_request(const std::string& method, const std::string& target,
                        const Headers& headers, const std::string& body);

}  // namespace baton::api::testing
