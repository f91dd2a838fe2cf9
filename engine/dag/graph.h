#pragma once
// The pipeline task graph: pure data, no I/O. Edges come from `runAfter` and implicitly from
// result references (`$(tasks.X.results.Y)` in params, matrix, when) and `when` inputs.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/types.h"

namespace baton::dag {

/// Why one task depends on another.
enum class EdgeKind { kRunAfter, kResultRef };

/// A dependency edge: `from` must finish before `to` starts.
struct Edge {
  std::size_t from = 0;
  std::size_t to = 0;
  EdgeKind kind = EdgeKind::kRunAfter;
};

/// A directed acyclic graph over the `spec.tasks` of a pipeline (finally tasks are not in it:
/// they run after all of them). Node i is `spec.tasks[i]`.
class Graph {
 public:
  /// Builds the graph of `spec.tasks`. Fails on unknown `runAfter` names or a cycle; the error
  /// message names the tasks on the cycle in order ("a -> b -> c -> a").
  static Result<Graph> build(const model::PipelineSpec& spec);

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_[i]; }
  std::optional<std::size_t> index_of(const std::string& name) const;
  /// Direct predecessors / successors of node i (deduplicated, ascending).
  const std::vector<std::size_t>& parents(std::size_t i) const { return parents_[i]; }
  const std::vector<std::size_t>& children(std::size_t i) const { return children_[i]; }
  /// Nodes that consume a result of node i (subset of children: result-ref edges only).
  const std::vector<std::size_t>& result_consumers(std::size_t i) const { return consumers_[i]; }
  /// A topological order (stable: ties broken by declaration order).
  const std::vector<std::size_t>& topo_order() const { return topo_; }
  /// Roots: nodes without parents, in declaration order.
  std::vector<std::size_t> roots() const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<std::size_t>> parents_, children_, consumers_;
  std::vector<std::size_t> topo_;
};

/// Names of the tasks a pipeline task depends on through result references and `when`
/// inputs (not runAfter), in first-seen order, deduplicated.
std::vector<std::string> result_ref_dependencies(const model::PipelineTask& task);

/// The first cycle among `names` with dependency lists `deps` (indices), as node indices in
/// order with the first repeated at the end; nullopt if acyclic.
std::optional<std::vector<std::size_t>> find_cycle(const std::vector<std::vector<std::size_t>>& deps);

/// Incremental ready-set for the scheduler: O(out-degree) work per completed node.
class ReadySet {
 public:
  explicit ReadySet(const Graph& g);
  /// Nodes whose parents are all done and that were not yet taken, in declaration order.
  std::vector<std::size_t> take_ready();
  /// Marks node i done (succeeded, failed-but-continued or skipped: the scheduler decides).
  void mark_done(std::size_t i);
  bool all_done() const { return done_count_ == pending_parents_.size(); }

 private:
  const Graph& g_;
  std::vector<std::size_t> pending_parents_;
  std::vector<bool> taken_;
  std::vector<std::size_t> ready_;
  std::size_t done_count_ = 0;
};

}  // namespace baton::dag
