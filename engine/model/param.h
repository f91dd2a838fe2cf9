#pragma once
// Parameter and result values: Tekton's string | array | object.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace baton::model {

/// Type of a param or result.
enum class ValueType { kString, kArray, kObject };

/// "string", "array", "object".
const char* to_string(ValueType t);

/// A param or result value. Objects keep keys sorted (Tekton serialises them as JSON maps).
struct ParamValue {
  ValueType type = ValueType::kString;
  std::string str;
  std::vector<std::string> arr;
  std::map<std::string, std::string> obj;

  static ParamValue of_string(std::string s) {
    return ParamValue{ValueType::kString, std::move(s), {}, {}};
  }
  static ParamValue of_array(std::vector<std::string> a) {
    return ParamValue{ValueType::kArray, {}, std::move(a), {}};
  }
  static ParamValue of_object(std::map<std::string, std::string> o) {
    return ParamValue{ValueType::kObject, {}, {}, std::move(o)};
  }

  /// JSON text of the value (string values are JSON-quoted).
  std::string to_json() const;
  bool operator==(const ParamValue&) const = default;
};

/// One key of an object param/result schema.
struct PropertySpec {
  ValueType type = ValueType::kString;
};

/// `spec.params[]` of a Task, Pipeline or StepAction.
struct ParamSpec {
  std::string name;
  ValueType type = ValueType::kString;
  bool type_given = false;  // type inferred from default when absent, as Tekton does
  std::string description;
  std::map<std::string, PropertySpec> properties;
  std::optional<ParamValue> default_value;
  std::vector<std::string> enum_values;
};

/// `params[]` binding a value to a name (runs, pipeline tasks, step refs).
struct Param {
  std::string name;
  ParamValue value;
};

/// `results[]` declared by a Task, StepAction or step.
struct ResultSpec {
  std::string name;
  ValueType type = ValueType::kString;
  std::string description;
  std::map<std::string, PropertySpec> properties;
  std::optional<ParamValue> value;  // Task results fed from step results: $(steps.s.results.r)
};

/// `spec.results[]` of a Pipeline.
struct PipelineResult {
  std::string name;
  ValueType type = ValueType::kString;
  std::string description;
  ParamValue value;
};

}  // namespace baton::model
