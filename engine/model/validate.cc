// validate(): every object of a set, with one index of its Tasks shared by all checks.

#include "engine/model/validate.h"

#include "engine/model/validate_util.h"

namespace baton::model {

namespace {
void append(Diagnostics& out, Diagnostics&& more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}
}  // namespace

Diagnostics validate(const ObjectSet& set, const ValidationLimits& limits) {
  Diagnostics out;
  const vdetail::TaskLookup lookup(&set);
  for (const auto& t : set.tasks) append(out, validate_task(t, limits));
  for (const auto& a : set.step_actions) append(out, validate_step_action(a));
  for (const auto& p : set.pipelines) {
    vdetail::Sink sink(p.origin, out);
    vdetail::check_object_name(sink, p.metadata, false);
    vdetail::check_pipeline_spec(sink, p.spec, "spec", lookup, limits, {});
  }
  for (const auto& r : set.pipeline_runs) {
    vdetail::Sink sink(r.origin, out);
    vdetail::check_pipeline_run(sink, r, &set, lookup, limits);
  }
  for (const auto& r : set.task_runs) {
    vdetail::Sink sink(r.origin, out);
    vdetail::check_task_run(sink, r, lookup, limits);
  }
  // Report in file order, as a compiler would, whatever kind each object is.
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.file != b.pos.file) return a.pos.file < b.pos.file;
    return std::tie(a.pos.line, a.pos.col) < std::tie(b.pos.line, b.pos.col);
  });
  return out;
}

}  // namespace baton::model
