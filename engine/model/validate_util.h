#pragma once
// Internal helpers shared by the validate_*.cc files: the error sink, Tekton's name rules,
// duplicate detection and `$(…)` reference checks. Not part of the public API.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/model/object_set.h"
#include "engine/model/validate.h"
#include "engine/subst/refs.h"

namespace baton::model::vdetail {

/// Collects the diagnostics of one object; a position is resolved only when an error is reported.
class Sink {
 public:
  Sink(const Origin& origin, Diagnostics& out) : origin_(origin), out_(out) {}
  void error(const std::string& path, std::string message);

 private:
  const Origin& origin_;
  Diagnostics& out_;
};

/// `base.key` and `base[i]`.
std::string at(const std::string& base, std::string_view key);
std::string at(const std::string& base, std::size_t i);
/// `"s"`.
std::string in_quotes(std::string_view s);
/// ` (did you mean "x"?)` when a candidate is close to `word`, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

bool is_dns_label(std::string_view s);
bool is_dns_subdomain(std::string_view s);
/// Tekton param names: letters, digits, '_', '-', '.' (no '.' for objects); first a letter or '_'.
bool is_param_name(std::string_view s, bool object);
/// Tekton result names: alphanumerics, '-', '_', '.'; first and last alphanumeric.
bool is_result_name(std::string_view s);
/// A string that is exactly one `$(params.x)` reference (values Tekton resolves at run time).
bool is_param_ref(std::string_view s);

/// Reports repeated names, pointing at the repeat and naming the first occurrence.
class UniqueNames {
 public:
  explicit UniqueNames(const char* what) : what_(what) {}
  /// Records the name of `list_path[i]`; `list_path` must outlive this object.
  void add(Sink& sink, std::string_view name, const std::string& list_path, std::size_t i);

 private:
  const char* what_;
  std::unordered_map<std::string_view, std::pair<const std::string*, std::size_t>> first_;
};

/// Names visible to `$(params.…)`: a spec's own params, then those propagated from its parent.
struct ParamScope {
  std::unordered_map<std::string_view, const ParamSpec*> names;  // nullptr: a value, no spec
  const ParamScope* parent = nullptr;

  void add(const std::vector<ParamSpec>& specs);
  void add(const std::vector<Param>& params);
  /// The param a reference names: dotted names are tried longest-first after `params.`.
  /// Returns {found, spec, number of parts after `params` that the name used}.
  struct Match {
    bool found = false;
    const ParamSpec* spec = nullptr;
    std::size_t used = 0;
  };
  Match match(const std::vector<std::string>& parts) const;
  std::vector<std::string> all_names() const;
};

/// A set of names with a parent chain (workspaces, results).
struct NameSet {
  std::unordered_set<std::string_view> names;
  const NameSet* parent = nullptr;
  bool contains(std::string_view n) const;
  std::vector<std::string> all_names() const;
};

/// What a spec may reference: params, workspaces and results it can see.
struct RefScope {
  const ParamScope* params = nullptr;
  const NameSet* workspaces = nullptr;
  const NameSet* results = nullptr;  // task results (`$(results.r.path)`), or nullptr to skip
};

/// Checks one `$(params|workspaces|results.…)` reference (others are ignored).
void check_ref(Sink& sink, const subst::Reference& r, const std::string& path,
               const RefScope& scope);
/// Checks every `$(params|workspaces|results.…)` reference in `text` (found at `path`).
void check_refs(Sink& sink, std::string_view text, const std::string& path, const RefScope& scope);
void check_refs(Sink& sink, const std::vector<std::string>& texts, const std::string& path,
                const RefScope& scope);
/// Same for every string inside a JSON value (volumes, volumeMounts, envFrom, …).
void check_json_refs(Sink& sink, const Json& j, const std::string& path, const RefScope& scope);

/// Name, type, default, enum and properties rules of `params[]` declarations.
void check_param_specs(Sink& sink, const std::vector<ParamSpec>& specs, const std::string& list);
/// Name and uniqueness rules of `results[]` declarations.
void check_result_specs(Sink& sink, const std::vector<ResultSpec>& specs, const std::string& list);
/// Names unique and well-formed in a `params[]` list of values.
void check_param_values(Sink& sink, const std::vector<Param>& params, const std::string& list);

/// Finds the spec of the task a pipeline task or run refers to, when it is known: inline, or a
/// plain (resolver-less) taskRef to a Task of the set. Indexes the set once.
class TaskLookup {
 public:
  explicit TaskLookup(const ObjectSet* set);
  const TaskSpec* find(const std::optional<TaskSpec>& inline_spec,
                       const std::optional<Ref>& ref) const;

 private:
  std::unordered_map<std::string_view, const TaskSpec*> by_name_;
};

/// Spec validators; `inherited` carries what an embedded spec sees from its parent.
void check_task_spec(Sink& sink, const TaskSpec& spec, const std::string& path,
                     const ValidationLimits& limits, const RefScope& inherited);
void check_pipeline_spec(Sink& sink, const PipelineSpec& spec, const std::string& path,
                         const TaskLookup& tasks, const ValidationLimits& limits,
                         const RefScope& inherited);
void check_pipeline_run(Sink& sink, const PipelineRun& run, const ObjectSet* set,
                        const TaskLookup& lookup, const ValidationLimits& limits);
void check_task_run(Sink& sink, const TaskRun& run, const TaskLookup& lookup,
                    const ValidationLimits& limits);
/// Reports params of `declared` without a default that none of the `given` lists supplies.
void check_required_params(Sink& sink, const std::vector<ParamSpec>& declared,
                           std::initializer_list<const std::vector<Param>*> given,
                           const std::string& path, const std::string& what);
/// metadata.name rules; `run` allows generateName instead.
void check_object_name(Sink& sink, const ObjectMeta& meta, bool run);

}  // namespace baton::model::vdetail
