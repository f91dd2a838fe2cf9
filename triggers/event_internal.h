#pragma once
// Internal to baton_triggers: one parsed webhook request, shared by interceptors, bindings and
// templates.

#include <map>
#include <string>
#include <string_view>

#include "triggers/cel_internal.h"
#include "triggers/event_processor.h"
#include "triggers/model.h"

namespace baton::triggers::detail {

using Json = nlohmann::json;

/// The request, parsed once.
struct EventData {
  const WebhookRequest* request = nullptr;
  Json body;    // parsed JSON body ({} when empty)
  Json header;  // canonical header name -> [values], like Go's http.Header
  std::string event_id;
};

/// All values of a header joined with "," (RFC 9110 field combination); nullopt when absent.
std::optional<std::string> header_value(const EventData& ev, std::string_view name);

/// Outcome of one interceptor.
struct InterceptOutcome {
  TriggerStatus status = TriggerStatus::kFired;  // kFired means "continue"
  std::string reason;
};

/// Runs one interceptor; CEL overlays are written into `extensions`.
InterceptOutcome run_interceptor(const Interceptor& ic, const EventData& ev, Json& extensions,
                                 const SecretLookup& secrets);

/// Expands the `$(...)` of a binding value against the event.
Result<std::string> resolve_binding_value(std::string_view value, const EventData& ev,
                                          const Json& extensions);

}  // namespace baton::triggers::detail
