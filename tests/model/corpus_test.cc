// Acceptance: every Tekton YAML file of the corpus (Tekton's own examples and catalog) loads and
// validates with zero errors. One test case per file, named after its path.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"

namespace baton::model {
namespace {

namespace fs = std::filesystem;

// A document of the file is a Tekton object: a top-level `apiVersion: tekton.dev/…` line.
bool has_tekton_document(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("apiVersion:", 0) != 0) continue;
    std::string v = line.substr(11);
    v.erase(0, v.find_first_not_of(" \t\"'"));
    if (v.rfind("tekton.dev/", 0) == 0) return true;
  }
  return false;
}

// Paths relative to the corpus root, sorted, of the files in scope.
const std::vector<std::string>& corpus_files() {
  static const std::vector<std::string> files = [] {
    std::vector<std::string> out;
    const fs::path root(BATON_CORPUS_DIR);
    for (const char* dir : {"tekton-examples", "tekton-catalog"}) {
      std::error_code ec;
      for (fs::recursive_directory_iterator it(root / dir, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".yaml") continue;
        if (has_tekton_document(it->path())) out.push_back(fs::relative(it->path(), root).string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return files;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::string render(const Diagnostics& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + d.to_string() + "\n";
  return out;
}

class CorpusTest : public testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, LoadsAndValidatesWithoutErrors) {
  const std::string path = std::string(BATON_CORPUS_DIR) + "/" + GetParam();
  spec::LoadOutput out = spec::load_file(path);
  EXPECT_TRUE(out.errors.empty()) << "loader errors:\n" << render(out.errors);
  EXPECT_GT(out.objects.size(), 0u);
  Diagnostics v = validate(out.objects);
  EXPECT_TRUE(v.empty()) << "validation errors:\n" << render(v);
}

INSTANTIATE_TEST_SUITE_P(Tekton, CorpusTest, testing::ValuesIn(corpus_files()), test_name);

TEST(CorpusScope, CoversTheWholeCorpus) {
  // 147 files of the corpus have a tekton.dev document today (15 others are fixtures, PVCs or
  // artifacthub metadata); a drop means files went missing or the filter broke.
  EXPECT_GE(corpus_files().size(), 147u);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < corpus_files().size(); ++i) {
    names.push_back(test_name({corpus_files()[i], i}));
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << "test names collide";
}

}  // namespace
}  // namespace baton::model
