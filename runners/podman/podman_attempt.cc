#include "runners/podman/podman_attempt.h"

#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "runners/host/step_spec.h"
#include "runners/podman/podman_args.h"
#include "runners/podman/podman_cli.h"

namespace baton::runners {
namespace {

AttemptLimits limits_of(const PodmanRunnerOptions& o) {
  AttemptLimits l;
  l.kill_grace = o.kill_grace;
  l.max_result_bytes = o.max_result_bytes;
  l.runner_name = "podman";
  return l;
}

// Container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; TaskRun names are DNS labels already,
// generated names may not be.
std::string sanitize(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    out += ok ? c : '-';
    if (out.size() >= max) break;
  }
  return out.empty() ? "x" : out;
}

std::string random_suffix() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string out;
  for (int i = 0; i < 6; ++i) out += kAlphabet[pick(gen)];
  return out;
}

// Tekton's volumes are emptyDirs (mode 0777): a step running as another user
// (securityContext.runAsUser) must still write its results, home and step files.
void open_up(const std::string& dir) { (void)::chmod(dir.c_str(), 0777); }

}  // namespace

PodmanAttempt::PodmanAttempt(exec::TaskInvocation inv, exec::LogSink& sink,
                             std::function<void(exec::TaskOutcome)> on_done,
                             const PodmanRunnerOptions& options, std::vector<std::string> podman)
    : AttemptBase(std::move(inv), sink, std::move(on_done), limits_of(options)),
      options_(options),
      podman_(std::move(podman)) {
  prefix_ = "baton-" + sanitize(inv_.task_run_name, 40) + "-" + std::to_string(inv_.attempt) + "-" +
            random_suffix();
}

std::string PodmanAttempt::container_name(const std::string& tag) const {
  return prefix_ + "-" + tag;
}

Status PodmanAttempt::prepare() {
  for (const std::string* d : {&paths_.results, &paths_.home, &paths_.workspace}) open_up(*d);
  for (std::size_t i = 0; i < inv_.steps.size(); ++i) {
    open_up(paths_.step_dir(inv_.steps[i].name));
    if (!inv_.steps[i].result_names.empty()) open_up(paths_.step_results(inv_.steps[i].name));
    if (inv_.steps.size() > 1) open_up(paths_.run_dir(i));
  }
  return ensure_images();
}

Status PodmanAttempt::ensure_images() {
  std::set<std::pair<std::string, std::string>> checked;  // (image, policy)
  std::set<std::string> noticed;
  for (auto [list, images, kind] : {std::tuple{&inv_.steps, &step_images_, "step"},
                                    std::tuple{&inv_.sidecars, &sidecar_images_, "sidecar"}}) {
    for (const auto& s : *list) {
      const std::string who = std::string(kind) + " \"" + s.name + "\"";
      if (s.image.empty()) return Fail(who + " has no image", "TaskRunValidationFailed");
      const std::string image = map_image(options_.images, s.image);
      images->push_back(image);
      if (image != s.image && noticed.insert(s.image).second) {
        sink_.on_notice("podman runner: image \"" + s.image + "\" runs as \"" + image +
                        "\" (image map)");
      }
      const std::string policy =
          s.image_pull_policy.empty() ? options_.default_pull_policy : s.image_pull_policy;
      if (checked.insert({image, policy}).second) {
        if (auto st = ensure_image(image, policy, s.image, who); !st) return st;
      }
      if (s.command.empty() && s.script.empty() && !s.args.empty() && !image_cmds_.count(image)) {
        auto cmd = image_cmd(image);
        if (!cmd) return cmd.error();
        image_cmds_[image] = std::move(*cmd);
      }
    }
  }
  return {};
}

