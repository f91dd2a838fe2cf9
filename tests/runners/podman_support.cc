#include "tests/runners/podman_support.h"

#include <sstream>

#include "runners/podman/podman_cli.h"

namespace baton::runners::testing {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::vector<std::string> ps(const std::vector<std::string>& filter) {
  std::vector<std::string> argv{"podman", "ps", "-a", "--format", "{{.Names}}"};
  argv.insert(argv.end(), filter.begin(), filter.end());
  auto r = run_cli(argv);
  if (!r || r->exit_code != 0) return {"<podman ps failed>"};
  return lines(r->out);
}

}  // namespace

std::string ensure_test_images() {
  bool present = true;
  for (const char* image : {kBaseImage, kEntrypointImage}) {
    auto r = run_cli({"podman", "image", "exists", image});
    present = present && r && r->exit_code == 0;
  }
  if (present) return "";
  auto r = run_cli(
      {"bash", BATON_SOURCE_DIR "/tests/runners/make_podman_base.sh", kBaseImage, kEntrypointImage},
      std::chrono::seconds(120));
  if (!r) return r.error().message;
  if (r->exit_code != 0) return "make_podman_base.sh failed: " + r->out + r->err;
  return "";
}

std::vector<std::string> containers_of_run(const std::string& run_id) {
  return ps({"--filter", "label=baton.dev/run=" + run_id});
}

std::vector<std::string> baton_containers() { return ps({"--filter", "label=baton.dev/run"}); }

}  // namespace baton::runners::testing
