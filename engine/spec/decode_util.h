#pragma once
// Building blocks of the YAML-tree → model decoders: a context that collects diagnostics, and a
// MapReader that reads known fields of a mapping and reports every unknown one.

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/model/types.h"
#include "engine/spec/yaml_tree.h"

namespace baton::spec {

/// Decoding state for one document: where it came from, the API version, and the errors so far.
struct DecodeCtx {
  std::string file;
  bool v1beta1 = false;
  Diagnostics* diags = nullptr;

  void error(const Mark& at, const std::string& path, std::string message) const;
};

/// `base.key` / `base[i]` path helpers.
std::string field(const std::string& base, const std::string& key);
std::string index(const std::string& base, std::size_t i);

/// Scalar readers: each reports a typed error and returns a neutral value on bad input.
std::string read_string(const DecodeCtx& c, const Node& n, const std::string& path);
bool read_bool(const DecodeCtx& c, const Node& n, const std::string& path);
int read_int(const DecodeCtx& c, const Node& n, const std::string& path, int min, int max);
std::optional<model::Duration> read_duration(const DecodeCtx& c, const Node& n,
                                             const std::string& path);
std::vector<std::string> read_string_list(const DecodeCtx& c, const Node& n,
                                          const std::string& path);
model::StringMap read_string_map(const DecodeCtx& c, const Node& n, const std::string& path);
/// Param values keep the raw text of scalars (Tekton: `1.10` stays "1.10", `yes` stays "yes").
model::ParamValue read_param_value(const DecodeCtx& c, const Node& n, const std::string& path);
/// Kubernetes pass-through: YAML → JSON the way Kubernetes converts it (YAML 1.2 core types).
model::Json to_json(const Node& n);

/// Parses a Go duration ("1h30m", "90s", "500ms", "0"); nullopt if malformed.
std::optional<model::Duration> parse_go_duration(const std::string& s);

/// Reads the fields of one mapping. Every key the decoder asks for is "known"; finish()
/// reports the rest as unknown fields, suggesting the closest known name.
class MapReader {
 public:
  MapReader(const DecodeCtx& c, const Node& n, std::string path);

  /// The node of `key`, or nullptr when absent (or when the node was not a mapping).
  const Node* get(const std::string& key);
  /// Like get(), and reports "missing required field" when absent.
  const Node* required(const std::string& key);
  /// Marks keys as accepted and ignored (e.g. `status` on input).
  void ignore(std::initializer_list<const char*> keys);
  /// Reports a key as removed/unsupported with a specific message if present.
  void reject(const std::string& key, const std::string& why);

  void str(const std::string& key, std::string& out);
  void str_list(const std::string& key, std::vector<std::string>& out);
  void boolean(const std::string& key, bool& out);
  void json(const std::string& key, model::Json& out);
  void duration(const std::string& key, std::optional<model::Duration>& out);
  void string_map(const std::string& key, model::StringMap& out);
  /// Calls fn(item, item_path, i) for each element of a list-valued field.
  void list(const std::string& key,
            const std::function<void(const Node&, const std::string&, std::size_t)>& fn);

  const std::string& path() const { return path_; }
  bool valid() const { return node_ != nullptr; }

  /// Reports unknown fields. Called by the destructor if not called explicitly.
  void finish();
  ~MapReader();

  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

 private:
  const DecodeCtx& c_;
  const Node* node_;
  std::string path_;
  std::vector<std::string> known_;
  bool finished_ = false;
};

}  // namespace baton::spec
