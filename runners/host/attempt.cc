#include "runners/host/attempt.h"

#include "runners/host/proc_identity.h"
#include "runners/host/step_spec.h"

namespace baton::runners {
namespace {

AttemptLimits limits_of(const HostRunnerOptions& o) {
  AttemptLimits l;
  l.kill_grace = o.kill_grace;
  l.max_result_bytes = o.max_result_bytes;
  l.runner_name = "host";
  return l;
}

}  // namespace

Attempt::Attempt(exec::TaskInvocation inv, exec::LogSink& sink,
                 std::function<void(exec::TaskOutcome)> on_done, const HostRunnerOptions& options,
                 bool mount_namespace)
    : AttemptBase(std::move(inv), sink, std::move(on_done), limits_of(options)),
      options_(options),
      mount_namespace_(mount_namespace) {}

Status Attempt::prepare() {
  const exec::StepInvocation* with_image = nullptr;
  for (const auto* list : {&inv_.steps, &inv_.sidecars}) {
    for (const auto& s : *list) {
      if (!with_image && !s.image.empty() && builtin_task_name(s.image).empty()) with_image = &s;
    }
  }
  if (with_image) {
    sink_.on_notice("host runner: step images are not used (\"" + with_image->image +
                    "\"); steps run directly on this machine");
  }
  if (!mount_namespace_) {
    sink_.on_notice(
        "host runner: private mount namespaces are unavailable (root is needed), so literal "
        "/tekton and /workspace paths in steps do not work; $(results.<name>.path), "
        "$(workspaces.<name>.path) and friends do");
  }
  return {};
}

Result<std::unique_ptr<Proc>> Attempt::spawn(const exec::StepInvocation& s, ProcRole role,
                                             std::size_t index, const std::string& tag,
                                             std::size_t sink_index) {
  exec::StepInvocation probe;
  const exec::StepInvocation* what = &s;
  if (role == ProcRole::kProbe) {
    // The probe command runs like the sidecar would: same env, working dir and mounts.
    probe = s;
    probe.command = s.ready_command;
    probe.args.clear();
    probe.script.clear();
    probe.stdout_path.clear();
    probe.stderr_path.clear();
    what = &probe;
  }
  const int step_index = role == ProcRole::kStep ? static_cast<int>(index) : -1;
  StepContext ctx{&inv_, &paths_, options_.path_env, mount_namespace_, step_index};
  auto spec = build_spawn_spec(ctx, *what, tag);
  if (!spec) return spec.error();
  auto proc = std::make_unique<Proc>();
  proc->sink_index = sink_index;
  if (auto st = open_output_copies(*what, *proc); !st) return st.error();
  // The attempt's thread waits for every process it starts, so it outlives them.
  spec->die_with_thread = options_.kill_steps_with_engine;
  auto sp = Subprocess::spawn(*spec);
  if (!sp) return sp.error();
  proc->sp = std::move(sp).value();
  // On record before the step can do much: a restarted engine kills it if this one dies.
  // (Probes are short-lived and not recorded.)
  if (role != ProcRole::kProbe) {
    if (auto id = identity_of(proc->sp->pid())) sink_.on_process_started(sink_index, *id);
  }
  return proc;
}

}  // namespace baton::runners
