#pragma once
// Which queued runs start now: the pure policy of `baton serve`'s durable queue. Runs start
// oldest first up to a limit of runs executing at once; a run in a concurrency group waits for
// the group (FIFO), or, with cancel-in-progress, supersedes the group's older runs.
//
// Set on the PipelineRun/TaskRun as annotations, so the YAML stays valid Tekton:
//   baton.dev/concurrency-group: "$(tt.params.repo)-$(tt.params.branch)"   (any string)
//   baton.dev/concurrency-policy: queue | cancel-in-progress                (default queue)

#include <cstddef>
#include <string>
#include <vector>

namespace baton::sched {

/// What a group does with a new run while an older one of the group is queued or running.
enum class ConcurrencyPolicy { kQueue, kCancelInProgress };

/// The annotation names.
inline constexpr char kConcurrencyGroupAnnotation[] = "baton.dev/concurrency-group";
inline constexpr char kConcurrencyPolicyAnnotation[] = "baton.dev/concurrency-policy";

/// A queued run as the policy sees it.
struct QueuedRun {
  std::string id;
  std::string group;  // "" = no group
  ConcurrencyPolicy policy = ConcurrencyPolicy::kQueue;
};

/// A run executing now.
struct ActiveRun {
  std::string id;
  std::string group;
};

/// What to do this round.
struct DispatchPlan {
  std::vector<std::string> start;             // queued runs to start, in order
  std::vector<std::string> cancel_running;    // active runs superseded by a newer one
  std::vector<std::string> supersede_queued;  // queued runs superseded before they started
};

/// `queued` oldest first. A run in a group starts only when no run of its group is active and
/// no older run of its group still waits; a cancel-in-progress run (the newest of its group)
/// supersedes every older queued run and cancels the active ones, then starts once they ended.
/// Blocked runs never block runs of other groups.
DispatchPlan plan_dispatch(const std::vector<QueuedRun>& queued,
                           const std::vector<ActiveRun>& active, std::size_t max_active);

/// Parses the policy annotation value; unknown values are an error message.
bool parse_concurrency_policy(const std::string& text, ConcurrencyPolicy* out);

}  // namespace baton::sched
