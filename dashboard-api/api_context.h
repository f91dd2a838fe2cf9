#pragma once
// What the dashboard API routes (api_*.cc) work with: the store, the catalog, the dispatcher's
// controls, auth settings and the live stream hub. Filled by `baton serve`.

#include <functional>
#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/model/object_set.h"
#include "engine/sched/approval_gate.h"
#include "engine/sched/facts.h"
#include "engine/store/run_store.h"

namespace baton::api {

class StreamHub;
struct WebhookContext;

/// The API's view of the service.
struct ApiContext {
  store::RunStore* store = nullptr;
  /// Tasks/Pipelines the server knows (the current catalog snapshot).
  std::function<std::shared_ptr<const model::ObjectSet>()> objects;
  /// Stops a queued or executing run (Dispatcher::cancel).
  std::function<Status(const std::string& run_id, sched::StopRequest how)> cancel;
  /// Decides the waiting approval gate attempt `task_run_id` (ApprovalGate::decide).
  std::function<sched::ApprovalDecision(const std::string& task_run_id, bool approve,
                                        const std::string& actor, const std::string& message)>
      decide_approval;
  /// New runs were queued (wakes the dispatcher).
  std::function<void()> runs_queued;
  /// Processes a stored delivery again as a new one; the webhook route's answer (status, JSON).
  std::function<std::pair<int, std::string>(const store::DeliveryRecord&)> redeliver;
  bool anonymous_read = false;
  StreamHub* hub = nullptr;
};

}  // namespace baton::api
