// The YAML parser adapter: the only file that includes a YAML parser for reading. It drives
// libyaml's event parser and builds our own positioned tree, so limits (depth, node budget)
// are enforced while parsing rather than after a hostile document was expanded in memory.
// Why libyaml and not yaml-cpp: yaml-cpp 0.7 took 110 ms of CPU to parse a 2,000-task
// pipeline, libyaml 9 ms (docs/design/yaml-parser.md has the measurement and command).

#include "engine/spec/yaml_tree.h"

#include <sys/stat.h>
#include <yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
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
    case NodeKind::kNull:
      return "null";
    case NodeKind::kScalar:
      return "string";
    case NodeKind::kSequence:
      return "list";
    case NodeKind::kMapping:
      return "mapping";
  }
  return "?";
}

namespace {

/// Raised while building the tree; caught in parse_yaml and turned into a diagnostic.
struct TreeError {
  Mark mark;
  std::string message;
};

Mark to_mark(const yaml_mark_t& m) {
  return Mark{static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
}

std::size_t count_nodes(const Node& n) {
  std::size_t c = 1;
  for (const auto& i : n.items) c += count_nodes(i);
  for (const auto& e : n.entries) c += count_nodes(e.value);
  return c;
}

bool is_plain_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::string anchor_of(const yaml_char_t* a) {
  return a ? std::string(reinterpret_cast<const char*>(a)) : std::string();
}

/// Owns a libyaml event for the duration of one loop iteration.
struct Event {
  yaml_event_t e{};
  ~Event() { yaml_event_delete(&e); }
};

/// Owns a libyaml parser.
struct Parser {
  yaml_parser_t p{};
  bool ok = false;
  Parser() { ok = yaml_parser_initialize(&p) != 0; }
  ~Parser() {
    if (ok) yaml_parser_delete(&p);
  }
};

// Builds positioned trees from libyaml events. Limits are enforced per event, so a hostile
// document is refused before it is expanded in memory.
class TreeBuilder {
 public:
  TreeBuilder(const Limits& limits, std::size_t* nodes) : limits_(limits), nodes_(nodes) {}

  void start_document() {
    root_ = Node{};
    anchors_.clear();
  }
  Node take_root() { return std::move(root_); }

  void scalar(const yaml_event_t& ev) {
    const auto& sc = ev.data.scalar;
    Node n;
    n.mark = to_mark(ev.start_mark);
    std::string value(reinterpret_cast<const char*>(sc.value), sc.length);
    n.quoted = sc.style != YAML_PLAIN_SCALAR_STYLE;
    if (!n.quoted && is_plain_null(value)) {
      n.kind = NodeKind::kNull;
    } else {
      n.kind = NodeKind::kScalar;
      n.scalar = std::move(value);
    }
    complete(std::move(n), anchor_of(sc.anchor));
  }

  void alias(const yaml_event_t& ev) {
    Mark mark = to_mark(ev.start_mark);
    std::string name = anchor_of(ev.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) {
      bool open = false;
      for (const auto& f : stack_) open = open || f.anchor == name;
      throw TreeError{mark, open ? "alias *" + name + " refers to the node that contains it"
                                 : "unknown anchor \"" + name + "\""};
    }
    alias_nodes_ += it->second.size;
    if (alias_nodes_ > limits_.max_alias_nodes) {
      throw TreeError{mark, "aliases expand to more than " +
                                std::to_string(limits_.max_alias_nodes) +
                                " nodes (is this an alias bomb?)"};
    }
    charge(it->second.size, mark, "alias expansion");
    Node copy = it->second.node;
    complete(std::move(copy), {}, /*counted=*/true);
  }

  void open(NodeKind kind, const yaml_event_t& ev, const yaml_char_t* anchor) {
    Mark mark = to_mark(ev.start_mark);
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw TreeError{mark, "nesting deeper than the limit of " +
                                std::to_string(limits_.max_depth) + " levels"};
    }
    Frame f;
    f.node.kind = kind;
    f.node.mark = mark;
    f.anchor = anchor_of(anchor);
    stack_.push_back(std::move(f));
  }

  void close() {
    if (stack_.back().node.is_map()) {
      check_large_mapping(stack_.back().node);
      apply_merge_keys(stack_.back().node);
    }
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(f.node), f.anchor);
  }

 private:
  struct Frame {
    Node node;
    std::string anchor;
    bool have_key = false;
    std::string key;
    Mark key_mark;
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

