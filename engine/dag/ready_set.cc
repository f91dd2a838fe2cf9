// Incremental ready-set: counts unfinished parents so each completion costs O(children).

#include <algorithm>

#include "engine/dag/graph.h"

namespace baton::dag {

ReadySet::ReadySet(const Graph& g)
    : g_(g), pending_parents_(g.size()), taken_(g.size(), false), done_(g.size(), false) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    pending_parents_[i] = g.parents(i).size();
    if (pending_parents_[i] == 0) ready_.push_back(i);
  }
}

std::vector<std::size_t> ReadySet::take_ready() {
  std::vector<std::size_t> out;
  out.reserve(ready_.size());
  for (std::size_t i : ready_) {
    // A node marked done before it was taken (skipped early) is never handed out.
    if (!taken_[i]) {
      taken_[i] = true;
      out.push_back(i);
    }
  }
  ready_.clear();
  // Completion order decides when nodes become ready; the caller wants declaration order.
  std::sort(out.begin(), out.end());
  return out;
}

void ReadySet::mark_done(std::size_t i) {
  BATON_CHECK(i < done_.size(), "ReadySet::mark_done: node index out of range");
  BATON_CHECK(!done_[i], "ReadySet::mark_done called twice for node \"" + g_.name(i) + "\"");
  done_[i] = true;
  taken_[i] = true;
  ++done_count_;
  for (std::size_t c : g_.children(i)) {
    BATON_CHECK(pending_parents_[c] > 0, "ReadySet: parent count underflow");
    if (--pending_parents_[c] == 0 && !taken_[c]) ready_.push_back(c);
  }
}

}  // namespace baton::dag
