#include "runners/host/attempt_pool.h"

#include <system_error>
#include <thread>

namespace baton::runners {
namespace {

class PoolExecution final : public exec::Execution {
 public:
  explicit PoolExecution(std::shared_ptr<AttemptBase> attempt) : attempt_(std::move(attempt)) {}
  void cancel(bool timeout) override { attempt_->cancel(timeout); }

 private:
  std::shared_ptr<AttemptBase> attempt_;
};

}  // namespace

AttemptPool::~AttemptPool() {
  std::unique_lock lock(live_->mu);
  for (auto& weak : live_->attempts) {
    if (auto a = weak.lock()) a->cancel(false);
  }
  live_->cv.wait(lock, [&] { return live_->running == 0; });
}

std::unique_ptr<exec::Execution> AttemptPool::launch(std::shared_ptr<AttemptBase> attempt,
                                                     const char* runner_name) {
  {
    std::lock_guard lock(live_->mu);
    std::erase_if(live_->attempts, [](const std::weak_ptr<AttemptBase>& w) { return w.expired(); });
    live_->attempts.push_back(attempt);
    ++live_->running;
  }
  auto body = [attempt, live = live_] {
    attempt->run();
    std::lock_guard lock(live->mu);
    --live->running;
    live->cv.notify_all();
  };
  try {
    std::thread(body).detach();
  } catch (const std::system_error& e) {  // out of threads: still exactly one on_done
    attempt->fail(std::string(runner_name) + " runner: cannot start a thread: " + e.what());
    std::lock_guard lock(live_->mu);
    --live_->running;
  }
  return std::make_unique<PoolExecution>(std::move(attempt));
}

}  // namespace baton::runners
