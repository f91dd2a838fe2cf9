#pragma once
// Helpers of the podman tests: the locally built base image (made once, from this machine's
// files, never pulled) and the containers a run left behind.

#include <string>
#include <vector>

namespace baton::runners::testing {

/// busybox-static + bash, CMD ["/bin/sh"], no ENTRYPOINT.
inline constexpr const char* kBaseImage = "localhost/baton-test-base:latest";
/// The same files with ENTRYPOINT ["/bin/echo", "entrypoint:"].
inline constexpr const char* kEntrypointImage = "localhost/baton-test-entrypoint:latest";

/// Builds both images unless present; "" on success, else what went wrong.
std::string ensure_test_images();

/// Names of the containers (running or not) labelled baton.dev/run=<run_id>.
std::vector<std::string> containers_of_run(const std::string& run_id);

/// Every container of any Baton run (`podman ps -a --filter label=baton.dev/run`): on CI the
/// same as `podman ps -a`; on a shared machine other people's containers are not ours to count.
std::vector<std::string> baton_containers();

}  // namespace baton::runners::testing
