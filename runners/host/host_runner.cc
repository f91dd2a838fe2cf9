#include "runners/host/host_runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <thread>

#include "runners/host/attempt.h"
#include "runners/host/subprocess.h"

namespace baton::runners {
namespace {

constexpr const char* kStandardPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The mount points must exist on the host root before a namespace can bind over them.
bool make_mount_points() {
  for (const char* dir : {"/tekton", "/workspace"}) {
    if (::mkdir(dir, 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

class HostExecution final : public exec::Execution {
 public:
  explicit HostExecution(std::shared_ptr<Attempt> attempt) : attempt_(std::move(attempt)) {}
  void cancel(bool timeout) override { attempt_->cancel(timeout); }

 private:
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace

HostRunner::HostRunner(HostRunnerOptions options) : options_(std::move(options)) {
  if (options_.path_env.empty()) {
    const char* path = std::getenv("PATH");
    options_.path_env = path && *path ? path : kStandardPath;
  }
  namespaces_ =
      options_.use_mount_namespace && make_mount_points() && Subprocess::mount_namespace_works();
}

HostRunner::~HostRunner() {
  std::unique_lock lock(live_->mu);
  for (auto& weak : live_->attempts) {
    if (auto a = weak.lock()) a->cancel(false);
  }
  live_->cv.wait(lock, [&] { return live_->running == 0; });
}

std::unique_ptr<exec::Execution> HostRunner::start(const exec::TaskInvocation& inv,
                                                   exec::LogSink& sink,
                                                   std::function<void(exec::TaskOutcome)> on_done) {
  auto attempt = std::make_shared<Attempt>(inv, sink, std::move(on_done), options_, namespaces_);
  {
    std::lock_guard lock(live_->mu);
    std::erase_if(live_->attempts, [](const std::weak_ptr<Attempt>& w) { return w.expired(); });
    live_->attempts.push_back(attempt);
    ++live_->running;
  }
  // The thread keeps the attempt (and the live counter) alive on its own, so dropping the
  // Execution handle never stops or blocks a run.
  auto body = [attempt, live = live_] {
    attempt->run();
    std::lock_guard lock(live->mu);
    --live->running;
    live->cv.notify_all();
  };
  try {
    std::thread(body).detach();
  } catch (const std::system_error& e) {  // out of threads: still exactly one on_done
    attempt->fail(std::string("host runner: cannot start a thread: ") + e.what());
    std::lock_guard lock(live_->mu);
    --live_->running;
  }
  return std::make_unique<HostExecution>(std::move(attempt));
}

}  // namespace baton::runners