  void complete(Node n, const std::string& anchor, bool counted = false) {
    if (!counted) charge(1, n.mark, "document");
    if (!anchor.empty()) anchors_[anchor] = Anchored{n, count_nodes(n)};
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
        if (n.scalar.empty()) n.scalar = "null";
      }
      if (n.kind != NodeKind::kScalar) {
        throw TreeError{n.mark,
                        "mapping keys must be plain strings, not a " + std::string(n.kind_name())};
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

  // Duplicate keys are an error (Kubernetes rejects them too). Small mappings are checked as
  // keys arrive; large ones once, when they close, by sorting key hashes: no allocation per
  // key, so a hostile 100,000-key mapping costs O(n log n) and little memory.
  static void check_duplicate(Frame& f) {
    auto& entries = f.node.entries;
    if (entries.size() >= kLinearKeyScan) return;  // checked in check_large_mapping()
    for (const auto& e : entries) {
      if (e.key == f.key) throw duplicate_error(f.key, f.key_mark, e.key_mark);
    }
  }

  static void check_large_mapping(const Node& map) {
    const auto& entries = map.entries;
    if (entries.size() <= kLinearKeyScan) return;
    std::vector<std::pair<std::size_t, std::uint32_t>> hashes;
    hashes.reserve(entries.size());
    std::hash<std::string> h;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      if (entries[i].key != "<<") hashes.emplace_back(h(entries[i].key), i);
    }
    std::sort(hashes.begin(), hashes.end());
    const MapEntry* dup = nullptr;
    const MapEntry* first = nullptr;
    for (std::size_t i = 1; i < hashes.size(); ++i) {
      if (hashes[i].first != hashes[i - 1].first) continue;
      // Equal hashes: find an earlier entry with the same key (sorted by index within a hash).
      for (std::size_t j = i; j-- > 0 && hashes[j].first == hashes[i].first;) {
        const MapEntry& a = entries[hashes[j].second];
        const MapEntry& b = entries[hashes[i].second];
        if (a.key == b.key &&
            (!dup || hashes[i].second < static_cast<std::size_t>(dup - entries.data()))) {
          dup = &b;
          first = &a;
        }
      }
    }
    if (dup) throw duplicate_error(dup->key, dup->key_mark, first->key_mark);
  }

  static TreeError duplicate_error(const std::string& key, Mark at, Mark first) {
    return TreeError{at, "duplicate key \"" + key + "\" (first at line " +
                             std::to_string(first.line) + ":" + std::to_string(first.col) + ")"};
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
  std::unordered_map<std::string, Anchored> anchors_;
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
    return positioned_error(file, {},
                            "file is " + std::to_string(text.size()) +
                                " bytes, over the limit of " +
                                std::to_string(limits.max_file_bytes));
  }
  if (auto bad = find_invalid_text(text)) {
    return positioned_error(file, Mark{bad->line, bad->col}, bad->message);
  }
  auto shared_file = std::make_shared<const std::string>(file);
  std::vector<Document> docs;
  std::size_t nodes = 0;
  Parser parser;
  if (!parser.ok) return positioned_error(file, {}, "cannot initialise the YAML parser");
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  TreeBuilder builder(limits, &nodes);
  try {
    for (bool done = false; !done;) {
      Event ev;
      if (!yaml_parser_parse(&parser.p, &ev.e)) {
        const yaml_mark_t& m = parser.p.problem_mark;
        std::string msg = parser.p.problem ? parser.p.problem : "invalid YAML";
        if (parser.p.context) {
          Mark cm = to_mark(parser.p.context_mark);
          msg += std::string(" (") + parser.p.context + " started at " + std::to_string(cm.line) +
                 ":" + std::to_string(cm.col) + ")";
        }
        return positioned_error(file, to_mark(m), msg);
      }
      switch (ev.e.type) {
        case YAML_DOCUMENT_START_EVENT:
          if (docs.size() >= limits.max_documents) {
            return positioned_error(
                file, to_mark(ev.e.start_mark),
                "more than " + std::to_string(limits.max_documents) + " documents in one file");
          }
          builder.start_document();
          break;
        case YAML_DOCUMENT_END_EVENT: {
          Document d;
          d.file = shared_file;
          d.index = static_cast<int>(docs.size());
          d.root = builder.take_root();
          docs.push_back(std::move(d));
          break;
        }
        case YAML_SCALAR_EVENT:
          builder.scalar(ev.e);
          break;
        case YAML_ALIAS_EVENT:
          builder.alias(ev.e);
          break;
        case YAML_SEQUENCE_START_EVENT:
          builder.open(NodeKind::kSequence, ev.e, ev.e.data.sequence_start.anchor);
          break;
        case YAML_MAPPING_START_EVENT:
          builder.open(NodeKind::kMapping, ev.e, ev.e.data.mapping_start.anchor);
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          builder.close();
          break;
        case YAML_STREAM_END_EVENT:
          done = true;
          break;
        default:
          break;
      }
    }
  } catch (const TreeError& e) {
    return positioned_error(file, e.mark, e.message);
  } catch (const std::bad_alloc&) {
    return positioned_error(file, {}, "out of memory while parsing");
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
    return positioned_error(path, {},
                            "file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
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
