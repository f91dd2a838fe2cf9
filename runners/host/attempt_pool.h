#pragma once
// AttemptPool: the threads of a local runner's attempts. Each attempt runs on its own detached
// thread that keeps it alive, so dropping the Execution handle never stops or blocks a run;
// destroying the pool cancels what still runs and waits for every on_done.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/exec/runner.h"
#include "runners/host/attempt_base.h"

namespace baton::runners {

/// Running attempts of one runner.
class AttemptPool {
 public:
  AttemptPool() = default;
  /// Cancels every attempt still running and waits for their on_done.
  ~AttemptPool();
  AttemptPool(const AttemptPool&) = delete;
  AttemptPool& operator=(const AttemptPool&) = delete;

  /// Runs `attempt` on a new thread (or fails it at once when no thread can be made).
  std::unique_ptr<exec::Execution> launch(std::shared_ptr<AttemptBase> attempt,
                                          const char* runner_name);

 private:
  struct Live {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::weak_ptr<AttemptBase>> attempts;
    std::size_t running = 0;
  };
  std::shared_ptr<Live> live_ = std::make_shared<Live>();
};

}  // namespace baton::runners
