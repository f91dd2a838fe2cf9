#pragma once
// Real git for the native task tests: repositories made with the git CLI in a temp dir and
// a `git daemon` on a free loopback port serving them (push enabled).

#include <sys/types.h>

#include <string>

namespace baton::testing {

/// Output and exit status of `bash -c script`.
struct Shell {
  int status = -1;
  std::string out;
};

/// Runs `script` under bash in `cwd`, with a fixed git identity; stdout+stderr captured.
Shell sh(const std::string& script, const std::string& cwd = ".");

/// Runs `script`; fails the current test (and returns "") when it exits non-zero.
std::string must(const std::string& script, const std::string& cwd = ".");

/// A `git daemon` serving every repository under `base` at git://127.0.0.1:PORT/<name>.
class GitDaemon {
 public:
  explicit GitDaemon(std::string base);
  ~GitDaemon();
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;
  bool running() const { return pid_ > 0; }
  std::string url(const std::string& repo) const;
  const std::string& error() const { return error_; }

 private:
  std::string base_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

/// tests/builtin/git_http_auth.py: smart HTTP (git http-backend) behind basic auth USER:TOKEN.
class GitHttpServer {
 public:
  GitHttpServer(const std::string& base, const std::string& user, const std::string& token);
  ~GitHttpServer();
  GitHttpServer(const GitHttpServer&) = delete;
  GitHttpServer& operator=(const GitHttpServer&) = delete;
  bool running() const { return port_ > 0; }
  std::string url(const std::string& repo) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string out_;
};

}  // namespace baton::testing
