// The reference grammar against every Tekton YAML in the shared corpus: each `$(<root>.` or
// `$(<root>[` in real Tasks and Pipelines must be found as a reference, starting right there.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/subst/refs.h"

namespace baton::subst {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus_yaml() {
  std::vector<fs::path> out;
  for (const char* dir : {"tekton-examples", "tekton-catalog"}) {
    fs::path root = fs::path(BATON_CORPUS_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path());
    }
  }
  return out;
}

TEST(CorpusReferences, EveryTektonVariableInCorpusIsFound) {
  std::vector<fs::path> files = corpus_yaml();
  ASSERT_GT(files.size(), 50U) << "corpus missing under " << BATON_CORPUS_DIR;
  const std::vector<std::string> roots = {"params",  "tasks", "context", "workspaces",
                                          "results", "steps", "step",    "credentials"};
  std::size_t total = 0;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::set<std::size_t> begins;
    for (const Reference& r : find_references(text)) begins.insert(r.begin);
    for (std::size_t i = text.find("$("); i != std::string::npos; i = text.find("$(", i + 1)) {
      for (const std::string& root : roots) {
        std::size_t after = i + 2 + root.size();
        if (text.compare(i + 2, root.size(), root) != 0 || after >= text.size()) continue;
        if (text[after] != '.' && text[after] != '[') continue;
        ++total;
        EXPECT_TRUE(begins.count(i) == 1) << f << ": " << text.substr(i, 60);
      }
    }
  }
  EXPECT_GT(total, 500U);  // the corpus is full of references; fewer means the scan is broken
}

}  // namespace
}  // namespace baton::subst
