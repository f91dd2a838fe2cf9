#include "engine/model/param.h"

#include <nlohmann/json.hpp>

namespace baton::model {

const char* to_string(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kArray:
      return "array";
    case ValueType::kObject:
      return "object";
  }
  return "?";
}

std::string ParamValue::to_json() const {
  switch (type) {
    case ValueType::kString:
      return nlohmann::json(str).dump();
    case ValueType::kArray:
      return nlohmann::json(arr).dump();
    case ValueType::kObject:
      return nlohmann::json(obj).dump();
  }
  return "null";
}

}  // namespace baton::model
