// Every pipeline in the Tekton examples corpus (Pipeline objects and inline pipelineSpecs of
// PipelineRuns) must build, and its topological order must respect every edge.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/dag/graph.h"
#include "engine/spec/loader.h"

namespace baton::dag {
namespace {

const std::string kExamples = std::string(BATON_CORPUS_DIR) + "/tekton-examples/";

std::vector<std::string> example_paths() {
  std::ifstream index(kExamples + "index.tsv");
  std::vector<std::string> paths;
  std::string line;
  std::getline(index, line);  // header
  while (std::getline(index, line)) {
    if (!line.empty()) paths.push_back(line.substr(0, line.find('\t')));
  }
  return paths;
}

void check_order(const Graph& g, const std::string& where) {
  std::vector<std::size_t> pos(g.size());
  for (std::size_t k = 0; k < g.topo_order().size(); ++k) pos[g.topo_order()[k]] = k;
  for (const Edge& e : g.edges()) {
    EXPECT_LT(pos[e.from], pos[e.to]) << where << ": " << g.name(e.from) << " -> " << g.name(e.to);
  }
}

TEST(DagCorpus, EveryExamplePipelineBuilds) {
  const auto paths = example_paths();
  ASSERT_GE(paths.size(), 50u) << "corpus index missing or truncated: " << kExamples;
  std::size_t graphs = 0, result_edges = 0, run_after_edges = 0;
  for (const auto& rel : paths) {
    auto out = spec::load_file(kExamples + rel);
    std::vector<std::pair<std::string, const model::PipelineSpec*>> specs;
    for (const auto& p : out.objects.pipelines) specs.emplace_back(p.metadata.name, &p.spec);
    for (const auto& r : out.objects.pipeline_runs) {
      if (r.spec.pipeline_spec)
        specs.emplace_back(r.metadata.name + r.metadata.generate_name, &*r.spec.pipeline_spec);
    }
    for (const auto& [name, spec] : specs) {
      const std::string where = rel + " " + name;
      auto g = Graph::build(*spec);
      if (!g.ok()) {
        ADD_FAILURE() << where << ": " << g.error().message;
        continue;
      }
      ++graphs;
      EXPECT_EQ(g->size(), spec->tasks.size()) << where;
      EXPECT_EQ(g->topo_order().size(), g->size()) << where;
      check_order(*g, where);
      for (const Edge& e : g->edges())
        ++(e.kind == EdgeKind::kResultRef ? result_edges : run_after_edges);
    }
  }
  // The corpus exercises both kinds of edge; a scanner that found nothing would pass the loop.
  EXPECT_GE(graphs, 30u);
  EXPECT_GE(result_edges, 10u);
  EXPECT_GE(run_after_edges, 10u);
  std::cout << graphs << " pipelines, " << run_after_edges << " runAfter edges, " << result_edges
            << " result-ref edges\n";
}

}  // namespace
}  // namespace baton::dag
