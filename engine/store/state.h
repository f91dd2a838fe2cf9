#pragma once
// The lifecycle states of runs, task-run attempts and steps, as stored in the `status` columns.

#include <optional>
#include <string_view>

namespace baton::store {

/// Lifecycle state. Runs never use kSkipped; task runs and steps may.
enum class RunState {
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kTimeout,
  kInterrupted,  // the engine died while this was running
  kSkipped,
};

/// The stored spelling ("queued", "running", …).
std::string_view to_string(RunState state);
/// Parses the stored spelling.
std::optional<RunState> parse_run_state(std::string_view text);
/// What became of a webhook delivery: it created runs, every trigger filtered it out, or it was
/// refused (bad signature, unknown listener, malformed body).
enum class DeliveryResult { kAccepted, kFiltered, kRejected };
/// The stored spelling of a delivery result ("accepted", "filtered", "rejected").
std::string_view to_string(DeliveryResult result);
/// Parses the stored spelling.
std::optional<DeliveryResult> parse_delivery_result(std::string_view text);
/// True once nothing will change the state again.
bool is_terminal(RunState state);

}  // namespace baton::store
