#include "runners/kubernetes/pod_spec.h"

#include <cstdint>
#include <map>
#include <set>

namespace baton::runners::kube {

namespace {

constexpr const char* kScriptsVolume = "tekton-internal-scripts";
constexpr const char* kPrepare = "prepare";
constexpr const char* kCollector = "results";

// Volumes every container of the pod sees at Tekton's paths.
const std::pair<const char*, const char*> kInternal[] = {
    {"tekton-internal-results", "/tekton/results"},
    {"tekton-internal-home", "/tekton/home"},
    {"tekton-internal-steps", "/tekton/steps"},
};

bool valid_label(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() > 63 || !std::isalnum(static_cast<unsigned char>(s.front())) ||
      !std::isalnum(static_cast<unsigned char>(s.back())))
    return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

std::string hex8(const std::string& s) {
  std::uint32_t h = 2166136261u;  // FNV-1a: stable across builds, unlike std::hash
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  static const char* d = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, h >>= 4) out[i] = d[h & 15];
  return out;
}

// Container names are DNS labels: lowercase alphanumerics and '-', at most 63.
std::string dns_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  if (out.size() > 63 || out != s) {
    if (out.size() > 54) out.resize(54);
    while (!out.empty() && out.back() == '-') out.pop_back();
    if (out != s) out += "-" + hex8(s);
  }
  return out;
}

std::string quote(const std::string& s) {  // single-quoted for sh
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string script_text(const std::string& script) {
  // Tekton's shebang rule: a script without `#!` runs under /bin/sh with `set -e`.
  if (script.rfind("#!", 0) == 0) return script;
  return "#!/bin/sh\nset -e\n" + script;
}

bool needs_exit_code(const exec::StepInvocation& s) {
  return s.on_error == "continue" && (!s.script.empty() || !s.command.empty());
}

bool needs_prepare(const exec::TaskInvocation& inv) {
  for (const auto& s : inv.steps) {
    if (!s.result_names.empty() || needs_exit_code(s)) return true;
  }
  return false;
}

Json env_of(const exec::TaskInvocation& inv, const exec::StepInvocation& s) {
  Json env = Json::array();
  std::set<std::string> seen;
  auto add = [&](const std::string& n, const std::string& v) {
    if (!seen.insert(n).second) {  // a later value wins, as in a container's env list
      for (auto& e : env)
        if (e["name"] == n) e["value"] = v;
      return;
    }
    env.push_back({{"name", n}, {"value", v}});
  };
  if (inv.pod_template.is_object() && inv.pod_template.contains("env")) {
    for (const auto& e : inv.pod_template["env"])
      if (e.contains("name") && e.contains("value")) add(e["name"], e["value"]);
  }
  for (const auto& [n, v] : inv.extra_env) add(n, v);
  for (const auto& [n, v] : s.env) add(n, v);
  return env;
}

Json mounts_of(const exec::TaskInvocation& inv, const exec::StepInvocation& s, bool scripts) {
  Json m = Json::array();
  std::set<std::string> paths;
  auto add = [&](const std::string& vol, const std::string& path, bool ro, const std::string& sub) {
    if (path.empty() || !paths.insert(path).second) return;  // one mount per path
    Json j = {{"name", vol}, {"mountPath", path}};
    if (ro) j["readOnly"] = true;
    if (!sub.empty()) j["subPath"] = sub;
    m.push_back(std::move(j));
  };
  for (const auto& [vol, path] : kInternal) add(vol, path, false, "");
  if (scripts) add(kScriptsVolume, "/tekton/scripts", true, "");
  for (const auto* list : {&inv.workspaces, &s.mounts}) {
    for (const auto& w : *list) {
      auto it = inv.pod_volumes.find(exec::pod_volume_key(w));
      if (it == inv.pod_volumes.end()) continue;  // not built by the engine: no pod volume
      add(it->second.volume, w.mount_path, w.read_only, it->second.sub_path);
    }
  }
  return m;
}

// The container of a step or sidecar; `script_file` is where its script is projected.
Json container_of(const exec::TaskInvocation& inv, const exec::StepInvocation& s,
                  const std::string& name, const std::string& script_file, bool scripts) {
  Json c = {{"name", name}, {"image", s.image.empty() ? "scratch" : s.image}};
  std::vector<std::string> command = s.command, args = s.args;
  if (!s.script.empty()) command = {script_file};
  if (needs_exit_code(s)) {
    // onError: continue must not fail the pod: a shell records the exit code and exits 0.
    std::string dir = "/tekton/steps/step-" + s.name;
    std::vector<std::string> argv = command;
    argv.insert(argv.end(), args.begin(), args.end());
    command = {"/bin/sh", "-c",
               "\"$@\"; code=$?; mkdir -p " + quote(dir) + " && printf %s \"$code\" > " +
                   quote(dir + "/exitCode") + "; exit 0",
               "sh"};
    command.insert(command.end(), argv.begin(), argv.end());
    args.clear();
  }
  if (!s.image_pull_policy.empty()) c["imagePullPolicy"] = s.image_pull_policy;
  if (!command.empty()) c["command"] = command;
  if (!args.empty()) c["args"] = args;
  if (!s.working_dir.empty()) c["workingDir"] = s.working_dir;
  if (Json env = env_of(inv, s); !env.empty()) c["env"] = env;
  if (s.compute_resources.is_object() && !s.compute_resources.empty())
    c["resources"] = s.compute_resources;
  if (s.security_context.is_object() && !s.security_context.empty())
    c["securityContext"] = s.security_context;
  c["volumeMounts"] = mounts_of(inv, s, scripts);
  return c;
}

std::string collector_script(const exec::TaskInvocation& inv) {
  // Framed, so results are read back byte for byte: "baton-result KIND NAME LEN\n<bytes>\n".
  std::string sh =
      "emit() { [ -f \"$3\" ] || return 0; printf 'baton-result %s %s %s\\n' \"$1\" \"$2\" "
      "`wc -c < \"$3\"`; cat \"$3\"; echo; }\n";
  for (const auto& r : inv.result_names)
    sh += "emit result " + quote(r) + " " + quote("/tekton/results/" + r) + "\n";
  for (const auto& s : inv.steps) {
    std::string dir = "/tekton/steps/step-" + s.name;
    for (const auto& r : s.result_names)
      sh +=
          "emit step-result " + quote(s.name + "/" + r) + " " + quote(dir + "/results/" + r) + "\n";
    if (needs_exit_code(s))
      sh += "emit exit-code " + quote(s.name) + " " + quote(dir + "/exitCode") + "\n";
  }
  return sh + "exit 0\n";
}

const char* kPodTemplateFields[] = {
    "nodeSelector",      "tolerations",      "affinity",
    "securityContext",   "runtimeClassName", "automountServiceAccountToken",
    "dnsPolicy",         "dnsConfig",        "enableServiceLinks",
    "priorityClassName", "schedulerName",    "imagePullSecrets",
    "hostAliases",       "hostNetwork",      "topologySpreadConstraints",
};

// Workspace bindings keep what the author wrote; Kubernetes' volume sources have fixed fields
// (Tekton's typed structs drop the rest, e.g. a `namespace` under configMap).
Json typed_source(const Json& source) {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"configMap", {"name", "items", "defaultMode", "optional"}},
      {"secret", {"secretName", "items", "defaultMode", "optional"}},
      {"persistentVolumeClaim", {"claimName", "readOnly"}},
  };
  Json out = source;
  for (auto& [kind, value] : out.items()) {
    auto f = kFields.find(kind);
    if (f == kFields.end() || !value.is_object()) continue;
    for (auto it = value.begin(); it != value.end();) {
      it = f->second.count(it.key()) ? std::next(it) : value.erase(it);
    }
  }
  return out;
}

}  // namespace

