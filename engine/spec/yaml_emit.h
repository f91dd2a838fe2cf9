#pragma once
// JSON → YAML text, for `--output yaml`. The yaml-cpp adapter for writing YAML.

#include <nlohmann/json.hpp>
#include <string>

namespace baton::spec {

/// Block-style YAML of `j`; strings that would read back as another type are quoted.
std::string to_yaml(const nlohmann::json& j);

}  // namespace baton::spec
