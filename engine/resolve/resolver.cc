#include "engine/resolve/resolver.h"

#include <filesystem>

#include "engine/spec/loader.h"
#include "engine/subst/apply.h"
#include "engine/subst/context.h"
#include "engine/subst/substitute.h"

namespace baton::resolve {

namespace {

Error unsupported_resolver(const model::Ref& ref) {
  return Fail("resolver \"" + ref.resolver + "\" is not supported yet: put the " +
                  (ref.kind.empty() ? std::string("Task") : ref.kind) +
                  " in a local file or a catalog directory (--catalog DIR)",
              "resolve");
}

template <typename T>
const T* find_in(const std::vector<T>& v, const std::string& name) {
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (it->metadata.name == name) return &*it;
  }
  return nullptr;
}

// stepTemplate semantics (Tekton MergeStepsWithStepTemplate): the step's own fields win; env
// and volumeMounts merge by name with the step's entries winning.
void merge_template(model::Step& s, const model::Container& t) {
  if (s.image.empty()) s.image = t.image;
  if (s.command.empty()) s.command = t.command;
  if (s.args.empty()) s.args = t.args;
  if (s.working_dir.empty()) s.working_dir = t.working_dir;
  if (s.image_pull_policy.empty()) s.image_pull_policy = t.image_pull_policy;
  if (s.security_context.is_null()) s.security_context = t.security_context;
  if (s.compute_resources.is_null()) s.compute_resources = t.compute_resources;
  if (s.env_from.is_null()) s.env_from = t.env_from;
  std::vector<model::EnvVar> env = t.env;
  for (const auto& e : s.env) {
    bool replaced = false;
    for (auto& base : env) {
      if (base.name == e.name) {
        base = e;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(e);
  }
  s.env = std::move(env);
  if (!t.volume_mounts.is_null() && t.volume_mounts.is_array()) {
    if (s.volume_mounts.is_null()) s.volume_mounts = model::Json::array();
    for (const auto& vm : t.volume_mounts) s.volume_mounts.push_back(vm);
  }
}

// Inlines a StepAction into the step that references it (Tekton: the action's image, command,
// args, script, env and workingDir; the step keeps name, timeout, onError, workspaces, when;
// the step's `params` bind the action's params, substituted into the action's fields).
Status inline_step_action(model::Step& s, const model::StepActionSpec& a) {
  subst::Context ctx;
  ctx.set_params(a.params, s.params);
  model::TaskSpec tmp;
  model::Step body;
  body.name = s.name;
  body.image = a.image;
  body.command = a.command;
  body.args = a.args;
  body.script = a.script;
  body.env = a.env;
  body.working_dir = a.working_dir;
  body.security_context = a.security_context;
  body.volume_mounts = a.volume_mounts;
  tmp.steps.push_back(std::move(body));
  if (Status st = subst::apply_to_task_spec(tmp, ctx); !st.ok()) return st;
  model::Step& b = tmp.steps[0];
  s.image = b.image;
  s.command = b.command;
  s.args = b.args;
  s.script = b.script;
  s.working_dir = b.working_dir;
  for (auto& e : b.env) s.env.push_back(e);
  if (s.security_context.is_null()) s.security_context = b.security_context;
  if (s.volume_mounts.is_null()) s.volume_mounts = b.volume_mounts;
  if (s.results.empty()) s.results = a.results;
  s.ref.reset();
  s.params.clear();
  return {};
}

}  // namespace

const model::ObjectSet& Catalog::loaded_dirs() const {
  if (dirs_loaded_) return dir_objects_;
  dirs_loaded_ = true;
  namespace fs = std::filesystem;
  for (const auto& dir : dirs_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      auto ext = it->path().extension();
      if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      spec::LoadOutput out = spec::load_file(f.string());
      // Catalog files that fail to load are skipped here; `baton validate DIR` reports them.
      if (out.errors.empty()) dir_objects_.append(std::move(out.objects));
    }
  }
  return dir_objects_;
}

Result<model::TaskSpec> Catalog::task(const model::Ref& ref) const {
  if (!ref.resolver.empty()) return unsupported_resolver(ref);
  if (!ref.kind.empty() && ref.kind != "Task" && ref.kind != "ClusterTask") {
    return Fail("custom task kind \"" + ref.kind + "\" (" + ref.api_version +
                    ") has no controller in Baton",
                "resolve");
  }
  if (local_) {
    if (const auto* t = find_in(local_->tasks, ref.name)) return t->spec;
  }
  if (const auto* t = find_in(loaded_dirs().tasks, ref.name)) return t->spec;
  return Fail("Task \"" + ref.name + "\" not found in the given files or the catalog", "not_found");
}

Result<model::PipelineSpec> Catalog::pipeline(const model::Ref& ref) const {
  if (!ref.resolver.empty()) return unsupported_resolver(ref);
  if (local_) {
    if (const auto* p = find_in(local_->pipelines, ref.name)) return p->spec;
  }
  if (const auto* p = find_in(loaded_dirs().pipelines, ref.name)) return p->spec;
  return Fail("Pipeline \"" + ref.name + "\" not found in the given files or the catalog",
              "not_found");
}

Result<model::StepActionSpec> Catalog::step_action(const model::Ref& ref) const {
  if (!ref.resolver.empty()) return unsupported_resolver(ref);
  if (local_) {
    if (const auto* a = find_in(local_->step_actions, ref.name)) return a->spec;
  }
  if (const auto* a = find_in(loaded_dirs().step_actions, ref.name)) return a->spec;
  return Fail("StepAction \"" + ref.name + "\" not found in the given files or the catalog",
              "not_found");
}

Result<model::TaskSpec> prepare_task_spec(const model::TaskSpec& spec, const Catalog& catalog,
                                          StepActions* actions) {
  model::TaskSpec out = spec;
  for (std::size_t i = 0; i < out.steps.size(); ++i) {
    model::Step& s = out.steps[i];
    if (s.ref) {
      auto action = catalog.step_action(*s.ref);
      if (!action.ok())
        return Fail("steps[" + std::to_string(i) + "]: " + action.error().message, "resolve");
      (*actions)[i] = std::move(*action);
      continue;  // a StepAction step takes nothing from stepTemplate but env
    }
    if (out.step_template) merge_template(s, *out.step_template);
  }
  if (out.step_template) {
    for (auto& sc : out.sidecars) {
      model::Step tmp;
      static_cast<model::Container&>(tmp) = sc;
      merge_template(tmp, *out.step_template);
      static_cast<model::Container&>(sc) = static_cast<model::Container&>(tmp);
    }
  }
  out.step_template.reset();
  return out;
}

Status inline_step_actions(model::TaskSpec& spec, const StepActions& actions) {
  for (const auto& [i, action] : actions) {
    if (i >= spec.steps.size()) continue;
    if (Status st = inline_step_action(spec.steps[i], action); !st.ok()) {
      return Fail("steps[" + std::to_string(i) + "]: " + st.error().message, "resolve");
    }
  }
  return {};
}

}  // namespace baton::resolve
