// Graph::build and ReadySet on 2,000-task pipelines: a chain (deepest), a fan-out/fan-in
// (widest), with edges from runAfter or from result references (which go through the $(…)
// scanner).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/dag/graph.h"

namespace baton::dag {
namespace {

enum class Shape { kChain, kFan };

// Task i depends on i-1 (chain) or on task 0, with a sink depending on all (fan).
model::PipelineSpec make_pipeline(Shape shape, std::size_t n, bool via_results) {
  model::PipelineSpec spec;
  spec.tasks.resize(n);
  auto depend = [&](model::PipelineTask& t, const std::string& on) {
    if (via_results) {
      t.params.push_back({"p" + std::to_string(t.params.size()),
                          model::ParamValue::of_string("--in=$(tasks." + on + ".results.out)")});
    } else {
      t.run_after.push_back(on);
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    spec.tasks[i].name = "task-" + std::to_string(i);
    if (i == 0) continue;
    if (shape == Shape::kChain) {
      depend(spec.tasks[i], spec.tasks[i - 1].name);
    } else if (i + 1 < n) {
      depend(spec.tasks[i], spec.tasks[0].name);
    } else {
      for (std::size_t j = 1; j + 1 < n; ++j) depend(spec.tasks[i], spec.tasks[j].name);
    }
  }
  return spec;
}

void build(benchmark::State& state, Shape shape, bool via_results) {
  const auto spec = make_pipeline(shape, static_cast<std::size_t>(state.range(0)), via_results);
  for (auto _ : state) {
    auto g = Graph::build(spec);
    if (!g.ok()) state.SkipWithError(g.error().message.c_str());
    benchmark::DoNotOptimize(g);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The scheduler's whole walk: take_ready / mark_done until everything is done.
void walk(benchmark::State& state, Shape shape) {
  auto g = Graph::build(make_pipeline(shape, static_cast<std::size_t>(state.range(0)), false));
  if (!g.ok()) {
    state.SkipWithError(g.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    ReadySet rs(*g);
    while (!rs.all_done()) {
      for (std::size_t i : rs.take_ready()) rs.mark_done(i);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK_CAPTURE(build, chain_run_after, Shape::kChain, false)->Arg(2000);
BENCHMARK_CAPTURE(build, chain_result_refs, Shape::kChain, true)->Arg(2000);
BENCHMARK_CAPTURE(build, fan_run_after, Shape::kFan, false)->Arg(2000);
BENCHMARK_CAPTURE(build, fan_result_refs, Shape::kFan, true)->Arg(2000);
BENCHMARK_CAPTURE(walk, chain, Shape::kChain)->Arg(2000);
BENCHMARK_CAPTURE(walk, fan, Shape::kFan)->Arg(2000);

}  // namespace
}  // namespace baton::dag

BENCHMARK_MAIN();
