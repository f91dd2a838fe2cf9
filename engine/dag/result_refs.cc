// Implicit dependencies: the tasks whose results a pipeline task consumes.

#include <string_view>
#include <unordered_set>

#include "engine/dag/graph.h"
#include "engine/subst/refs.h"

namespace baton::dag {
namespace {

// Collects task names in first-seen order; the set keeps a task with thousands of references
// linear.
class Collector {
 public:
  void scan(std::string_view s) {
    // Cheap pre-filter: most strings have no reference at all.
    if (s.find("$(") == std::string_view::npos) return;
    for (const auto& ref : subst::find_references(s)) {
      // tasks.<name>.results.<result>[.key] — `[*]`/`[i]` live in ref.index, not in parts.
      if (ref.parts.size() >= 4 && ref.parts[0] == "tasks" && ref.parts[2] == "results") {
        add(ref.parts[1]);
      }
    }
  }

  void scan(const model::ParamValue& v) {
    switch (v.type) {
      case model::ValueType::kString:
        scan(v.str);
        break;
      case model::ValueType::kArray:
        for (const auto& item : v.arr) scan(item);
        break;
      case model::ValueType::kObject:
        // Keys are names fixed by the schema; only values are substituted.
        for (const auto& [key, value] : v.obj) scan(value);
        break;
    }
  }

  void scan(const std::vector<model::Param>& params) {
    for (const auto& p : params) scan(p.value);
  }

  std::vector<std::string> take() { return std::move(names_); }

 private:
  void add(const std::string& name) {
    if (seen_.insert(name).second) names_.push_back(name);
  }

  std::vector<std::string> names_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

std::vector<std::string> result_ref_dependencies(const model::PipelineTask& task) {
  Collector c;
  c.scan(task.params);
  if (task.matrix) {
    c.scan(task.matrix->params);
    for (const auto& inc : task.matrix->include) c.scan(inc.params);
  }
  for (const auto& w : task.when) {
    c.scan(w.input);
    for (const auto& v : w.values) c.scan(v);
    c.scan(w.cel);
  }
  return c.take();
}

}  // namespace baton::dag
