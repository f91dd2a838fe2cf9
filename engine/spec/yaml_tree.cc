// The yaml-cpp adapter: the only file that includes yaml-cpp. It drives yaml-cpp's event parser
// and builds our own positioned tree, so limits (depth, node budget) are enforced while parsing
// rather than after a hostile document has already been expanded in memory.

#include "engine/spec/yaml_tree.h"

#include <sys/stat.h>
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "engine/spec/utf8.h"

namespace baton::spec {

const Node* Node::find(std::string_view key) const {
  for (const auto& e : entries) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

const char* Node::kind_name() const {
  switch (kind) {
    case NodeKind::kNull: return "null";
    case NodeKind::kScalar: return "string";
    case NodeKind::kSequence: return "list";
    case NodeKind::kMapping: return "mapping";
  }
  return "?";
}

namespace {

/// Thrown inside the event handler to abort yaml-cpp's recursive parse at once.
struct TreeError {
  Mark mark;
  std::string message;
};

Mark to_mark(const YAML::Mark& m) { return Mark{m.line + 1, m.column + 1}; }

std::size_t count_nodes(const Node& n) {
  std::size_t c = 1;
  for (const auto& i : n.items) c += count_nodes(i);
  for (const auto& e : n.entries) c += count_nodes(e.value);
  return c;
}

bool is_plain_null(const std::string& s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const Limits& limits, std::size_t* nodes) : limits_(limits), nodes_(nodes) {}

  Node take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {
    root_ = Node{};
    anchors_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.mark = to_mark(mark);
    complete(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw TreeError{to_mark(mark), "alias refers to an anchor that is not complete (recursive alias)"};
    }
    alias_nodes_ += it->second.size;
    if (alias_nodes_ > limits_.max_alias_nodes) {
      throw TreeError{to_mark(mark), "aliases expand to more than " +
                                         std::to_string(limits_.max_alias_nodes) +
                                         " nodes (is this an alias bomb?)"};
    }
    charge(it->second.size, to_mark(mark), "alias expansion");
    Node copy = it->second.node;
    complete(std::move(copy), YAML::NullAnchor, /*counted=*/true);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.mark = to_mark(mark);
    n.quoted = (tag == "!");  // yaml-cpp tags non-plain scalars "!" and plain ones "?"
    if (!n.quoted && is_plain_null(value)) {
      n.kind = NodeKind::kNull;
    } else {
      n.kind = NodeKind::kScalar;
      n.scalar = value;
    }
    complete(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(NodeKind::kSequence, to_mark(mark), anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(NodeKind::kMapping, to_mark(mark), anchor);
  }
  void OnMapEnd() override {
    apply_merge_keys(stack_.back().node);
    close();
  }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool have_key = false;
    std::string key;
    Mark key_mark;
    std::unordered_map<std::string, Mark> key_index;  // built once a mapping gets large
  };
  static constexpr std::size_t kLinearKeyScan = 16;
  struct Anchored {
    Node node;
    std::size_t size = 0;
  };

  void charge(std::size_t n, Mark mark, const char* what) {
    *nodes_ += n;
    if (*nodes_ > limits_.max_nodes) {
      throw TreeError{mark, std::string(what) + " exceeds the limit of " +
                                std::to_string(limits_.max_nodes) + " nodes"};
    }
  }

  void open(NodeKind kind, Mark mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw TreeError{mark, "nesting deeper than the limit of " +
                                std::to_string(limits_.max_depth) + " levels"};
    }
    Frame f;
    f.node.kind = kind;
    f.node.mark = mark;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(f.node), f.anchor);
  }

  void complete(Node n, YAML::anchor_t anchor, bool counted = false) {
    if (!counted) charge(1, n.mark, "document");
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{n, count_nodes(n)};
    if (stack_.empty()) {
      root_ = std::move(n);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == NodeKind::kSequence) {
      parent.node.items.push_back(std::move(n));
      return;
    }
    if (!parent.have_key) {
      if (n.kind == NodeKind::kNull) {
        n.kind = NodeKind::kScalar;  // `null:` or `~:` as a key is the string key
        n.scalar = n.scalar.empty() ? std::string("null") : n.scalar;
      }
      if (n.kind != NodeKind::kScalar) {
        throw TreeError{n.mark, "mapping keys must be plain strings, not a " +
                                    std::string(n.kind_name())};
      }
      parent.key = std::move(n.scalar);
      parent.key_mark = n.mark;
      parent.have_key = true;
      return;
    }
    parent.have_key = false;
    if (parent.key != "<<") check_duplicate(parent);
    parent.node.entries.push_back(MapEntry{std::move(parent.key), parent.key_mark, std::move(n)});
  }

  // Duplicate keys are an error (Kubernetes rejects them too). Small mappings are scanned;
  // large ones get a hash index so a hostile 100,000-key mapping stays linear.
  static void check_duplicate(Frame& f) {
    const Mark* first = nullptr;
    auto& entries = f.node.entries;
    if (entries.size() < kLinearKeyScan) {
      for (const auto& e : entries) {
        if (e.key == f.key) first = &e.key_mark;
      }
    } else {
      if (f.key_index.empty()) {
        for (const auto& e : entries) f.key_index.emplace(e.key, e.key_mark);
      }
      auto [it, inserted] = f.key_index.emplace(f.key, f.key_mark);
      if (!inserted) first = &it->second;
    }
    if (first) {
      throw TreeError{f.key_mark, "duplicate key \"" + f.key + "\" (first at line " +
                                      std::to_string(first->line) + ":" +
                                      std::to_string(first->col) + ")"};
    }
  }

  // YAML 1.1 merge keys: `<<: *base` or `<<: [*a, *b]`. Keys written in the mapping win over
  // merged ones; among several merged mappings the first wins, as the merge-key spec says.
  static void apply_merge_keys(Node& map) {
    bool any = false;
    for (const auto& e : map.entries) any = any || e.key == "<<";
    if (!any) return;
    std::vector<MapEntry> explicit_entries;
    std::vector<const Node*> sources;
    std::vector<MapEntry> merges;
    for (auto& e : map.entries) {
      if (e.key != "<<") {
        explicit_entries.push_back(std::move(e));
      } else {
        merges.push_back(std::move(e));
      }
    }
    for (const auto& m : merges) {
      if (m.value.is_map()) {
        sources.push_back(&m.value);
      } else if (m.value.is_seq()) {
        for (const auto& item : m.value.items) {
          if (!item.is_map()) {
            throw TreeError{item.mark, "merge key \"<<\" list items must be mappings"};
          }
          sources.push_back(&item);
        }
      } else {
        throw TreeError{m.value.mark, "merge key \"<<\" needs a mapping or a list of mappings"};
      }
    }
    std::unordered_set<std::string> seen;
    for (const auto& e : explicit_entries) seen.insert(e.key);
    for (const Node* src : sources) {
      for (const auto& e : src->entries) {
        if (seen.insert(e.key).second) explicit_entries.push_back(e);
      }
    }
    map.entries = std::move(explicit_entries);
  }

  const Limits& limits_;
  std::size_t* nodes_;
  std::size_t alias_nodes_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  Node root_;
};

Error positioned_error(const std::string& file, Mark mark, std::string message) {
  Diagnostic d{SourcePos{file, mark.line, mark.col}, "", std::move(message)};
  Error e = Fail(d.to_string(), "parse");
  e.diagnostics.push_back(std::move(d));
  return e;
}

}  // namespace

