#include "runners/host/step_spec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "runners/host/unique_fd.h"

namespace baton::runners {
namespace {

// Tekton prepends "#!/bin/sh\nset -e\n" to scripts without a shebang. Many examples assume
// the image's sh is bash or busybox ([[ ]], ==), so the host runner uses bash instead.
constexpr std::string_view kScriptPrelude = "#!/bin/bash\nset -e\n";

// Later entries override earlier ones, keeping the first position (like a shell export).
void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& key,
             const std::string& value) {
  for (auto& kv : env) {
    if (kv.first == key) {
      kv.second = value;
      return;
    }
  }
  env.emplace_back(key, value);
}

}  // namespace

std::string builtin_task_name(const std::string& image) {
  constexpr std::string_view kPrefix = "baton.dev/builtin/";
  if (image.rfind(kPrefix, 0) != 0) return {};
  std::string name = image.substr(kPrefix.size());
  // A tag or digest on the reserved image means nothing: the built-in is this binary's.
  if (auto at = name.find_first_of(":@"); at != std::string::npos) name.resize(at);
  return name;
}

Result<std::string> self_executable() {
  // BATON_EXE lets a test or a wrapper name the binary that hosts the built-ins when the
  // runner lives in another process (a test binary linking the host runner).
  if (const char* env = std::getenv("BATON_EXE"); env && *env) return std::string(env);
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0)
    return Fail(std::string("cannot find the baton binary (/proc/self/exe): ") +
                std::strerror(errno));
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

Status write_file(const std::string& path, std::string_view bytes, int mode) {
  // O_CLOEXEC matters: a script file still open for writing in a child forked by another
  // thread makes its exec fail with ETXTBSY.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return Fail("open " + path + ": " + std::strerror(errno));
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail("write " + path + ": " + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    return Fail("chmod " + path + ": " + std::strerror(errno));
  }
  return {};
}

namespace {
// Images' busybox `ash` has no host equivalent here: bash runs those scripts, as it runs
// scripts without a shebang. Other interpreters are used as written.
std::string host_shebang(const std::string& script) {
  const std::size_t eol = script.find('\n');
  const std::string line = script.substr(0, eol);
  for (std::string_view ash : {"#!/bin/ash", "#!/usr/bin/env ash", "#!/bin/busybox sh"}) {
    if (line == ash || line.rfind(std::string(ash) + " ", 0) == 0) {
      return "#!/bin/bash" + (eol == std::string::npos ? std::string("\n") : script.substr(eol));
    }
  }
  return script;
}
}  // namespace

Result<SpawnSpec> build_spawn_spec(const StepContext& ctx, const exec::StepInvocation& step,
                                   const std::string& tag) {
  const AttemptPaths& paths = *ctx.paths;
  const exec::TaskInvocation& inv = *ctx.inv;
  SpawnSpec spec;
  if (auto name = builtin_task_name(step.image); !name.empty()) {
    // A native task: the baton binary runs it (docs/design/builtin-tasks.md).
    if (!step.script.empty() || !step.command.empty()) {
      return Fail("step \"" + step.name + "\" uses the built-in image " + step.image +
                  ": give only args (the built-in is the command)");
    }
    auto exe = self_executable();
    if (!exe) return exe.error();
    spec.argv = {*exe, "builtin", name};
    spec.argv.insert(spec.argv.end(), step.args.begin(), step.args.end());
  } else if (!step.script.empty()) {
    const std::string file = paths.scripts + "/" + tag;
    std::string body = step.script.rfind("#!", 0) == 0 ? host_shebang(step.script)
                                                       : std::string(kScriptPrelude) + step.script;
    if (auto s = write_file(file, body, 0755); !s) return s.error();
    spec.argv.push_back(file);
    spec.argv.insert(spec.argv.end(), step.args.begin(), step.args.end());
  } else if (!step.command.empty()) {
    spec.argv = step.command;
    spec.argv.insert(spec.argv.end(), step.args.begin(), step.args.end());
  } else if (!step.args.empty()) {
    // No command: the image's entrypoint would run. Most images have none (args are the
    // command); the bash image's entrypoint prefixes bash when args start with an option.
    if (step.args[0].rfind('-', 0) == 0) spec.argv.push_back("bash");
    spec.argv.insert(spec.argv.end(), step.args.begin(), step.args.end());
  } else {
    return Fail("step \"" + step.name + "\" has no command, args or script to run on the host");
  }

  const bool ns = ctx.mount_namespace;
  std::vector<std::pair<std::string, std::string>> env;
  set_env(env, "PATH", ctx.path_env);
  set_env(env, "HOME", ns ? "/tekton/home" : paths.home);
  for (const auto& [k, v] : step.env) set_env(env, k, v);
  for (const auto& [k, v] : inv.extra_env) set_env(env, k, v);
  for (auto& [k, v] : env) spec.env.push_back(k + "=" + v);

  const std::string wd = step.working_dir.empty() ? "/workspace" : step.working_dir;
  spec.cwd = ns ? wd : to_host_path(paths, inv.workspaces, wd);
  // Tekton's working-dir initializer creates working directories under /workspace only.
  // Container runtimes create a missing working directory; so does the host runner.
  spec.create_cwd = true;
  spec.mount_namespace = ns;
  if (ns) {
    spec.mounts.push_back({paths.tekton, "/tekton", false});
    spec.mounts.push_back({paths.workspace, "/workspace", false});
    for (const auto& w : inv.workspaces) {
      if (!w.mount_path.empty() && !w.host_path.empty()) {
        spec.mounts.push_back({w.host_path, w.mount_path, w.read_only});
      }
    }
    for (const auto& w : step.mounts) {
      if (!w.mount_path.empty() && !w.host_path.empty()) {
        spec.mounts.push_back({w.host_path, w.mount_path, w.read_only});
      }
    }
    // As in Tekton, a step may write only its own /tekton/run/<i>; the others are read-only.
    if (ctx.step_index >= 0) {
      for (std::size_t j = 0; j < inv.steps.size(); ++j) {
        if (static_cast<int>(j) == ctx.step_index) continue;
        spec.mounts.push_back({paths.run_dir(j), "/tekton/run/" + std::to_string(j), true});
        spec.mounts.push_back(
            {paths.step_dir(inv.steps[j].name), "/tekton/steps/step-" + inv.steps[j].name, true});
      }
    }
  }
  return spec;
}

}  // namespace baton::runners
