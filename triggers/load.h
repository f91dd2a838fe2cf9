#pragma once
// Loads triggers.tekton.dev documents (v1alpha1, v1beta1) into a TriggerCatalog. Documents of
// other API groups in the same files are ignored; every error carries file:line:col and a field
// path, like the engine's loader.

#include <string>

#include "engine/common/diagnostic.h"
#include "triggers/model.h"

namespace baton::triggers {

/// What one load call did.
struct LoadReport {
  Diagnostics errors;
  std::size_t loaded = 0;   // triggers.tekton.dev objects added to the catalog
  std::size_t ignored = 0;  // documents of other API groups (Secrets, Tasks, ...)
};

/// Loads the documents of `text` (named `file` in errors). A document with errors is not added.
LoadReport load_text(const std::string& text, const std::string& file, TriggerCatalog& catalog);

/// Reads `path` and loads it.
LoadReport load_file(const std::string& path, TriggerCatalog& catalog);

/// Checks the references between objects: bindings, templates and triggerRefs resolve, and
/// binding/template param names meet. Call after loading every file.
Diagnostics check_references(const TriggerCatalog& catalog);

}  // namespace baton::triggers