Result<std::vector<Document>> parse_yaml(const std::string& text, const std::string& file,
                                         const Limits& limits) {
  if (text.size() > limits.max_file_bytes) {
    return positioned_error(file, {}, "file is " + std::to_string(text.size()) +
                                          " bytes, over the limit of " +
                                          std::to_string(limits.max_file_bytes));
  }
  if (auto bad = find_invalid_text(text)) {
    return positioned_error(file, Mark{bad->line, bad->col}, bad->message);
  }
  auto shared_file = std::make_shared<const std::string>(file);
  std::vector<Document> docs;
  std::size_t nodes = 0;
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    TreeBuilder builder(limits, &nodes);
    while (parser.HandleNextDocument(builder)) {
      if (docs.size() >= limits.max_documents) {
        return positioned_error(file, {}, "more than " + std::to_string(limits.max_documents) +
                                              " documents in one file");
      }
      Document d;
      d.file = shared_file;
      d.index = static_cast<int>(docs.size());
      d.root = builder.take_root();
      docs.push_back(std::move(d));
    }
  } catch (const TreeError& e) {
    return positioned_error(file, e.mark, e.message);
  } catch (const YAML::Exception& e) {
    return positioned_error(file, to_mark(e.mark), e.msg);
  } catch (const std::exception& e) {
    return positioned_error(file, {}, std::string("YAML parser failed: ") + e.what());
  }
  return docs;
}

Result<std::vector<Document>> parse_yaml_file(const std::string& path, const Limits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return positioned_error(path, {}, std::string("cannot open: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return positioned_error(path, {}, "not a regular file");
  }
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > limits.max_file_bytes) {
    return positioned_error(path, {}, "file is " + std::to_string(st.st_size) +
                                          " bytes, over the limit of " +
                                          std::to_string(limits.max_file_bytes));
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return positioned_error(path, {}, std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  // Read at most one byte past the limit so a growing file or a pipe cannot exhaust memory.
  text.resize(limits.max_file_bytes + 1);
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(f.gcount()));
  return parse_yaml(text, path, limits);
}

}  // namespace baton::spec
