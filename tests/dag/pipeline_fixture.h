#pragma once
// Compact pipeline specs for DAG tests: a task is a name, its runAfter list and the tasks whose
// results it reads (through a `$(tasks.X.results.out)` param).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/model/types.h"

namespace baton::dag::testing {

/// One pipeline task of a test graph.
struct TaskDef {
  std::string name;
  std::vector<std::string> run_after = {};
  std::vector<std::string> uses_results_of = {};
};

/// A PipelineSpec with one spec.tasks entry per TaskDef, in order.
inline model::PipelineSpec make_spec(const std::vector<TaskDef>& defs) {
  model::PipelineSpec spec;
  for (const auto& d : defs) {
    model::PipelineTask t;
    t.name = d.name;
    t.run_after = d.run_after;
    for (const auto& dep : d.uses_results_of) {
      t.params.push_back(
          {"from-" + dep, model::ParamValue::of_string("$(tasks." + dep + ".results.out)")});
    }
    spec.tasks.push_back(std::move(t));
  }
  return spec;
}

/// Names parameterized cases "case0", "case1", …; each case's label goes into SCOPED_TRACE.
struct CaseName {
  template <typename P>
  std::string operator()(const ::testing::TestParamInfo<P>& param) const {
    return "case" + std::to_string(param.index);
  }
};

}  // namespace baton::dag::testing
