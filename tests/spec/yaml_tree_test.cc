// The positioned YAML tree: positions, raw scalars, merge keys, aliases, and every rejection.

#include "engine/spec/yaml_tree.h"

#include <gtest/gtest.h>

namespace baton::spec {
namespace {

Node parse_one(const std::string& text) {
  auto r = parse_yaml(text, "t.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok() || r->empty()) return {};
  return (*r)[0].root;
}

std::string parse_error(const std::string& text, const Limits& limits = {}) {
  auto r = parse_yaml(text, "t.yaml", limits);
  if (r.ok()) return "<ok>";
  return r.error().message;
}

TEST(YamlTree, KeepsPositionsOfKeysAndValues) {
  Node root = parse_one("a: 1\nlist:\n  - x\n  - {k: v}\n");
  ASSERT_TRUE(root.is_map());
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].key_mark.line, 1);
  EXPECT_EQ(root.entries[0].key_mark.col, 1);
  EXPECT_EQ(root.entries[0].value.mark.col, 4);
  const Node* list = root.find("list");
  ASSERT_NE(list, nullptr);
  ASSERT_TRUE(list->is_seq());
  EXPECT_EQ(list->items[0].mark.line, 3);
  EXPECT_EQ(list->items[0].mark.col, 5);
  EXPECT_EQ(list->items[1].entries[0].value.scalar, "v");
  EXPECT_EQ(list->items[1].entries[0].value.mark.line, 4);
}

TEST(YamlTree, ScalarsKeepRawTextAndQuoting) {
  Node root = parse_one("f: 1.10\nb: yes\nq: \"1.10\"\nn: ~\ne:\nlit: |\n  two\n  lines\n");
  EXPECT_EQ(root.find("f")->scalar, "1.10");
  EXPECT_FALSE(root.find("f")->quoted);
  EXPECT_EQ(root.find("b")->scalar, "yes");
  EXPECT_TRUE(root.find("q")->quoted);
  EXPECT_TRUE(root.find("n")->is_null());
  EXPECT_TRUE(root.find("e")->is_null());
  EXPECT_EQ(root.find("lit")->scalar, "two\nlines\n");
  EXPECT_TRUE(root.find("lit")->quoted);  // block scalars are never null/bool
}

TEST(YamlTree, MultipleDocuments) {
  auto r = parse_yaml("a: 1\n---\nb: 2\n---\n", "t.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_GE(r->size(), 2u);
  EXPECT_EQ((*r)[1].root.find("b")->mark.line, 3);
  EXPECT_EQ((*r)[1].index, 1);
}

TEST(YamlTree, MergeKeysMergeWithExplicitKeysWinning) {
  Node root = parse_one(
      "base: &b {image: alpine, name: base}\n"
      "other: &o {env: x, name: other}\n"
      "step:\n  <<: [*b, *o]\n  name: mine\n");
  const Node* step = root.find("step");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->find("name")->scalar, "mine");
  EXPECT_EQ(step->find("image")->scalar, "alpine");
  EXPECT_EQ(step->find("env")->scalar, "x");
  EXPECT_EQ(step->find("<<"), nullptr);
  EXPECT_EQ(step->entries.size(), 3u);
}

TEST(YamlTree, AliasesCopyTheAnchoredNode) {
  Node root = parse_one("a: &x [1, 2]\nb: *x\n");
  ASSERT_TRUE(root.find("b")->is_seq());
  EXPECT_EQ(root.find("b")->items.size(), 2u);
}

struct Rejection {
  const char* name;
  std::string text;
  std::string expected;  // full message
  friend void PrintTo(const Rejection& r, std::ostream* os) { *os << r.name; }
};

class YamlRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(YamlRejects, WithPosition) { EXPECT_EQ(parse_error(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    All, YamlRejects,
    ::testing::Values(
        Rejection{"DuplicateKey", "a: 1\nb: 2\na: 3\n",
                  "t.yaml:3:1: error: duplicate key \"a\" (first at line 1:1)"},
        Rejection{"NonScalarKey", "? [a, b]\n: 1\n",
                  "t.yaml:1:3: error: mapping keys must be plain strings, not a list"},
        Rejection{"MergeScalar", "a:\n  <<: 1\n",
                  "t.yaml:2:7: error: merge key \"<<\" needs a mapping or a list of mappings"},
        Rejection{"MergeListOfScalars", "a:\n  <<: [1]\n",
                  "t.yaml:2:8: error: merge key \"<<\" list items must be mappings"},
        Rejection{"InvalidUtf8", std::string("a: b\nc: \xC3\x28\n"),
                  "t.yaml:2:4: error: invalid UTF-8 (byte 0xC3)"},
        Rejection{"NulByte", std::string("a: b\0c", 6),
                  "t.yaml:1:5: error: NUL byte: this looks like a binary file, not YAML"},
        Rejection{"BadIndent", "a:\n  b: 1\n c: 2\n",
                  "t.yaml:3:2: error: did not find expected key (while parsing a block mapping "
                  "started at 1:1)"},
        Rejection{"RecursiveAlias", "a: &x [1, *x]\n",
                  "t.yaml:1:11: error: alias *x refers to the node that contains it"},
        Rejection{"TabIndent", "a:\n\tb: 1\n",
                  "t.yaml:2:1: error: found character that cannot start any token (while scanning "
                  "for the next token started at 2:1)"},
        Rejection{"UnknownAnchor", "a: *nope\n", "t.yaml:1:4: error: unknown anchor \"nope\""}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(YamlTree, LargeMappingDuplicateIsFoundLinearly) {
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "k" + std::to_string(i) + ": v\n";
  text += "k7: again\n";
  EXPECT_EQ(parse_error(text), "t.yaml:30001:1: error: duplicate key \"k7\" (first at line 8:1)");
}

TEST(YamlTree, DepthLimit) {
  Limits l;
  l.max_depth = 3;
  EXPECT_EQ(parse_error("a: [[[1]]]\n", l),
            "t.yaml:1:6: error: nesting deeper than the limit of 3 levels");
  EXPECT_EQ(parse_error("a: [[1]]\n", l), "<ok>");
}

TEST(YamlTree, NodeLimit) {
  Limits l;
  l.max_nodes = 10;
  EXPECT_EQ(parse_error("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", l),
            "t.yaml:1:33: error: document exceeds the limit of 10 nodes");
}

TEST(YamlTree, FileSizeLimit) {
  Limits l;
  l.max_file_bytes = 8;
  EXPECT_EQ(parse_error("a: 123456789\n", l),
            "t.yaml: error: file is 13 bytes, over the limit of 8");
}

TEST(YamlTree, MissingFileIsAnError) {
  auto r = parse_yaml_file("/nonexistent/x.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "/nonexistent/x.yaml: error: cannot open: No such file or directory");
}

}  // namespace
}  // namespace baton::spec
