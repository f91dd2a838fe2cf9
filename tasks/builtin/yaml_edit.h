#pragma once
// Edits one scalar of a YAML file in place, keeping every other byte (comments, quoting,
// indentation, key order): libyaml finds the scalar's position, only its bytes are replaced.

#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace baton::builtin {

/// The edited text, whether it differs from the input, and the value that was there.
struct YamlEdit {
  std::string text;
  bool changed = false;
  std::string old_value;  // "" when a key was inserted
};

/// Kustomize: in the `images:` list, the entry whose `name` is `name` gets `newTag: tag`
/// (or `digest: digest` when `digest` is set). A missing key is inserted under `name`.
Result<YamlEdit> set_kustomize_image(std::string_view text, const std::string& name,
                                     const std::string& tag, const std::string& digest);

/// Helm values: the scalar at the dotted `path` (e.g. `image.tag`) becomes `value`.
Result<YamlEdit> set_yaml_path(std::string_view text, const std::string& path,
                               const std::string& value);

/// Workloads (Deployment, StatefulSet, ... any document with spec.template.spec): the
/// container named `container` gets image `repository:tag` or `repository@digest`.
Result<YamlEdit> set_container_image(std::string_view text, const std::string& container,
                                     const std::string& repository, const std::string& tag,
                                     const std::string& digest);

}  // namespace baton::builtin
