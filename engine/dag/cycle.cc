// Cycle search. Iterative on purpose: a generated pipeline can be a chain of thousands of
// tasks, and recursion that deep overflows the stack of a scheduler thread.

#include <algorithm>
#include <cstdint>

#include "engine/dag/graph.h"

namespace baton::dag {

std::optional<std::vector<std::size_t>> find_cycle(
    const std::vector<std::vector<std::size_t>>& deps) {
  enum class Color : std::uint8_t { kWhite, kOnPath, kDone };
  const std::size_t n = deps.size();
  std::vector<Color> color(n, Color::kWhite);
  // The DFS path: node and how many of its deps were already explored.
  struct Frame {
    std::size_t node;
    std::size_t next;
  };
  std::vector<Frame> path;

  for (std::size_t start = 0; start < n; ++start) {
    if (color[start] != Color::kWhite) continue;
    path.push_back({start, 0});
    color[start] = Color::kOnPath;
    while (!path.empty()) {
      Frame& top = path.back();
      const auto& out = deps[top.node];
      if (top.next == out.size()) {
        color[top.node] = Color::kDone;
        path.pop_back();
        continue;
      }
      const std::size_t dep = out[top.next++];
      BATON_CHECK(dep < n, "find_cycle: dependency index out of range");
      if (color[dep] == Color::kWhite) {
        color[dep] = Color::kOnPath;
        path.push_back({dep, 0});  // invalidates `top`; the loop re-reads path.back()
      } else if (color[dep] == Color::kOnPath) {
        // The cycle is the path suffix from `dep` to the top, closed by the edge back to dep.
        auto first =
            std::find_if(path.begin(), path.end(), [dep](const Frame& f) { return f.node == dep; });
        std::vector<std::size_t> cycle;
        for (auto it = first; it != path.end(); ++it) cycle.push_back(it->node);
        // Rotate to start at the smallest index so the report does not depend on where the
        // search entered the cycle.
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
        cycle.push_back(cycle.front());
        return cycle;
      }
    }
  }
  return std::nullopt;
}

}  // namespace baton::dag
