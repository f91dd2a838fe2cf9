#include "tasks/builtin/yaml_edit.h"

#include <yaml.h>

#include <cctype>
#include <memory>
#include <vector>

namespace baton::builtin {

namespace {

// All documents of a stream, loaded by libyaml (which keeps each node's marks).
class Documents {
 public:
  ~Documents() {
    for (auto& d : docs_) yaml_document_delete(d.get());
  }
  Status load(std::string_view text) {
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) return Fail("libyaml: out of memory");
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    for (;;) {
      auto doc = std::make_unique<yaml_document_t>();
      if (yaml_parser_load(&parser, doc.get()) == 0) {
        std::string msg = std::to_string(parser.problem_mark.line + 1) + ":" +
                          std::to_string(parser.problem_mark.column + 1) + ": " +
                          (parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return Fail(msg);
      }
      if (yaml_document_get_root_node(doc.get()) == nullptr) {  // end of the stream
        yaml_document_delete(doc.get());
        break;
      }
      docs_.push_back(std::move(doc));
    }
    yaml_parser_delete(&parser);
    return {};
  }
  const std::vector<std::unique_ptr<yaml_document_t>>& docs() const { return docs_; }

 private:
  std::vector<std::unique_ptr<yaml_document_t>> docs_;
};

std::string scalar(const yaml_node_t* n) {
  if (n == nullptr || n->type != YAML_SCALAR_NODE) return {};
  return {reinterpret_cast<const char*>(n->data.scalar.value), n->data.scalar.length};
}

const yaml_node_t* get(yaml_document_t* doc, const yaml_node_t* map, const std::string& key,
                       const yaml_node_t** key_node = nullptr) {
  if (map == nullptr || map->type != YAML_MAPPING_NODE) return nullptr;
  for (auto* p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; ++p) {
    const yaml_node_t* k = yaml_document_get_node(doc, p->key);
    if (scalar(k) == key) {
      if (key_node) *key_node = k;
      return yaml_document_get_node(doc, p->value);
    }
  }
  return nullptr;
}

std::vector<const yaml_node_t*> items(yaml_document_t* doc, const yaml_node_t* seq) {
  std::vector<const yaml_node_t*> out;
  if (seq == nullptr || seq->type != YAML_SEQUENCE_NODE) return out;
  for (auto* i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; ++i) {
    out.push_back(yaml_document_get_node(doc, *i));
  }
  return out;
}

std::string where(const yaml_node_t* n) {
  return std::to_string(n->start_mark.line + 1) + ":" + std::to_string(n->start_mark.column + 1);
}

// libyaml's mark.index counts characters, not bytes: walk the UTF-8 text to find the byte.
std::size_t byte_offset(std::string_view text, std::size_t char_index) {
  std::size_t chars = 0, i = 0;
  for (; i < text.size() && chars < char_index; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
    while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

bool plain_safe(const std::string& v) {
  if (v.empty()) return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(v.front()) != std::string_view::npos) {
    return false;
  }
  if (v.back() == ' ' || v.back() == ':') return false;
  if (v.find(": ") != std::string::npos || v.find(" #") != std::string::npos) return false;
  for (const char* word : {"true", "false", "null", "yes", "no", "on", "off", "~"}) {
    if (v == word) return false;
  }
  // A number would change type (a tag "1.10" must stay a string).
  bool numeric = true;
  for (char ch : v)
    numeric = numeric && (std::isdigit(static_cast<unsigned char>(ch)) || ch == '.');
  return !numeric;
}

std::string quoted(const std::string& v, yaml_scalar_style_t style) {
  if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
    std::string out = "'";
    for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
  }
  if (style == YAML_PLAIN_SCALAR_STYLE && plain_safe(v)) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

Result<YamlEdit> replace(std::string_view text, const yaml_node_t* node, const std::string& value) {
  YamlEdit out;
  out.old_value = scalar(node);
  if (node->type != YAML_SCALAR_NODE) return Fail(where(node) + ": not a scalar");
  const auto style = node->data.scalar.style;
  if (style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE) {
    return Fail(where(node) + ": a block scalar (| or >) cannot be edited in place");
  }
  if (out.old_value == value) {
    out.text = std::string(text);
    return out;
  }
  const std::size_t b = byte_offset(text, node->start_mark.index);
  const std::size_t e = byte_offset(text, node->end_mark.index);
  out.text = std::string(text.substr(0, b)) + quoted(value, style) + std::string(text.substr(e));
  out.changed = true;
  return out;
}

// Inserts `key: value` as a sibling right after the line of `after_key`'s value.
Result<YamlEdit> insert_after(std::string_view text, const yaml_node_t* map,
                              const yaml_node_t* after_key, const yaml_node_t* after_value,
                              const std::string& key, const std::string& value) {
  if (map->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
    return Fail(where(map) + ": a flow mapping ({...}) cannot get a new key in place");
  }
  std::size_t eol = text.find('\n', byte_offset(text, after_value->end_mark.index));
  if (eol == std::string_view::npos) eol = text.size();
  const std::string indent(after_key->start_mark.column, ' ');
  YamlEdit out;
  out.text = std::string(text.substr(0, eol)) + "\n" + indent + key + ": " +
             quoted(value, YAML_PLAIN_SCALAR_STYLE) +
             (eol == text.size() ? std::string("\n") : std::string(text.substr(eol)));
  out.changed = true;
  return out;
}

}  // namespace

Result<YamlEdit> set_kustomize_image(std::string_view text, const std::string& name,
                                     const std::string& tag, const std::string& digest) {
  Documents docs;
  if (auto st = docs.load(text); !st) return st.error();
  const std::string key = digest.empty() ? "newTag" : "digest";
  const std::string value = digest.empty() ? tag : digest;
  for (const auto& d : docs.docs()) {
    const yaml_node_t* root = yaml_document_get_root_node(d.get());
    for (const yaml_node_t* entry : items(d.get(), get(d.get(), root, "images"))) {
      const yaml_node_t* name_key = nullptr;
      const yaml_node_t* name_value = get(d.get(), entry, "name", &name_key);
      if (scalar(name_value) != name) continue;
      if (!digest.empty() || get(d.get(), entry, "digest") == nullptr) {
        if (const yaml_node_t* v = get(d.get(), entry, key)) return replace(text, v, value);
        return insert_after(text, entry, name_key, name_value, key, value);
      }
      return Fail(where(entry) + ": images entry \"" + name +
                  "\" pins a digest, which Kustomize prefers over newTag: set a digest instead");
    }
  }
  return Fail("no images entry named \"" + name + "\" (kustomization images: [{name: ...}])");
}

Result<YamlEdit> set_yaml_path(std::string_view text, const std::string& path,
                               const std::string& value) {
  Documents docs;
  if (auto st = docs.load(text); !st) return st.error();
  if (docs.docs().empty()) return Fail("empty YAML file");
  yaml_document_t* d = docs.docs().front().get();
  const yaml_node_t* node = yaml_document_get_root_node(d);
  std::string walked;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    walked += (walked.empty() ? "" : ".") + part;
    node = get(d, node, part);
    if (node == nullptr) return Fail("no value at \"" + walked + "\"");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return replace(text, node, value);
}

Result<YamlEdit> set_container_image(std::string_view text, const std::string& container,
                                     const std::string& repository, const std::string& tag,
                                     const std::string& digest) {
  Documents docs;
  if (auto st = docs.load(text); !st) return st.error();
  const std::string image = digest.empty() ? repository + ":" + tag : repository + "@" + digest;
  for (const auto& d : docs.docs()) {
    const yaml_node_t* root = yaml_document_get_root_node(d.get());
    const yaml_node_t* pod =
        get(d.get(), get(d.get(), get(d.get(), root, "spec"), "template"), "spec");
    for (const char* list : {"containers", "initContainers"}) {
      for (const yaml_node_t* c : items(d.get(), get(d.get(), pod, list))) {
        if (scalar(get(d.get(), c, "name")) != container) continue;
        const yaml_node_t* img = get(d.get(), c, "image");
        if (img == nullptr)
          return Fail(where(c) + ": container \"" + container + "\" has no image");
        return replace(text, img, image);
      }
    }
  }
  return Fail("no container named \"" + container + "\" under spec.template.spec");
}

}  // namespace baton::builtin
