#pragma once
// The top-level API: a webhook request through an EventListener → the resources to create.
// Pure: no I/O, no threads; the caller owns delivery storage, dedupe and run creation.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "triggers/model.h"
#include "triggers/secrets.h"

namespace baton::triggers {

/// One HTTP request as received. `body` is the raw bytes (signatures are over them).
struct WebhookRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;  // names in any case
  std::string body;
};

/// What happened to one trigger.
enum class TriggerStatus {
  kFired,     // interceptors passed; params and resources are set
  kFiltered,  // an interceptor declined (event type, CEL filter false or its evaluation failed)
  kRejected,  // authentication failed (signature or token missing or wrong)
  kFailed,    // configuration or data error (missing secret, binding value, template, ...)
};

/// "fired", "filtered", "rejected", "failed".
const char* to_string(TriggerStatus s);

/// The result of one trigger of the listener.
struct TriggerResult {
  std::string trigger;  // trigger name ("<group>/<trigger>" for trigger groups)
  TriggerStatus status = TriggerStatus::kFiltered;
  bool fired = false;                         // status == kFired
  std::string reason;                         // why filtered/rejected/failed; empty when fired
  std::map<std::string, std::string> params;  // binding params, plus template defaults
  std::vector<std::string> resources;         // rendered resource templates, JSON objects
  std::string uid;                            // the $(uid) of this invocation
};

/// The result of one event.
struct EventOutcome {
  bool valid = true;            // false: the request itself is unusable (malformed JSON body)
  std::string error;            // why not valid
  bool authorised = true;       // false: some trigger rejected the request's signature/token and
                                // none fired (answer 2xx anyway to keep GitLab hooks enabled)
  std::string event_id;         // idempotency key for dedupe; empty when the sender gave none
  std::string event_id_header;  // the header it came from
  std::string event_type;       // X-GitHub-Event / X-Gitlab-Event / X-Event-Key, if present
  std::vector<TriggerResult> triggers;

  /// Number of triggers that fired.
  std::size_t fired() const;
};

/// Knobs of process_event.
struct ProcessOptions {
  /// Makes the $(uid) of one trigger invocation; default: 5 random [a-z0-9] characters (as
  /// Tekton's). Set it for deterministic output.
  std::function<std::string()> make_uid;
};

/// The idempotency key of a request and the header it came from: `Idempotency-Key` (GitLab
/// 17.4+, same across retries), `X-GitHub-Delivery`, then `X-Gitlab-Event-UUID`.
std::pair<std::string, std::string> event_id_of(const WebhookRequest& req);

/// Runs every trigger (and trigger group) of `listener` against `req`. References are resolved
/// in `catalog`; `secrets` serves secretRef and compareSecret().
EventOutcome process_event(const EventListener& listener, const TriggerCatalog& catalog,
                           const WebhookRequest& req, const SecretLookup& secrets,
                           const ProcessOptions& options = {});

}  // namespace baton::triggers
