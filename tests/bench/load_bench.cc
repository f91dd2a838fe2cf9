// Loader benchmark: prints, for each hostile input, the time to reject it and the extra peak
// memory (each input runs in a forked child so peaks do not mix), then the time to load and
// validate a generated 2,000-task pipeline beside two baselines measured in the same run:
// reading the file, and parsing it to a tree without decoding or validation.
//
//   build/tests/bench/load_bench            (targets: hostile < 100 ms and < 64 MiB extra;
//                                            2,000-task load+validate < 100 ms)
// Wall time is what a user waits; CPU time is printed beside it because a loaded machine
// (a parallel build) inflates wall time without saying anything about the loader.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"
#include "tests/spec/hostile_inputs.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double cpu_ms_now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

long max_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Runs fn in a child; returns {ms, extra peak KiB} through a pipe. The input is built before
// the baseline is taken, so only the loader's own memory counts.
struct Figures {
  double ms = 0;
  double cpu_ms = 0;
  long extra_kib = 0;
  bool rejected = false;
};

Figures measure_in_child(const baton::testing::HostileInput& in) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string text = in.make();
    long before = max_rss_kib();
    double cpu0 = cpu_ms_now();
    auto t = Clock::now();
    baton::spec::LoadOutput out = baton::spec::load_text(text, "hostile.yaml");
    Figures f{ms_since(t), cpu_ms_now() - cpu0, max_rss_kib() - before, !out.errors.empty()};
    ssize_t n = write(fds[1], &f, sizeof f);
    _exit(n == sizeof f ? 0 : 1);
  }
  close(fds[1]);
  Figures f;
  ssize_t n = read(fds[0], &f, sizeof f);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (n != sizeof f) f.rejected = false;
  return f;
}

std::string generated_pipeline(int tasks) {
  std::string s =
      "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: unit\nspec:\n"
      "  params:\n    - name: n\n  results:\n    - name: out\n  steps:\n"
      "    - name: run\n      image: alpine\n      script: |\n        echo $(params.n) > "
      "$(results.out.path)\n---\n"
      "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: big\nspec:\n"
      "  params:\n    - name: seed\n      default: \"1\"\n  tasks:\n";
  for (int i = 0; i < tasks; ++i) {
    std::string name = "t" + std::to_string(i);
    s += "    - name: " + name +
         "\n      taskRef:\n        name: unit\n      params:\n"
         "        - name: n\n";
    if (i == 0) {
      s += "          value: $(params.seed)\n";
    } else {
      // A wide-and-deep mix: every task depends on one of the ~50 tasks before it.
      std::string dep = "t" + std::to_string(i - 1 - (i * 7) % std::min(i, 50));
      s += "          value: $(tasks." + dep + ".results.out)\n";
      if (i % 3 == 0) s += "      runAfter: [" + dep + "]\n";
    }
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  std::printf("== hostile inputs (target: rejected in < 100 ms, < 64 MiB extra) ==\n");
  std::printf("%-30s %10s %10s %12s  %s\n", "input", "wall ms", "cpu ms", "extra MiB", "result");
  bool all_rejected = true;
  for (const auto& in : baton::testing::hostile_inputs()) {
    Figures f = measure_in_child(in);
    all_rejected = all_rejected && f.rejected;
    std::printf("%-30s %10.2f %10.2f %12.1f  %s\n", in.name.c_str(), f.ms, f.cpu_ms,
                f.extra_kib / 1024.0, f.rejected ? "rejected" : "NOT REJECTED");
  }

  const int kTasks = 2000;
  std::string text = generated_pipeline(kTasks);
  char path[] = "/tmp/baton-bench-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return 1;
  close(fd);

  std::vector<double> read_ms, tree_ms, full_ms, full_cpu_ms;
  std::size_t errors = 0;
  for (int rep = 0; rep < 15; ++rep) {
    auto t = Clock::now();
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string data = ss.str();
    read_ms.push_back(ms_since(t));

    t = Clock::now();
    auto tree = baton::spec::parse_yaml(data, path);
    tree_ms.push_back(ms_since(t));

    t = Clock::now();
    double cpu0 = cpu_ms_now();
    baton::spec::LoadOutput out = baton::spec::load_file(path);
    baton::Diagnostics d = baton::model::validate(out.objects);
    full_ms.push_back(ms_since(t));
    full_cpu_ms.push_back(cpu_ms_now() - cpu0);
    errors = out.errors.size() + d.size();
  }
  unlink(path);
  std::printf("\n== %d-task pipeline, %.2f MiB of YAML (median of 15; target < 100 ms) ==\n",
              kTasks, text.size() / 1048576.0);
  std::printf("baseline: read file              %8.2f ms\n", median(read_ms));
  std::printf("baseline: YAML tree only         %8.2f ms\n", median(tree_ms));
  std::printf("baton: load + decode + validate  %8.2f ms  (cpu %.2f ms; %zu errors)\n",
              median(full_ms), median(full_cpu_ms), errors);
  return all_rejected && errors == 0 ? 0 : 1;
}
