#include "engine/model/object_set.h"

#include <iterator>

namespace baton::model {

namespace {
template <typename T>
void move_all(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}
template <typename T>
const T* by_name(const std::vector<T>& v, const std::string& name) {
  // Later definitions win, like `kubectl apply` of several files in order.
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (it->metadata.name == name) return &*it;
  }
  return nullptr;
}
}  // namespace

void ObjectSet::append(ObjectSet&& o) {
  move_all(tasks, o.tasks);
  move_all(pipelines, o.pipelines);
  move_all(pipeline_runs, o.pipeline_runs);
  move_all(task_runs, o.task_runs);
  move_all(step_actions, o.step_actions);
  move_all(externals, o.externals);
}

const Task* ObjectSet::find_task(const std::string& name) const { return by_name(tasks, name); }
const Pipeline* ObjectSet::find_pipeline(const std::string& name) const {
  return by_name(pipelines, name);
}
const StepAction* ObjectSet::find_step_action(const std::string& name) const {
  return by_name(step_actions, name);
}
const ExternalObject* ObjectSet::find_external(const std::string& kind,
                                               const std::string& name) const {
  for (auto it = externals.rbegin(); it != externals.rend(); ++it) {
    if (it->kind == kind && it->metadata.name == name) return &*it;
  }
  return nullptr;
}

}  // namespace baton::model
