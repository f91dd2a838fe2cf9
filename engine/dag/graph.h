#pragma once
// The pipeline task graph: pure data, no I/O. Edges come from `runAfter` and implicitly from
// result references (`$(tasks.X.results.Y)` in params, matrix, when) and `when` inputs.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/types.h"

namespace baton::dag {

/// Why one task depends on another.
enum class EdgeKind { kRunAfter, kResultRef };

/// A dependency edge: `from` must finish before `to` starts. One edge per ordered pair even
/// when both `runAfter` and a result reference ask for it.
struct Edge {
  std::size_t from = 0;
  std::size_t to = 0;
  /// kResultRef when `to` consumes a result of `from` (whether or not it also names it in
  /// runAfter): that is the reason that matters for skipping. kRunAfter otherwise.
  EdgeKind kind = EdgeKind::kRunAfter;
  /// `to` names `from` in its runAfter (true for every kRunAfter edge; may be true for
  /// kResultRef edges too).
  bool declared_run_after = false;
};

/// A directed acyclic graph over the `spec.tasks` of a pipeline (finally tasks are not in it:
/// they run after all of them). Node i is `spec.tasks[i]`.
class Graph {
 public:
  /// Builds the graph of `spec.tasks`. Fails on duplicate task names, unknown `runAfter` names,
  /// result references to unknown tasks, or a cycle; the cycle message names the tasks in run
  /// order starting at the first declared one ("a -> b -> c -> a": b runs after a, …).
  static Result<Graph> build(const model::PipelineSpec& spec);

  /// Number of nodes (= spec.tasks.size()).
  std::size_t size() const { return names_.size(); }
  /// Name of node i.
  const std::string& name(std::size_t i) const { return names_[i]; }
  /// Node index of a task name; nullopt for unknown names (and for finally tasks).
  std::optional<std::size_t> index_of(const std::string& name) const;
  /// Direct predecessors / successors of node i (deduplicated, ascending).
  const std::vector<std::size_t>& parents(std::size_t i) const { return parents_[i]; }
  const std::vector<std::size_t>& children(std::size_t i) const { return children_[i]; }
  /// Nodes that consume a result of node i (subset of children: result-ref edges only),
  /// ascending.
  const std::vector<std::size_t>& result_consumers(std::size_t i) const { return consumers_[i]; }
  /// All edges, one per (from, to) pair, sorted by (to, from).
  const std::vector<Edge>& edges() const { return edges_; }
  /// A topological order (stable: ties broken by declaration order).
  const std::vector<std::size_t>& topo_order() const { return topo_; }
  /// Roots: nodes without parents, in declaration order.
  std::vector<std::size_t> roots() const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::vector<std::size_t>> parents_, children_, consumers_;
  std::vector<Edge> edges_;
  std::vector<std::size_t> topo_;
};

/// Names of the tasks a pipeline task depends on through result references
/// (`$(tasks.X.results.Y)`, `[*]`, `[i]`, `.key` forms) in its params, matrix params, matrix
/// include params and `when` (input, values, cel) — not runAfter — in first-seen order,
/// deduplicated. `$(tasks.X.status)` is not a dependency (it is only valid in finally).
std::vector<std::string> result_ref_dependencies(const model::PipelineTask& task);

/// The first cycle in the graph where node i depends on the nodes `deps[i]` (indices), found by
/// an iterative DFS from node 0, 1, …: node indices such that each depends on the next, starting
/// at the smallest index on the cycle and repeating it at the end; nullopt if acyclic.
std::optional<std::vector<std::size_t>> find_cycle(
    const std::vector<std::vector<std::size_t>>& deps);

/// Incremental ready-set for the scheduler: O(out-degree) work per completed node. Holds a
/// reference to the graph, which must outlive it.
class ReadySet {
 public:
  /// Starts with the roots ready.
  explicit ReadySet(const Graph& g);
  /// A temporary graph would dangle.
  explicit ReadySet(Graph&&) = delete;
  /// Nodes whose parents are all done and that were neither taken nor marked done yet, in
  /// declaration order. Each node is returned at most once over the life of the set.
  std::vector<std::size_t> take_ready();
  /// Marks node i done (succeeded, failed-but-continued or skipped: the scheduler decides).
  /// A node may be marked done before it was taken (e.g. skipped early); it is then never
  /// returned by take_ready. Marking a node done twice, or an index out of range, is a
  /// programmer error (BATON_CHECK aborts).
  void mark_done(std::size_t i);
  /// Whether node i was marked done.
  bool is_done(std::size_t i) const { return done_[i]; }
  /// Whether every node was marked done.
  bool all_done() const { return done_count_ == pending_parents_.size(); }

 private:
  const Graph& g_;
  std::vector<std::size_t> pending_parents_;
  std::vector<bool> taken_;
  std::vector<bool> done_;
  std::vector<std::size_t> ready_;
  std::size_t done_count_ = 0;
};

}  // namespace baton::dag
