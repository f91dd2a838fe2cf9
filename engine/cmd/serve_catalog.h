#pragma once
// What `baton serve` loads from its sources: Tekton objects (Tasks, Pipelines, StepActions,
// ConfigMaps, ...) for planning runs, and Triggers objects plus Secrets for webhooks. Built whole
// and swapped whole, so a reload never shows a half-loaded catalog.

#include <memory>
#include <string>
#include <vector>

#include "dashboard-api/webhook_routes.h"
#include "engine/common/diagnostic.h"
#include "engine/model/object_set.h"

namespace baton::cmd {

/// One consistent load of every source.
struct ServeCatalog {
  std::shared_ptr<const model::ObjectSet> objects;
  std::shared_ptr<const api::TriggerSnapshot> triggers;
  std::size_t files = 0;
};

/// Loads every *.yaml / *.yml under `directories` (recursively) and the Secrets of
/// `secret_files`. Files with errors are reported in `errors` and left out; the rest loads.
ServeCatalog load_serve_catalog(const std::vector<std::string>& directories,
                                const std::vector<std::string>& secret_files, Diagnostics& errors);

}  // namespace baton::cmd
