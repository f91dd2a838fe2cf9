#pragma once
// The webhook route of `baton serve`: POST /hooks/{listener}. A delivery goes through the named
// EventListener's triggers; the runs they render are validated, and the delivery is committed
// to the store together with its queued runs (synced to disk) before the answer. Redeliveries
// (same X-GitHub-Delivery / GitLab idempotency key) create nothing new.
//
// Answers: 202 accepted or filtered (JSON names the event id, the runs created, and why each
// trigger did not fire); 401 when the signature/token check refused it; 400 for a body that is
// not JSON; 404 for an unknown listener; 503 (Retry-After) when the queue is full or the store
// fails — never 4xx for our own trouble, since GitLab disables hooks that get 4xx.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "dashboard-api/router.h"
#include "engine/store/run_store.h"
#include "engine/telemetry/metrics.h"
#include "triggers/model.h"
#include "triggers/secrets.h"

namespace baton::api {

/// The triggers and secrets a delivery is processed with; swapped whole on reload.
struct TriggerSnapshot {
  triggers::TriggerCatalog catalog;
  triggers::SecretStore secrets;
};

/// What the webhook route works with.
struct WebhookContext {
  store::RunStore* store = nullptr;
  std::function<std::shared_ptr<const TriggerSnapshot>()> triggers;
  std::function<void(std::size_t count)> runs_queued;  // wakes the dispatcher
  /// Runs waiting now (a cheap estimate); empty: counted in the store per delivery.
  std::function<std::size_t()> queued_runs;
  telemetry::Metrics* metrics = nullptr;
  std::size_t max_queued_runs = 10000;
};

/// Processes a stored delivery again as a new delivery (its dedupe key dropped, so it is not
/// taken for a redelivery of itself); the status and JSON the webhook route answers.
std::pair<int, std::string> redeliver(const WebhookContext& ctx, const store::DeliveryRecord& d);

/// Adds POST /hooks/{listener}.
void add_webhook_routes(Router& router, WebhookContext context);

}  // namespace baton::api
