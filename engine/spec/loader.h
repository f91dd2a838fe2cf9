#pragma once
// Loads Tekton YAML (multi-document files) into model objects. v1beta1 is converted to v1.

#include <string>

#include "engine/common/diagnostic.h"
#include "engine/model/object_set.h"
#include "engine/spec/yaml_tree.h"

namespace baton::spec {

/// What loading produced: the objects that decoded, and every error found on the way.
struct LoadOutput {
  model::ObjectSet objects;
  Diagnostics errors;
  std::size_t documents = 0;  // non-empty YAML documents seen
};

/// Loads all documents of `text`, reporting errors against `file`.
LoadOutput load_text(const std::string& text, const std::string& file, const Limits& limits = {});

/// Reads and loads `path`.
LoadOutput load_file(const std::string& path, const Limits& limits = {});

/// The position of a field path (`spec.tasks[2].params[0].value`) inside a parsed tree: the
/// node itself, or its nearest ancestor present in the source.
Mark locate_path(const Node& root, const std::string& path);

}  // namespace baton::spec