Status PodmanAttempt::ensure_image(const std::string& image, const std::string& policy,
                                   const std::string& written, const std::string& who) {
  if (policy != "Always" && policy != "IfNotPresent" && policy != "Never") {
    return Fail(who + ": imagePullPolicy \"" + policy + "\" is not Always, IfNotPresent or Never",
                "TaskRunValidationFailed");
  }
  const std::string named =
      "image \"" + image + "\"" + (image != written ? " (mapped from \"" + written + "\")" : "");
  auto argv = podman_;
  argv.insert(argv.end(), {"image", "exists", image});
  auto exists = run_cli(argv, std::chrono::seconds(60));
  if (!exists) return Fail("podman runner: " + exists.error().message, "InternalError");
  const bool present = exists->exit_code == 0;
  if (policy == "Never" || (policy == "IfNotPresent" && present)) {
    if (present) return {};
    return Fail(
        who + ": " + named + " is not present on this machine and its imagePullPolicy is Never",
        "TaskRunImagePullFailed");
  }
  if (!options_.allow_pull) {
    if (present && policy == "Always") return {};  // "Always" without a registry: use what is here
    return Fail(who + ": " + named +
                    " is not present on this machine and this runner does not pull images "
                    "(map it to a local image: --image-map / serve config `images`)",
                "TaskRunImagePullFailed");
  }
  sink_.on_notice("podman runner: pulling " + named);
  argv = podman_;
  // A short name means Docker Hub in Kubernetes; pulling it unqualified would depend on
  // registries.conf (and fail without a TTY under short-name enforcement).
  argv.insert(argv.end(), {"pull", "--quiet", normalize_image(image)});
  auto pulled = run_cli(argv, options_.pull_timeout);
  if (!pulled) return Fail("podman runner: " + pulled.error().message, "InternalError");
  if (pulled->exit_code == 0) return {};
  const std::string why = pulled->timed_out ? "timed out" : last_line(pulled->err);
  return Fail(who + ": " + named + (present ? "" : " is not present on this machine and") +
                  " could not be pulled: " + why,
              "TaskRunImagePullFailed");
}

std::string PodmanAttempt::mkdir_shell() {
  if (!shell_.empty()) return shell_ == "-" ? "" : shell_;
  shell_ = "-";
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"}) {
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) continue;
    if (auto st = make_dirs(paths_.bin); !st) return "";
    std::filesystem::copy_file(candidate, paths_.bin + "/busybox",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return "";
    (void)::chmod((paths_.bin + "/busybox").c_str(), 0755);
    shell_ = "/tekton/bin/busybox";
    break;
  }
  return shell_ == "-" ? "" : shell_;
}

Result<std::vector<std::string>> PodmanAttempt::image_cmd(const std::string& image) {
  auto argv = podman_;
  argv.insert(argv.end(), {"image", "inspect", "--format", "{{json .Config}}", image});
  auto r = run_cli(argv, std::chrono::seconds(60));
  if (!r) return Fail("podman runner: " + r.error().message, "InternalError");
  if (r->exit_code != 0) {
    return Fail("podman runner: inspecting image \"" + image + "\": " + last_line(r->err),
                "InternalError");
  }
  auto config = nlohmann::json::parse(r->out, nullptr, false);
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (config.is_object() && config.contains(key) && config[key].is_array()) {
      for (const auto& v : config[key])
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  };
  if (!strings("Entrypoint").empty()) return std::vector<std::string>{};
  return strings("Cmd");
}

Result<std::unique_ptr<Proc>> PodmanAttempt::start_proc(const std::vector<std::string>& argv,
                                                        std::size_t sink_index) {
  SpawnSpec spec;
  spec.argv = argv;
  spec.env = engine_environment();
  auto sp = Subprocess::spawn(spec);
  if (!sp) return Fail(argv.at(0) + ": " + sp.error().message);
  auto proc = std::make_unique<Proc>();
  proc->sink_index = sink_index;
  proc->sp = std::move(sp).value();
  return proc;
}

