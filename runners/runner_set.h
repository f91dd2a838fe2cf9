#pragma once
// RunnerSet: the exec::Runner the scheduler sees when several backends are available. Each
// attempt goes to the runner named by TaskInvocation::runner ("" = the default one); an
// unknown name, or a runner that cannot be set up here, fails that attempt (InternalError)
// instead of the engine.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"

namespace baton::runners {

/// Name -> runner, created on first use; dispatches each start() by `inv.runner`.
class RunnerSet final : public exec::Runner {
 public:
  /// Builds a runner when first needed; an error fails every attempt sent to it.
  using Factory = std::function<Result<std::unique_ptr<exec::Runner>>()>;

  explicit RunnerSet(std::string default_name) : default_(std::move(default_name)) {}
  /// Destroys runners in reverse order of creation (each cancels and waits for its attempts).
  ~RunnerSet() override;

  /// Registers `name`, built by `factory` on the first attempt that names it.
  void add(std::string name, Factory factory);
  /// Registers an already built runner.
  void add(std::string name, std::unique_ptr<exec::Runner> runner);

  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink& sink,
                                         std::function<void(exec::TaskOutcome)> on_done) override;
  const char* name() const override { return default_.c_str(); }

  /// Registered names, sorted.
  std::vector<std::string> names() const;
  const std::string& default_name() const { return default_; }
  /// The runner called `name` (built now if needed), or why there is none.
  Result<exec::Runner*> get(const std::string& name);

 private:
  struct Entry {
    Factory factory;
    std::unique_ptr<exec::Runner> runner;
    std::string error;  // the factory's failure, kept so it is not retried per attempt
    bool built = false;
  };
  std::string default_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> built_order_;
};

}  // namespace baton::runners
