#include "engine/cmd/serve_catalog.h"

#include <algorithm>
#include <filesystem>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"
#include "triggers/load.h"

namespace baton::cmd {

namespace {

std::vector<std::string> yaml_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto ext = it->path().extension();
    if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());  // a stable order: the first definition of a name wins
  return files;
}

}  // namespace

ServeCatalog load_serve_catalog(const std::vector<std::string>& directories,
                                const std::vector<std::string>& secret_files, Diagnostics& errors) {
  auto objects = std::make_shared<model::ObjectSet>();
  auto snapshot = std::make_shared<api::TriggerSnapshot>();
  ServeCatalog out;
  for (const auto& dir : directories) {
    for (const auto& file : yaml_files(dir)) {
      ++out.files;
      spec::LoadOutput tekton = spec::load_file(file);
      Diagnostics v = tekton.errors.empty() ? model::validate(tekton.objects) : Diagnostics{};
      errors.insert(errors.end(), tekton.errors.begin(), tekton.errors.end());
      errors.insert(errors.end(), v.begin(), v.end());
      if (tekton.errors.empty() && v.empty()) objects->append(std::move(tekton.objects));
      triggers::LoadReport t = triggers::load_file(file, snapshot->catalog);
      errors.insert(errors.end(), t.errors.begin(), t.errors.end());
      Diagnostics s = snapshot->secrets.add_file(file);
      errors.insert(errors.end(), s.begin(), s.end());
    }
  }
  for (const auto& file : secret_files) {
    Diagnostics s = snapshot->secrets.add_file(file);
    errors.insert(errors.end(), s.begin(), s.end());
  }
  Diagnostics refs = triggers::check_references(snapshot->catalog);
  errors.insert(errors.end(), refs.begin(), refs.end());
  out.objects = std::move(objects);
  out.triggers = std::move(snapshot);
  return out;
}

}  // namespace baton::cmd
