#include "runners/runner_set.h"

#include <algorithm>

namespace baton::runners {
namespace {

// An attempt that ended before it began: nothing to cancel.
class DoneExecution final : public exec::Execution {
 public:
  void cancel(bool) override {}
};

}  // namespace

RunnerSet::~RunnerSet() {
  // Later runners may wrap earlier ones' resources; tear down newest first.
  for (auto it = built_order_.rbegin(); it != built_order_.rend(); ++it)
    entries_[*it].runner.reset();
}

void RunnerSet::add(std::string name, Factory factory) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[std::move(name)];
  e = Entry{};
  e.factory = std::move(factory);
}

void RunnerSet::add(std::string name, std::unique_ptr<exec::Runner> runner) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[name];
  e = Entry{};
  e.runner = std::move(runner);
  e.built = true;
  built_order_.push_back(std::move(name));
}

std::vector<std::string> RunnerSet::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

Result<exec::Runner*> RunnerSet::get(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string choices;
    for (const auto& [n, e] : entries_) choices += (choices.empty() ? "" : ", ") + n;
    return Fail("unknown runner \"" + name + "\" (annotation " + exec::kRunnerAnnotation +
                    "); this engine has: " + choices,
                "unknown");
  }
  Entry& e = it->second;
  if (!e.built) {
    e.built = true;
    auto made = e.factory ? e.factory() : Result<std::unique_ptr<exec::Runner>>(Fail("no factory"));
    if (made.ok()) {
      e.runner = std::move(*made);
      built_order_.push_back(name);
    } else {
      e.error = made.error().message;
    }
  }
  if (!e.runner) return Fail("runner \"" + name + "\" is unavailable: " + e.error, "unavailable");
  return e.runner.get();
}

std::unique_ptr<exec::Execution> RunnerSet::start(const exec::TaskInvocation& inv,
                                                  exec::LogSink& sink,
                                                  std::function<void(exec::TaskOutcome)> on_done) {
  auto runner = get(inv.runner.empty() ? default_ : inv.runner);
  if (!runner.ok()) {
    exec::TaskOutcome out;
    out.reason = "InternalError";
    out.message = runner.error().message;
    out.started_at = out.finished_at = exec::Clock::now();
    out.steps.resize(inv.steps.size());
    for (std::size_t i = 0; i < inv.steps.size(); ++i) {
      out.steps[i].name = inv.steps[i].name;
      out.steps[i].reason = "Skipped";
      sink.on_step_finished(i, out.steps[i]);
    }
    sink.on_notice(out.message);
    on_done(std::move(out));
    return std::make_unique<DoneExecution>();
  }
  return (*runner)->start(inv, sink, std::move(on_done));
}

}  // namespace baton::runners
