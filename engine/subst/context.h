#pragma once
// The values `$(…)` references resolve to, keyed by canonical dotted keys
// ("params.foo", "tasks.build.results.digest", "context.taskRun.name", "workspaces.src.path").

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/param.h"
#include "engine/subst/refs.h"

namespace baton::subst {

/// What one reference resolved to. Pointers borrow from the Context; valid while it lives.
struct Resolved {
  enum class Kind { kUnknown, kString, kArray, kObject };
  Kind kind = Kind::kUnknown;
  const std::string* str = nullptr;  // kString: a string value, array item or object key
  const std::vector<std::string>* arr = nullptr;            // kArray: the whole array
  const std::map<std::string, std::string>* obj = nullptr;  // kObject: the whole object
};

/// Reference key → value. Keys are dotted; quoted names are stored unquoted ("params.a.b").
class Context {
 public:
  /// Sets a string value (results, context, workspaces variables).
  void set(std::string key, std::string value);
  /// Sets a value of any type (params, task results).
  void set(std::string key, model::ParamValue value);
  /// Binds params as a TaskRun does: declared defaults first, then given values; an object given
  /// only some keys keeps the default's other keys.
  void set_params(const std::vector<model::ParamSpec>& specs,
                  const std::vector<model::Param>& given);

  /// A copy without `params.<name>` (and its `params.<name>.*` keys) for each name: an embedded
  /// taskSpec's own params shadow the pipeline's when pipeline params propagate into it.
  Context without_params(const std::vector<std::string>& names) const;

  /// The value stored under exactly `key`, or nullptr.
  const model::ParamValue* find(std::string_view key) const;
  std::size_t size() const { return values_.size(); }

  /// Resolves a reference: exact key, else the last part as a key of an object. Unknown names
  /// give kUnknown (the text stays literal, as in Tekton); a known value used wrongly (index out
  /// of range, indexing a string or object, missing object key) is an error.
  Result<Resolved> resolve(const Reference& ref) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, model::ParamValue, Hash, std::equal_to<>> values_;
};

}  // namespace baton::subst
