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
  auto add = [&](std::string name, std::function<std::string()> make, std::string expected) {
    v.push_back({std::move(name), std::move(make), std::move(expected)});
  };
  add("billion_laughs", billion_laughs, "(is this an alias bomb?)");
  add(
      "flow_nesting_10000", [] { return std::string(10000, '[') + std::string(10000, ']'); },
      "nesting deeper than the limit of 64 levels");
  add(
      "block_nesting_10000",
      [] {
        std::string s;
        for (int i = 0; i < 10000; ++i) s += "- ";
        return s + "x\n";
      },
      "nesting deeper than the limit");
  add(
      "scalar_100MB", [] { return "a: " + std::string(100u << 20, 'x') + "\n"; },
      "over the limit of 8388608");
  add(
      "invalid_utf8",
      [] {
        return std::string("apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: \xFF\xFE\n");
      },
      "4:9: error: invalid UTF-8 (byte 0xFF)");
  add("binary_garbage", binary_garbage, "error: ");
  add(
      "empty_file", [] { return std::string(); }, "file contains no YAML documents");
  add(
      "only_separators_and_comments", [] { return std::string("# nothing\n---\n---\n"); },
      "file contains no YAML documents");
  add(
      "unknown_kind",
      [] {
        return std::string(
            "apiVersion: tekton.dev/v1\nkind: Taks\nmetadata:\n  name: x\nspec: {}\n");
      },
      "2:7: error: kind: unknown kind \"Taks\" for tekton.dev/v1 (did you mean \"Task\"?)");
  add(
      "not_kubernetes", [] { return std::string("apiVersion: example.com/v9\nkind: Thing\n"); },
      "unsupported apiVersion \"example.com/v9\"");
  add(
      "wide_mapping_300k_keys",
      [] {
        std::string s = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n";
        for (int i = 0; i < 300000; ++i) s += " k" + std::to_string(i) + ": 1\n";
        return s;
      },
      "exceeds the limit of 100000 nodes");
  add(
      "long_flow_list",
      [] {
        std::string s = "[";
        for (int i = 0; i < 400000; ++i) s += "1,";
        return s + "1]";
      },
      "exceeds the limit of 100000 nodes");
  return v;
}

}  // namespace baton::testing
