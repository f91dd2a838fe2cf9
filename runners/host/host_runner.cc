#include "runners/host/host_runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "runners/host/attempt.h"
#include "runners/host/subprocess.h"

namespace baton::runners {
namespace {

constexpr const char* kStandardPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The mount points must exist on the host root before a namespace can bind over them.
bool make_mount_points() {
  for (const char* dir : {"/tekton", "/workspace"}) {
    if (::mkdir(dir, 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

}  // namespace

HostRunner::HostRunner(HostRunnerOptions options) : options_(std::move(options)) {
  if (options_.path_env.empty()) {
    const char* path = std::getenv("PATH");
    options_.path_env = path && *path ? path : kStandardPath;
  }
  namespaces_ =
      options_.use_mount_namespace && make_mount_points() && Subprocess::mount_namespace_works();
}

HostRunner::~HostRunner() = default;
std::unique_ptr<exec::Execution> HostRunner::start(const exec::TaskInvocation& inv,
                                                   exec::LogSink& sink,
                                                   std::function<void(exec::TaskOutcome)> on_done) {
  return pool_.launch(
      std::make_shared<Attempt>(inv, sink, std::move(on_done), options_, namespaces_), "host");
}

}  // namespace baton::runners