std::string step_container(const exec::TaskInvocation& inv, std::size_t i) {
  return dns_label("step-" + inv.steps[i].name);
}

std::string sidecar_container(const exec::TaskInvocation& inv, std::size_t i) {
  return dns_label("sidecar-" + inv.sidecars[i].name);
}

bool last_step_is_main(const exec::TaskInvocation& inv) {
  if (inv.steps.empty() || !inv.result_names.empty()) return false;
  for (const auto& s : inv.steps) {
    if (!s.result_names.empty() || needs_exit_code(s)) return false;
  }
  return true;
}

std::string collector_container(const exec::TaskInvocation& inv) {
  return last_step_is_main(inv) ? "" : kCollector;
}

std::string label_value(const std::string& s) {
  if (valid_label(s)) return s;
  std::string out = dns_label(s);
  if (out.size() > 63) out.resize(63);
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

std::string pod_name(const exec::TaskInvocation& inv) {
  std::string suffix = inv.attempt > 0 ? "-pod-retry" + std::to_string(inv.attempt) : "-pod";
  std::string base = inv.task_run_name;
  for (char& c : base) {
    unsigned char u = static_cast<unsigned char>(c);
    c = std::isalnum(u) || c == '-' || c == '.' ? static_cast<char>(std::tolower(u)) : '-';
  }
  if (base.size() + suffix.size() > 253) base = base.substr(0, 240 - suffix.size()) + hex8(base);
  return base + suffix;
}

std::string task_run_selector(const exec::TaskInvocation& inv) {
  return std::string(kRunLabel) + "=" + label_value(inv.run_id) + "," + kTaskRunLabel + "=" +
         label_value(inv.task_run_name);
}

std::string label_selector(const exec::TaskInvocation& inv) {
  return task_run_selector(inv) + "," + kAttemptLabel + "=" + std::to_string(inv.attempt);
}

Json make_pod(const exec::TaskInvocation& inv, const PodOptions& options) {
  std::string ns = options.namespace_.empty() ? inv.namespace_ : options.namespace_;
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  Json annotations = {{"baton.dev/task-run-name", inv.task_run_name},
                      {"baton.dev/run-id", inv.run_id}};
  Json spec = {{"restartPolicy", "Never"}};
  Json init = Json::array(), main = Json::array();

  // Scripts are projected from annotations by a downwardAPI volume: no shell image needed to
  // write them, and annotations are not subject to the kubelet's $(VAR) expansion.
  Json script_items = Json::array();
  auto script_for = [&](const exec::StepInvocation& s, const std::string& key) {
    if (s.script.empty()) return std::string();
    annotations["baton.dev/script-" + key] = script_text(s.script);
    script_items.push_back(
        {{"path", key},
         {"mode", 0755},
         {"fieldRef", {{"fieldPath", "metadata.annotations['baton.dev/script-" + key + "']"}}}});
    return "/tekton/scripts/" + key;
  };
  std::vector<std::string> step_files, sidecar_files;
  for (std::size_t i = 0; i < inv.steps.size(); ++i)
    step_files.push_back(script_for(inv.steps[i], "step-" + std::to_string(i)));
  for (std::size_t i = 0; i < inv.sidecars.size(); ++i)
    sidecar_files.push_back(script_for(inv.sidecars[i], "sidecar-" + std::to_string(i)));
  bool scripts = !script_items.empty();

  if (needs_prepare(inv)) {
    std::string sh = "mkdir -p";
    for (const auto& s : inv.steps) sh += " " + quote("/tekton/steps/step-" + s.name + "/results");
    sh += " && chmod -R 777 /tekton/steps";  // steps may run as any user
    exec::StepInvocation p;
    p.image = options.shell_image;
    p.command = {"/bin/sh", "-c", sh};
    init.push_back(container_of(inv, p, kPrepare, "", false));
  }
  for (std::size_t i = 0; i < inv.sidecars.size(); ++i) {
    const auto& s = inv.sidecars[i];
    Json c = container_of(inv, s, sidecar_container(inv, i), sidecar_files[i], scripts);
    c["restartPolicy"] = "Always";  // a native sidecar: runs beside the steps, stopped after
    if (!s.ready_command.empty()) {
      // Later init containers (the steps) start once the startup probe passes.
      int period = 1;
      int tries = static_cast<int>(std::max<long long>(1, s.ready_timeout.count() / 1000));
      c["startupProbe"] = {{"exec", {{"command", s.ready_command}}},
                           {"periodSeconds", period},
                           {"failureThreshold", tries}};
    }
    init.push_back(std::move(c));
  }
  bool main_step = last_step_is_main(inv);
  for (std::size_t i = 0; i < inv.steps.size(); ++i) {
    Json c = container_of(inv, inv.steps[i], step_container(inv, i), step_files[i], scripts);
    (main_step && i + 1 == inv.steps.size() ? main : init).push_back(std::move(c));
  }
  if (!main_step) {
    exec::StepInvocation col;
    col.image = options.shell_image;
    col.command = {"/bin/sh", "-c", collector_script(inv)};
    main.push_back(container_of(inv, col, kCollector, "", false));
  }
  if (!init.empty()) spec["initContainers"] = init;
  spec["containers"] = main;

  Json volumes = Json::array();
  std::set<std::string> names;
  auto add_volume = [&](const std::string& name, Json source) {
    if (name.empty() || !names.insert(name).second) return;
    source["name"] = name;
    volumes.push_back(std::move(source));
  };
  for (const auto& [vol, path] : kInternal) add_volume(vol, {{"emptyDir", Json::object()}});
  if (scripts) add_volume(kScriptsVolume, {{"downwardAPI", {{"items", script_items}}}});
  for (const auto& w : inv.workspaces) {
    auto it = inv.pod_volumes.find(exec::pod_volume_key(w));
    if (it != inv.pod_volumes.end() && it->second.source.is_object())
      add_volume(it->second.volume, typed_source(it->second.source));
  }
  if (inv.volumes.is_array()) {
    for (const auto& v : inv.volumes) {
      Json src = v;
      std::string n = src.value("name", "");
      src.erase("name");
      add_volume(n, src);
    }
  }
  spec["volumes"] = volumes;

  if (!inv.service_account_name.empty()) spec["serviceAccountName"] = inv.service_account_name;
  if (inv.timeout) {
    // The engine deletes the pod on timeout; the deadline also holds if the engine is gone.
    long long secs = (inv.timeout->count() + 999) / 1000;
    spec["activeDeadlineSeconds"] = std::max(1LL, secs);
  }
  if (inv.pod_template.is_object()) {
    for (const char* f : kPodTemplateFields) {
      if (inv.pod_template.contains(f)) spec[f] = inv.pod_template[f];
    }
  }
  pod["metadata"] = {{"name", pod_name(inv)},
                     {"namespace", ns},
                     {"labels",
                      {{kRunLabel, label_value(inv.run_id)},
                       {kTaskRunLabel, label_value(inv.task_run_name)},
                       {kAttemptLabel, std::to_string(inv.attempt)},
                       {"app.kubernetes.io/managed-by", "baton"}}},
                     {"annotations", annotations}};
  pod["spec"] = spec;
  return pod;
}

}  // namespace baton::runners::kube
