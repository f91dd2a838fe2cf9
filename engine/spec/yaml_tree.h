#pragma once
// A positioned YAML tree: the only representation of YAML outside the yaml-cpp adapter.
// Every node keeps its 1-based line:col; scalars keep their raw text and whether they were
// quoted, so Tekton's "non-string scalars keep their raw text" rule holds for free.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/common/diagnostic.h"
#include "engine/common/result.h"

namespace baton::spec {

/// 1-based line and column of a node in its file.
struct Mark {
  int line = 0;
  int col = 0;
};

enum class NodeKind { kNull, kScalar, kSequence, kMapping };

struct Node;

/// One key: value pair of a mapping; keys are always scalars (non-scalar keys are rejected).
struct MapEntry;

/// A YAML node with its position.
struct Node {
  NodeKind kind = NodeKind::kNull;
  Mark mark;
  bool quoted = false;            // scalar was single/double quoted or a block scalar
  std::string scalar;             // raw scalar text (kScalar only)
  std::vector<Node> items;        // kSequence
  std::vector<MapEntry> entries;  // kMapping, in file order

  bool is_null() const { return kind == NodeKind::kNull; }
  bool is_scalar() const { return kind == NodeKind::kScalar; }
  bool is_seq() const { return kind == NodeKind::kSequence; }
  bool is_map() const { return kind == NodeKind::kMapping; }

  /// The value of `key` in a mapping, or nullptr.
  const Node* find(std::string_view key) const;
  /// Human name of the kind: "null", "string", "list", "mapping".
  const char* kind_name() const;
};

struct MapEntry {
  std::string key;
  Mark key_mark;
  Node value;
};

/// Hard limits against hostile input. Each one, when hit, is a clear error (never a crash).
/// The defaults keep one file's tree under ~15 MiB of memory and ~50 ms of CPU whatever its
/// shape; a 2,000-task pipeline is ~0.3 MiB and ~36,000 nodes, well inside them.
struct Limits {
  std::size_t max_file_bytes = 8u << 20;  // 8 MiB; Kubernetes objects are capped near 1.5 MiB
  int max_depth = 64;                     // nesting of sequences and mappings
  std::size_t max_nodes = 100'000;        // nodes, counting alias and merge-key copies
  std::size_t max_alias_nodes = 50'000;   // nodes created by expanding aliases
  std::size_t max_documents = 10'000;
};

/// A parsed YAML document of a file.
struct Document {
  std::shared_ptr<const std::string> file;  // shared by all documents of one file
  int index = 0;                            // 0-based document number within the file
  Node root;
};

/// Parses all documents of `text` (named `file` in messages). Rejects, with file:line:col:
/// invalid UTF-8, NUL bytes, oversize input, nesting beyond the limit, alias expansion beyond
/// the node budget, unknown anchors, non-scalar keys, duplicate keys. Merge keys (`<<`) work.
Result<std::vector<Document>> parse_yaml(const std::string& text, const std::string& file,
                                         const Limits& limits = {});

/// Reads `path` (refusing files over the size limit before reading them) and parses it.
Result<std::vector<Document>> parse_yaml_file(const std::string& path, const Limits& limits = {});

}  // namespace baton::spec
