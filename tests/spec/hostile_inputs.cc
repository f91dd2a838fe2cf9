#include "tests/spec/hostile_inputs.h"

#include <cstdint>

namespace baton::testing {

namespace {

// The classic "billion laughs": each level is ten aliases of the previous one.
std::string billion_laughs() {
  std::string s = "a0: &a0 [\"lol\"]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    s += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) s += (k ? ", " : "") + prev;
    s += "]\n";
  }
  return s;
}

std::string binary_garbage() {
  std::string s;
  std::uint32_t x = 2463534242u;  // xorshift32: deterministic "random" bytes
  for (int i = 0; i < 1 << 16; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s.push_back(static_cast<char>(x & 0xFF));
  }
  return s;
}

}  // namespace

std::vector<HostileInput> hostile_inputs() {
  std::vector<HostileInput> v;
  v.push_back({"billion_laughs", billion_laughs(), "(is this an alias bomb?)"});
  v.push_back({"flow_nesting_10000", std::string(10000, '[') + std::string(10000, ']'),
               "nesting deeper than the limit of 64 levels"});
  std::string block_nesting;
  for (int i = 0; i < 10000; ++i) block_nesting += "- ";
  block_nesting += "x\n";
  v.push_back({"block_nesting_10000", block_nesting, "nesting deeper than the limit"});
  v.push_back({"scalar_100MB", "a: " + std::string(100u << 20, 'x') + "\n",
               "over the limit of 8388608"});
  v.push_back({"invalid_utf8", "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: \xFF\xFE\n",
               "4:9: error: invalid UTF-8 (byte 0xFF)"});
  v.push_back({"binary_garbage", binary_garbage(), "error: "});
  v.push_back({"empty_file", "", "file contains no YAML documents"});
  v.push_back({"only_separators_and_comments", "# nothing\n---\n---\n", "file contains no YAML documents"});
  v.push_back({"unknown_kind", "apiVersion: tekton.dev/v1\nkind: Taks\nmetadata:\n  name: x\nspec: {}\n",
               "2:7: error: kind: unknown kind \"Taks\" for tekton.dev/v1 (did you mean \"Task\"?)"});
  v.push_back({"not_kubernetes", "apiVersion: example.com/v9\nkind: Thing\n",
               "unsupported apiVersion \"example.com/v9\""});
  std::string wide = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n";
  for (int i = 0; i < 300000; ++i) wide += " k" + std::to_string(i) + ": 1\n";
  v.push_back({"wide_mapping_300k_keys", wide, "exceeds the limit of 250000 nodes"});
  v.push_back({"long_flow_list", "[" + [] {
                 std::string s;
                 for (int i = 0; i < 400000; ++i) s += "1,";
                 return s;
               }() + "1]", "exceeds the limit of 250000 nodes"});
  return v;
}

}  // namespace baton::testing
