#include "engine/cmd/options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "engine/exec/runner.h"

namespace baton::cmd {

std::string baton_home() {
  if (const char* h = std::getenv("BATON_HOME"); h && *h) return h;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.baton";
}

namespace {
bool split_kv(const std::string& s, std::pair<std::string, std::string>& out) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  out = {s.substr(0, eq), s.substr(eq + 1)};
  return true;
}
}  // namespace

int parse_run_options(const std::vector<std::string>& args, const char* help, RunOptions& out) {
  out.home = baton_home();
  auto usage = [&](const std::string& msg) {
    std::fprintf(stderr, "baton run: %s\n\n%s", msg.c_str(), help);
    return 2;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& v) {
      auto eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        v = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    auto is = [&](const char* s, const char* l) {
      return a == s || a == l || (a.rfind(std::string(l) + "=", 0) == 0);
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::fputs(help, stdout);
      return 0;
    } else if (is("-p", "--param")) {
      std::pair<std::string, std::string> kv;
      if (!value(v) || !split_kv(v, kv)) return usage("--param needs NAME=VALUE");
      out.params.push_back(kv);
    } else if (is("-w", "--workspace")) {
      std::pair<std::string, std::string> kv;
      if (!value(v) || !split_kv(v, kv)) return usage("--workspace needs NAME=DIR");
      out.workspaces[kv.first] = std::filesystem::absolute(kv.second).string();
    } else if (is("-o", "--output")) {
      if (!value(v) || (v != "yaml" && v != "json")) return usage("--output must be yaml or json");
      out.output_format = v;
    } else if (is("--catalog", "--catalog")) {
      if (!value(v)) return usage("--catalog needs a directory");
      out.catalogs.push_back(v);
    } else if (is("--store", "--store")) {
      if (!value(v)) return usage("--store needs a path");
      out.store_path = v;
    } else if (is("--parallel", "--parallel")) {
      if (!value(v)) return usage("--parallel needs a number");
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || n < 1 || n > 10000) return usage("--parallel must be 1..10000");
      out.parallel = static_cast<std::size_t>(n);
    } else if (is("--cancel-mode", "--cancel-mode")) {
      if (!value(v)) return usage("--cancel-mode needs a mode");
      if (v == "Cancelled")
        out.cancel_mode = sched::StopRequest::kCancelled;
      else if (v == "CancelledRunFinally")
        out.cancel_mode = sched::StopRequest::kCancelledRunFinally;
      else if (v == "StoppedRunFinally")
        out.cancel_mode = sched::StopRequest::kStoppedRunFinally;
      else
        return usage("--cancel-mode must be Cancelled, CancelledRunFinally or StoppedRunFinally");
    } else if (is("--runner", "--runner")) {
      if (!value(v)) return usage("--runner needs a name (" + exec::known_runner_list() + ")");
      const auto& known = exec::known_runner_names();
      if (std::find(known.begin(), known.end(), v) == known.end())
        return usage("unknown runner \"" + v + "\"; this build has: " + exec::known_runner_list());
      out.runner = v;
    } else if (is("--image-map", "--image-map")) {
      if (!value(v)) return usage("--image-map needs a file");
      out.image_map_file = std::filesystem::absolute(v).string();
    } else if (is("--kubeconfig", "--kubeconfig")) {
      if (!value(v)) return usage("--kubeconfig needs a file");
      out.kubeconfig = std::filesystem::absolute(v).string();
    } else if (is("--kube-context", "--kube-context")) {
      if (!value(v)) return usage("--kube-context needs a context name");
      out.kube_context = v;
    } else if (is("--kube-namespace", "--kube-namespace")) {
      if (!value(v)) return usage("--kube-namespace needs a namespace");
      out.kube_namespace = v;
    } else if (a == "--kube-keep-pods") {
      out.kube_keep_pods = true;
    } else if (a == "-q" || a == "--quiet") {
      out.quiet = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage("unknown option " + a);
    } else {
      out.files.push_back(a);
    }
  }
  if (out.files.empty()) return usage("no files given");
  if (out.store_path.empty()) out.store_path = out.home + "/baton.db";
  if (out.parallel == 0) {
    unsigned n = std::thread::hardware_concurrency();
    out.parallel = n == 0 ? 2 : n;
  }
  // The default catalog: tasks/ next to the executable's source tree or install prefix.
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len > 0) {
    self[len] = '\0';
    std::filesystem::path p(self);
    for (auto dir :
         {p.parent_path() / "../share/baton/tasks", p.parent_path() / "../../../tasks"}) {
      std::error_code ec;
      if (std::filesystem::is_directory(dir, ec))
        out.catalogs.push_back(std::filesystem::canonical(dir, ec).string());
    }
  }
  return -1;
}

}  // namespace baton::cmd
