#pragma once
// Test helpers for runners: a thread-safe recording LogSink and a waiter for on_done.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/exec/runner.h"

namespace baton::runners::testing {

using namespace std::chrono_literals;

/// Records everything a runner reports; waits (with deadlines) for expected output.
class RecordingSink : public exec::LogSink {
 public:
  void on_output(std::size_t i, exec::Stream s, std::string_view bytes) override {
    std::lock_guard lock(mu_);
    (s == exec::Stream::kStdout ? out_ : err_)[i].append(bytes);
    cv_.notify_all();
  }
  void on_step_started(std::size_t i, const std::string& name) override {
    std::lock_guard lock(mu_);
    started_.emplace_back(i, name);
  }
  void on_step_finished(std::size_t i, const exec::StepOutcome& o) override {
    std::lock_guard lock(mu_);
    finished_.emplace_back(i, o);
  }
  void on_notice(std::string_view text) override {
    std::lock_guard lock(mu_);
    notices_.emplace_back(text);
  }

  std::string out(std::size_t i) {
    std::lock_guard lock(mu_);
    return out_[i];
  }
  std::string err(std::size_t i) {
    std::lock_guard lock(mu_);
    return err_[i];
  }
  std::vector<std::string> notices() {
    std::lock_guard lock(mu_);
    return notices_;
  }
  std::vector<std::pair<std::size_t, std::string>> started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  std::vector<std::pair<std::size_t, exec::StepOutcome>> finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }
  /// True once stdout of step `i` contains `needle`, false at the deadline.
  bool wait_for_stdout(std::size_t i, const std::string& needle,
                       std::chrono::milliseconds limit = 30s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return out_[i].find(needle) != std::string::npos; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::size_t, std::string> out_, err_;
  std::vector<std::string> notices_;
  std::vector<std::pair<std::size_t, std::string>> started_;
  std::vector<std::pair<std::size_t, exec::StepOutcome>> finished_;
};

/// Collects on_done calls; wait() returns the outcome or nullopt at the deadline.
class DoneWaiter {
 public:
  std::function<void(exec::TaskOutcome)> callback() {
    return [this](exec::TaskOutcome o) {
      std::lock_guard lock(mu_);
      ++calls_;
      outcome_ = std::move(o);
      cv_.notify_all();
    };
  }
  std::optional<exec::TaskOutcome> wait(std::chrono::milliseconds limit = 60s) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, limit, [&] { return calls_ > 0; });
    return outcome_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  std::optional<exec::TaskOutcome> outcome_;
};

/// A fresh temporary directory, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "baton-host-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A step running `script`.
inline exec::StepInvocation script_step(std::string name, std::string script) {
  exec::StepInvocation s;
  s.name = std::move(name);
  s.script = std::move(script);
  return s;
}

/// Whether `pid` no longer runs (gone, or a zombie nobody reaped: PID 1 here may not reap).
bool process_gone(pid_t pid);
/// Polls process_gone(pid) until the deadline.
bool wait_process_gone(pid_t pid, std::chrono::milliseconds limit = 30s);
/// Reads a whole file ("" when missing).
std::string slurp(const std::string& path);
/// Polls until `path` is a non-empty file.
bool wait_file(const std::string& path, std::chrono::milliseconds limit = 30s);

}  // namespace baton::runners::testing
