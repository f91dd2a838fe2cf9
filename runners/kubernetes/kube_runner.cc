#include "runners/kubernetes/kube_runner.h"

#include "runners/kubernetes/kube_execution.h"

namespace baton::runners::kube {

namespace {

class Handle : public exec::Execution {
 public:
  explicit Handle(std::weak_ptr<KubeExecution> e) : e_(std::move(e)) {}
  void cancel(bool timeout) override {
    if (auto e = e_.lock()) e->cancel(timeout);
  }

 private:
  std::weak_ptr<KubeExecution> e_;
};

}  // namespace

KubernetesRunner::KubernetesRunner(KubernetesRunnerOptions options)
    : options_(std::move(options)) {}

KubernetesRunner::~KubernetesRunner() {
  std::vector<std::shared_ptr<KubeExecution>> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    all.swap(executions_);
  }
  for (auto& e : all) e->detach();
  for (auto& e : all) e->join();
}

std::unique_ptr<exec::Execution> KubernetesRunner::start(
    const exec::TaskInvocation& inv, exec::LogSink& sink,
    std::function<void(exec::TaskOutcome)> on_done) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  auto e = std::make_shared<KubeExecution>(
      options_, inv, sink, [on_done = std::move(on_done), done](exec::TaskOutcome o) {
        done->store(true);
        on_done(std::move(o));
      });
  {
    std::lock_guard<std::mutex> l(mu_);
    executions_.push_back(e);
  }
  e->begin();
  return std::make_unique<Handle>(e);
}

}  // namespace baton::runners::kube
