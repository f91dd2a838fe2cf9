#include "runners/podman/podman_args.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace baton::runners {
namespace {

std::optional<double> parse_number(const std::string& s, std::size_t* used) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
  *used = static_cast<std::size_t>(end - s.c_str());
  return v;
}

std::string quantity_text(const exec::Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

void put(std::vector<ContainerMount>& mounts, std::string host, std::string target, bool ro) {
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  std::erase_if(mounts, [&](const ContainerMount& m) { return m.target == target; });
  mounts.push_back({std::move(host), std::move(target), ro});
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.rfind(dir, 0) == 0 && (dir == "/" || path[dir.size()] == '/'));
}

}  // namespace

std::vector<ContainerMount> container_mounts(const ContainerContext& ctx,
                                             const exec::StepInvocation& step) {
  const exec::TaskInvocation& inv = *ctx.inv;
  const AttemptPaths& paths = *ctx.paths;
  std::vector<ContainerMount> mounts;
  put(mounts, paths.tekton, "/tekton", false);
  put(mounts, paths.workspace, "/workspace", false);
  for (const auto* list : {&inv.workspaces, &step.mounts}) {
    for (const auto& w : *list) {
      if (!w.mount_path.empty() && !w.host_path.empty())
        put(mounts, w.host_path, w.mount_path, w.read_only);
    }
  }
  if (ctx.step_index >= 0) {  // a step may write only its own /tekton/run/<i> and step dir
    for (std::size_t j = 0; j < inv.steps.size(); ++j) {
      if (static_cast<int>(j) == ctx.step_index) continue;
      if (inv.steps.size() > 1)
        put(mounts, paths.run_dir(j), "/tekton/run/" + std::to_string(j), true);
      put(mounts, paths.step_dir(inv.steps[j].name), "/tekton/steps/step-" + inv.steps[j].name,
          true);
    }
  }
  return mounts;
}

std::string host_dir_of(const std::vector<ContainerMount>& mounts, const std::string& path) {
  const ContainerMount* best = nullptr;
  for (const auto& m : mounts) {
    if (under(path, m.target) && (!best || m.target.size() > best->target.size())) best = &m;
  }
  if (!best) return "";
  return best->host + path.substr(best->target.size());
}

std::optional<long long> memory_bytes(const std::string& q) {
  std::size_t used = 0;
  auto v = parse_number(q, &used);
  if (!v) return std::nullopt;
  const std::string suffix = q.substr(used);
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},           {"k", 1e3},           {"M", 1e6},
      {"G", 1e9},        {"T", 1e12},          {"Ki", 1024.0},
      {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}};
  for (const auto& [unit, factor] : kUnits) {
    if (suffix == unit) return static_cast<long long>(std::ceil(*v * factor));
  }
  return std::nullopt;
}

std::optional<std::string> cpu_cores(const std::string& q) {
  std::size_t used = 0;
  auto v = parse_number(q, &used);
  if (!v) return std::nullopt;
  const std::string suffix = q.substr(used);
  double cores = *v;
  if (suffix == "m")
    cores /= 1000.0;
  else if (!suffix.empty())
    return std::nullopt;
  if (cores <= 0) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", cores);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string container_script(const std::string& script) {
  if (script.rfind("#!", 0) == 0) return script;
  return "#!/bin/sh\nset -e\n" + script;
}

