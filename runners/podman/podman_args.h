#pragma once
// The podman command lines of a TaskRun attempt: `podman run` of a step or sidecar (mounts,
// env, user, limits, entrypoint by Tekton's rules) and `podman exec` of a sidecar's probe.
// Pure functions of the invocation, so they are tested without podman.

#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/exec/runner.h"
#include "runners/host/host_paths.h"

namespace baton::runners {

/// Attempt-wide inputs of a container's command line.
struct ContainerContext {
  const exec::TaskInvocation* inv = nullptr;
  const AttemptPaths* paths = nullptr;
  /// podman and its global flags, e.g. {"podman", "--runtime", "runc"}.
  std::vector<std::string> podman;
  std::string name;  // container name
  std::vector<std::pair<std::string, std::string>> labels;
  std::string image;    // the image to run (after the image map)
  std::string network;  // "" = podman's default; "container:<name>" to join a sidecar's
  std::string script;   // path of the step's script inside the container ("" = none)
  /// The image's CMD when it has no ENTRYPOINT: Tekton runs it as the command of a step that
  /// gives only args (podman alone would exec args[0]).
  std::vector<std::string> image_cmd;
  /// A static shell inside the container ("/tekton/bin/busybox"), used to create a working
  /// directory that is on no mount; "" = leave it to podman.
  std::string mkdir_shell;
  int step_index = -1;  // the step being run (-1: sidecar)
  bool remove = true;   // --rm (steps); sidecars are removed explicitly after the last step
};

/// A bind mount of a container.
struct ContainerMount {
  std::string host, target;
  bool read_only = false;
};

/// The bind mounts of `step`, later ones replacing earlier ones on the same target.
std::vector<ContainerMount> container_mounts(const ContainerContext& ctx,
                                             const exec::StepInvocation& step);

/// The host directory behind container path `path`, or "" when it is on no mount.
std::string host_dir_of(const std::vector<ContainerMount>& mounts, const std::string& path);

/// argv of `podman run` for `step` (a step or a sidecar).
Result<std::vector<std::string>> podman_run_args(const ContainerContext& ctx,
                                                 const exec::StepInvocation& step);

/// Tekton's script rule inside a container: a script without `#!` runs under the image's
/// /bin/sh with `set -e`.
std::string container_script(const std::string& script);

/// Kubernetes quantity -> bytes ("64Mi", "1G", "500k", "1e3"); nullopt when malformed.
std::optional<long long> memory_bytes(const std::string& quantity);
/// Kubernetes CPU quantity -> cores as podman's --cpus wants it ("500m" -> "0.5").
std::optional<std::string> cpu_cores(const std::string& quantity);

}  // namespace baton::runners
