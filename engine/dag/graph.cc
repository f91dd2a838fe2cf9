// Graph construction: nodes, merged edges, stable topological order, cycle reporting.

#include "engine/dag/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_set>

namespace baton::dag {
namespace {

// Error for a dependency on a name that is not a node. Finally tasks get their own wording:
// the name exists, but a DAG task cannot wait for something that runs after all of them.
Error unknown_dependency(const std::string& task, const char* how, const std::string& dep,
                         const std::unordered_set<std::string>& finally_names) {
  std::string msg = "task \"" + task + "\": " + how;
  if (finally_names.count(dep) != 0) {
    msg += " finally task \"" + dep + "\" (finally tasks run after all tasks)";
  } else {
    msg += " unknown task \"" + dep + "\"";
  }
  return Fail(std::move(msg), "unknown_task");
}

// Sorts the edges into one node by `from` and merges duplicates (runAfter listed twice, a
// result referenced twice, or both on the same pair) into one edge with both reasons.
std::vector<Edge> merge_edges(std::vector<Edge> in) {
  std::sort(in.begin(), in.end(), [](const Edge& a, const Edge& b) { return a.from < b.from; });
  std::vector<Edge> out;
  for (const Edge& e : in) {
    if (!out.empty() && out.back().from == e.from) {
      Edge& m = out.back();
      if (e.kind == EdgeKind::kResultRef) m.kind = EdgeKind::kResultRef;
      m.declared_run_after = m.declared_run_after || e.declared_run_after;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

}  // namespace

Result<Graph> Graph::build(const model::PipelineSpec& spec) {
  const std::size_t n = spec.tasks.size();
  Graph g;
  g.names_.reserve(n);
  g.index_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& name = spec.tasks[i].name;
    if (!g.index_.emplace(name, i).second) {
      return Fail("duplicate pipeline task name \"" + name + "\"", "duplicate_task");
    }
    g.names_.push_back(name);
  }
  std::unordered_set<std::string> finally_names;
  for (const auto& f : spec.finally) finally_names.insert(f.name);

  g.parents_.resize(n);
  g.children_.resize(n);
  g.consumers_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const model::PipelineTask& task = spec.tasks[i];
    std::vector<Edge> in;
    for (const std::string& dep : task.run_after) {
      auto it = g.index_.find(dep);
      if (it == g.index_.end())
        return unknown_dependency(task.name, "runAfter names", dep, finally_names);
      in.push_back(Edge{it->second, i, EdgeKind::kRunAfter, true});
    }
    for (const std::string& dep : result_ref_dependencies(task)) {
      auto it = g.index_.find(dep);
      if (it == g.index_.end())
        return unknown_dependency(task.name, "uses results of", dep, finally_names);
      in.push_back(Edge{it->second, i, EdgeKind::kResultRef, false});
    }
    for (const Edge& e : merge_edges(std::move(in))) {
      g.parents_[i].push_back(e.from);
      g.edges_.push_back(e);
    }
  }
  // edges_ is sorted by (to, from), so each children/consumers list is filled in ascending order.
  for (const Edge& e : g.edges_) {
    g.children_[e.from].push_back(e.to);
    if (e.kind == EdgeKind::kResultRef) g.consumers_[e.from].push_back(e.to);
  }

  // Kahn's algorithm; the min-heap makes the order stable (declaration order among the ready).
  std::vector<std::size_t> indegree(n);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    indegree[i] = g.parents_[i].size();
    if (indegree[i] == 0) ready.push(i);
  }
  g.topo_.reserve(n);
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    g.topo_.push_back(i);
    for (std::size_t c : g.children_[i]) {
      if (--indegree[c] == 0) ready.push(c);
    }
  }
  if (g.topo_.size() != n) {
    auto cycle = find_cycle(g.parents_);
    BATON_CHECK(cycle.has_value(), "topological sort stalled without a cycle");
    // find_cycle follows dependencies (each node depends on the next); reversed, it reads in
    // run order, and still starts and ends at the smallest index.
    std::reverse(cycle->begin(), cycle->end());
    std::string path;
    for (std::size_t k = 0; k < cycle->size(); ++k) {
      if (k != 0) path += " -> ";
      path += g.names_[(*cycle)[k]];
    }
    return Fail("pipeline tasks form a cycle: " + path, "cycle");
  }
  return g;
}

std::optional<std::size_t> Graph::index_of(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::size_t> Graph::roots() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < size(); ++i) {
    if (parents_[i].empty()) out.push_back(i);
  }
  return out;
}

}  // namespace baton::dag