Result<std::vector<std::string>> podman_run_args(const ContainerContext& ctx,
                                                 const exec::StepInvocation& step) {
  const exec::TaskInvocation& inv = *ctx.inv;
  std::vector<std::string> a = ctx.podman;
  // --sig-proxy=false: the runner stops containers by name (`podman rm -f`), not by
  // signalling the client, which would only race with that.
  a.insert(a.end(), {"run", "--name", ctx.name, "--pull", "never", "--sig-proxy=false"});
  if (ctx.remove) a.push_back("--rm");
  for (const auto& [k, v] : ctx.labels) a.insert(a.end(), {"--label", k + "=" + v});
  if (!ctx.network.empty()) a.insert(a.end(), {"--network", ctx.network});

  // The same view of the attempt as on the host runner (runners/host/README.md). A later
  // mount on the same path replaces an earlier one: a step's volumeMount at /workspace hides
  // the attempt's /workspace, as in a pod.
  std::vector<ContainerMount> mounts = container_mounts(ctx, step);
  for (const auto& m : mounts) {
    a.push_back("--volume");
    a.push_back(m.host + ":" + m.target + (m.read_only ? ":ro" : ""));
  }

  // Environment: HOME, the step's env in order, then the invocation's (TRACEPARENT...). The
  // image's own env (PATH...) stays unless overridden, as in a pod.
  a.insert(a.end(), {"--env", "HOME=/tekton/home"});
  for (const auto* list : {&step.env, &inv.extra_env}) {
    for (const auto& [k, v] : *list) a.insert(a.end(), {"--env", k + "=" + v});
  }
  // A working directory on a mount is created on the host by the attempt; one elsewhere in
  // the image's tree would make podman fail ("workdir does not exist"), while Kubernetes'
  // runtimes create it. A static shell from the attempt (ctx.mkdir_shell) creates it then.
  const std::string wd = step.working_dir.empty() ? "/workspace" : step.working_dir;
  std::vector<std::string> command;  // what runs, when the runner decides it
  if (!ctx.script.empty())
    command = {ctx.script};
  else if (!step.command.empty())
    command = step.command;
  else if (!step.args.empty() && !ctx.image_cmd.empty())
    command = ctx.image_cmd;
  const bool wrap = !ctx.mkdir_shell.empty() && host_dir_of(mounts, wd).empty() && !command.empty();
  a.insert(a.end(), {"--workdir", wrap ? "/" : wd});

  // securityContext: the container's wins over the pod template's.
  exec::Json pod_sc = inv.pod_template.is_object()
                          ? inv.pod_template.value("securityContext", exec::Json::object())
                          : exec::Json::object();
  const exec::Json& sc =
      step.security_context.is_object() ? step.security_context : exec::Json::object();
  auto sc_value = [&](const char* key) -> exec::Json {
    if (sc.contains(key)) return sc[key];
    if (pod_sc.is_object() && pod_sc.contains(key)) return pod_sc[key];
    return nullptr;
  };
  const exec::Json user = sc_value("runAsUser"), group = sc_value("runAsGroup");
  if (user.is_number_integer()) {
    std::string u = std::to_string(user.get<long long>());
    if (group.is_number_integer()) u += ":" + std::to_string(group.get<long long>());
    a.insert(a.end(), {"--user", u});
  } else if (!user.is_null()) {
    return Fail("securityContext.runAsUser must be an integer");
  }
  if (sc.value("privileged", false)) a.push_back("--privileged");
  if (sc.value("readOnlyRootFilesystem", false)) a.push_back("--read-only");
  if (sc.contains("capabilities") && sc["capabilities"].is_object()) {
    for (const auto& [field, flag] : {std::pair{"add", "--cap-add"}, {"drop", "--cap-drop"}}) {
      for (const auto& c : sc["capabilities"].value(field, exec::Json::array())) {
        if (c.is_string()) a.insert(a.end(), {flag, c.get<std::string>()});
      }
    }
  }

  // computeResources.limits (requests only matter to a scheduler of many machines).
  if (step.compute_resources.is_object() && step.compute_resources.contains("limits")) {
    const exec::Json& limits = step.compute_resources["limits"];
    if (limits.contains("memory")) {
      auto bytes = memory_bytes(quantity_text(limits["memory"]));
      if (!bytes)
        return Fail("computeResources.limits.memory: not a quantity: " + limits["memory"].dump());
      a.insert(a.end(), {"--memory", std::to_string(*bytes)});
    }
    if (limits.contains("cpu")) {
      auto cores = cpu_cores(quantity_text(limits["cpu"]));
      if (!cores)
        return Fail("computeResources.limits.cpu: not a quantity: " + limits["cpu"].dump());
      a.insert(a.end(), {"--cpus", *cores});
    }
  }

  // Entrypoint (Tekton): script > command (replaces the image's ENTRYPOINT and CMD) > args
  // only (the image's ENTRYPOINT, or its CMD when it has none, with these args) > neither
  // (the image's own ENTRYPOINT and CMD).
  if (wrap) {
    command.insert(command.begin(), {ctx.mkdir_shell, "sh", "-c",
                                     "mkdir -p \"$0\" && cd \"$0\" && exec \"$@\"", wd});
  }
  if (!command.empty()) {
    a.insert(a.end(), {"--entrypoint", nlohmann::json(command).dump(), ctx.image});
  } else {
    a.push_back(ctx.image);
  }
  a.insert(a.end(), step.args.begin(), step.args.end());
  return a;
}

}  // namespace baton::runners
