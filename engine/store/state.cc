#include "engine/store/state.h"

#include <array>
#include <utility>

namespace baton::store {
namespace {

constexpr std::array<std::pair<RunState, std::string_view>, 8> kNames = {{
    {RunState::kQueued, "queued"},
    {RunState::kRunning, "running"},
    {RunState::kSucceeded, "succeeded"},
    {RunState::kFailed, "failed"},
    {RunState::kCancelled, "cancelled"},
    {RunState::kTimeout, "timeout"},
    {RunState::kInterrupted, "interrupted"},
    {RunState::kSkipped, "skipped"},
}};

}  // namespace

std::string_view to_string(RunState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<RunState> parse_run_state(std::string_view text) {
  for (const auto& [s, name] : kNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kAccepted:
      return "accepted";
    case DeliveryResult::kFiltered:
      return "filtered";
    case DeliveryResult::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::optional<DeliveryResult> parse_delivery_result(std::string_view text) {
  for (auto r : {DeliveryResult::kAccepted, DeliveryResult::kFiltered, DeliveryResult::kRejected}) {
    if (to_string(r) == text) return r;
  }
  return std::nullopt;
}

bool is_terminal(RunState state) {
  return state != RunState::kQueued && state != RunState::kRunning;
}

}  // namespace baton::store