Result<std::unique_ptr<Proc>> PodmanAttempt::spawn(const exec::StepInvocation& s, ProcRole role,
                                                   std::size_t index, const std::string& tag,
                                                   std::size_t sink_index) {
  if (role == ProcRole::kProbe) {
    // A probe command runs in the sidecar (`podman exec`); without one, "ready" means the
    // container runs (or already ran), as a pod's unprobed container is Ready once started.
    auto argv = podman_;
    const std::string sidecar = container_name("sidecar-" + std::to_string(index));
    if (!s.ready_command.empty()) {
      argv.insert(argv.end(), {"exec", sidecar});
      argv.insert(argv.end(), s.ready_command.begin(), s.ready_command.end());
    } else {
      argv.insert(argv.end(), {"wait", "--interval", "50ms", "--condition", "running",
                               "--condition", "exited", sidecar});
    }
    auto proc = start_proc(argv, sink_index);
    if (proc) (*proc)->discard_output = true;  // probe output is not the sidecar's log
    return proc;
  }
  ContainerContext ctx;
  ctx.inv = &inv_;
  ctx.paths = &paths_;
  ctx.podman = podman_;
  ctx.name = container_name(tag);
  ctx.labels = {{kRunLabel, sanitize(inv_.run_id, 63)},
                {kTaskRunLabel, sanitize(inv_.task_run_name, 63)},
                {kAttemptLabel, std::to_string(inv_.attempt)}};
  const bool step = role == ProcRole::kStep;
  ctx.image = step ? step_images_.at(index) : sidecar_images_.at(index);
  if (auto it = image_cmds_.find(ctx.image); it != image_cmds_.end()) ctx.image_cmd = it->second;
  ctx.step_index = step ? static_cast<int>(index) : -1;
  ctx.remove = step;  // a sidecar's container stays until stop(): its probe must find it
  if (!inv_.sidecars.empty() && !(role == ProcRole::kSidecar && index == 0)) {
    ctx.network = "container:" + container_name("sidecar-0");  // one network namespace, as a pod
  }
  if (!s.script.empty()) {
    if (auto st = write_file(paths_.scripts + "/" + tag, container_script(s.script), 0755); !st)
      return st.error();
    ctx.script = "/tekton/scripts/" + tag;
  }
  const std::string wd = s.working_dir.empty() ? "/workspace" : s.working_dir;
  if (std::string host = host_dir_of(container_mounts(ctx, s), wd); !host.empty()) {
    if (auto st = make_dirs(host); !st) return st.error();
    if (host.rfind(paths_.root, 0) == 0) open_up(host);
  } else if (auto shell = mkdir_shell(); !shell.empty()) {
    ctx.mkdir_shell = shell;
  }
  auto argv = podman_run_args(ctx, s);
  if (!argv) return argv.error();
  auto proc = start_proc(*argv, sink_index);
  if (!proc) return proc;
  if (auto st = open_output_copies(s, **proc); !st) return st.error();
  names_[proc->get()] = ctx.name;
  created_.push_back(ctx.name);
  return proc;
}

void PodmanAttempt::remove_containers(const std::vector<std::string>& names, int grace_seconds) {
  if (names.empty()) return;
  auto argv = podman_;
  argv.insert(argv.end(), {"rm", "--force", "--ignore", "--time", std::to_string(grace_seconds)});
  argv.insert(argv.end(), names.begin(), names.end());
  auto r = run_cli(argv, std::chrono::seconds(grace_seconds + 60));
  if (!r || r->exit_code != 0) {
    sink_.on_notice("podman runner: removing containers failed: " +
                    (r ? last_line(r->err) : r.error().message));
  }
}

void PodmanAttempt::stop(const std::vector<Proc*>& procs) {
  // Signals to the `podman run` client do not reliably stop the container (a shell as PID 1
  // ignores SIGTERM), so the containers are removed by name first; their clients then exit.
  std::vector<std::string> names;
  for (Proc* p : procs) {
    if (auto it = names_.find(p); it != names_.end()) names.push_back(it->second);
  }
  const int grace = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(limits_.kill_grace).count());
  remove_containers(names, grace);
  // Their clients exit once the containers are gone; signal only those that do not.
  const auto deadline = SteadyClock::now() + limits_.kill_grace;
  auto all_exited = [&] {
    for (Proc* p : procs)
      if (!p->exited()) return false;
    return true;
  };
  while (!all_exited() && SteadyClock::now() < deadline) procs_.pump_once(deadline);
  AttemptBase::stop(procs);
  // A client stopped before it created its container may have created it meanwhile.
  remove_containers(names, 0);
  for (Proc* p : procs) names_.erase(p);
}

void PodmanAttempt::cleanup() {
  // Steps run with --rm and sidecars are removed by stop(); this catches whatever an error
  // path left (a client that died, an attempt that ended between create and start).
  remove_containers(created_, 0);
  created_.clear();
}

std::string PodmanAttempt::describe_exit(std::size_t i, int code) const {
  const std::string step = "\"step-" + inv_.steps[i].name + "\"";
  const std::string image = i < step_images_.size() ? step_images_[i] : inv_.steps[i].image;
  switch (code) {
    case 125:
      return step + ": podman could not run the container of image \"" + image +
             "\" (exit code 125; its error is in the step's log)";
    case 126:
      return step + ": the container of image \"" + image +
             "\" could not start its command (exit code 126; the reason is in the step's log)";
    case 127:
      return step + ": the command was not found in image \"" + image + "\" (exit code 127)";
    default:
      return "";
  }
}

}  // namespace baton::runners
