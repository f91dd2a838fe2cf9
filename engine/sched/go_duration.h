#pragma once
// Go's time.Duration.String() format ("1h0m0s", "30s", "1.5s"), which Tekton writes in
// messages such as `failed to finish within "1h0m0s"`.

#include <chrono>
#include <string>

namespace baton::sched {

/// Formats like Go's Duration.String() (millisecond precision).
std::string format_go_duration(std::chrono::milliseconds d);

}  // namespace baton::sched
