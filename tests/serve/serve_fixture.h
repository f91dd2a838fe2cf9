#pragma once
// Runs the real `baton serve` for integration tests: a config in a temp dir, port 0, the port
// read from its "listening on" line; signed webhook requests over a real socket; the store
// opened beside the server to check what it recorded.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/store/run_store.h"
#include "tests/api/test_client.h"

namespace baton::serve_testing {

using api::testing::ClientResponse;
using api::testing::Headers;

/// Reads a whole file ("" if unreadable).
std::string read_file(const std::string& path);

/// One `baton serve` process over a directory of sources.
class ServeProcess {
 public:
  /// `sources` and `home` are directories; `extra_config` is appended to the config YAML.
  ServeProcess(std::string dir, std::string extra_config = {});
  ~ServeProcess();  // SIGKILL if still running

  /// Starts and waits (10 s) for the listening line; false with the log on failure.
  bool start();
  /// SIGTERM and wait; returns the exit status (-1 if it died by a signal).
  int stop();
  /// SIGKILL and wait.
  void kill_now();
  unsigned short port() const { return port_; }
  std::string log() const { return read_file(log_path_); }
  std::string sources() const { return dir_ + "/sources"; }
  std::string store_path() const { return dir_ + "/home/baton.db"; }

  /// POSTs `body` to /hooks/<listener> on a new connection.
  ClientResponse post(const std::string& listener, const std::string& body,
                      const Headers& headers) const;

 private:
  std::string dir_, extra_, log_path_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

/// GitHub's headers for `body`: event, delivery id, and sha256 signature with `secret`.
Headers github_headers(const std::string& event, const std::string& delivery,
                       const std::string& body, const std::string& secret);
/// GitLab's headers: event, token, event UUID.
Headers gitlab_headers(const std::string& event, const std::string& token, const std::string& uuid);

/// Polls `pred` every 20 ms until true or `timeout` passes.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Opens the store of a server (WAL: readable while it runs).
std::unique_ptr<store::RunStore> open_store(const std::string& path);

}  // namespace baton::serve_testing
