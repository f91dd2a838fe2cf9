#pragma once
// One attempt on Kubernetes: create (or find) the pod, watch it to the end, stream the logs of
// its containers in step order, map the final status to a TaskOutcome. Two threads: the watch
// (owner of the pod state) and the log follower.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "runners/kubernetes/kube_client.h"
#include "runners/kubernetes/kube_runner.h"
#include "runners/kubernetes/pod_status.h"

namespace baton::runners::kube {

class KubeExecution {
 public:
  KubeExecution(const KubernetesRunnerOptions& options, exec::TaskInvocation inv,
                exec::LogSink& sink, std::function<void(exec::TaskOutcome)> on_done);
  ~KubeExecution();

  void begin();
  /// Deletes the pod and stops following it (TaskRunCancelled / TaskRunTimeout).
  void cancel(bool timeout);
  /// Stops following without touching the pod (runner shutdown).
  void detach();
  /// Waits for the threads; on_done has been called when this returns.
  void join();
  /// run() is over (on_done returned): join() will not block.
  bool finished() const { return finished_; }

 private:
  void run();
  Result<void> create_or_attach(std::string& rv);
  void watch(std::string rv);
  void follow_logs();
  bool wait_for(const std::function<bool()>& pred);
  void set_pod(const Json& pod);
  void finish_watch(bool deleted);

  KubernetesRunnerOptions options_;
  exec::TaskInvocation inv_;
  exec::LogSink& sink_;
  std::function<void(exec::TaskOutcome)> on_done_;
  std::string ns_, pod_name_, selector_;
  KubeClient client_;

  std::mutex mu_;
  std::condition_variable cv_;
  Json pod_;  // last state seen
  bool watch_done_ = false, deleted_ = false, detached_ = false;
  bool attached_ = false;     // the pod existed already (engine restart)
  bool handed_over_ = false;  // the outcome is decided: detach() no longer aborts calls
  std::string stop_reason_;   // TaskRunCancelled | TaskRunTimeout
  std::string fatal_;         // an error that ends the attempt (InternalError)
  std::string collected_;     // collector container's log
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace baton::runners::kube
