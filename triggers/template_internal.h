#pragma once
// Internal to baton_triggers: resource templates as JSON text.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec/yaml_tree.h"
#include "triggers/model.h"

namespace baton::triggers::detail {

/// A resource template node as compact JSON text (YAML → JSON the way Kubernetes converts it).
std::string resource_to_json(const spec::Node& n);

/// Names used as `$(tt.params.NAME)` in `json` that are not in `declared`, in order of appearance.
std::vector<std::string> undeclared_template_params(std::string_view json,
                                                    const std::set<std::string>& declared);

/// Substitutes `$(tt.params.NAME)` (values JSON-escaped, as Tekton does) and `$(uid)` in every
/// resource of `t`. Other `$(...)`, e.g. a TaskRun's own `$(params.x)`, are left as they are.
std::vector<std::string> render_template(const TriggerTemplate& t,
                                         const std::map<std::string, std::string>& params,
                                         std::string_view uid);

}  // namespace baton::triggers::detail
