// Prints, one JSON line each, the Pod the Kubernetes runner would create for every TaskRun the
// corpus produces, through the engine's real path: load -> plan -> Scheduler -> build_invocation
// -> runner.start(). Every Task of a file that no run refers to gets a TaskRun of its own
// (required params "x", workspaces emptyDir). Lines: {"file", "taskRun", "pod"} or
// {"file", "error"} (a run that could not be planned). Used by pod_schema_test.py.
//
// usage: kube_pod_dump CORPUS_DIR [FILE...]   (default: every tekton-examples/tekton-catalog file)

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include "engine/resolve/resolver.h"
#include "engine/sched/scheduler.h"
#include "engine/spec/loader.h"
#include "runners/kubernetes/pod_spec.h"

namespace fs = std::filesystem;
using namespace baton;

namespace {

class NullSink : public exec::LogSink {
 public:
  void on_output(std::size_t, exec::Stream, std::string_view) override {}
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}
};

class Observer : public sched::RunObserver {
 public:
  exec::LogSink& log_sink(std::size_t, int, const exec::TaskInvocation&, const std::string&,
                          const std::vector<std::string>&) override {
    return sink_;
  }
  NullSink sink_;
};

class NoExecution : public exec::Execution {
 public:
  void cancel(bool) override {}
};

// Records the pod of every attempt and succeeds at once with a value of each result's type.
class PodRecorder : public exec::Runner {
 public:
  std::map<std::string, std::string> values;  // result name -> value of its declared type
  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink&,
                                         std::function<void(exec::TaskOutcome)> on_done) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      pods.emplace_back(inv.task_run_name, runners::kube::make_pod(inv));
    }
    exec::TaskOutcome o;
    o.succeeded = true;
    o.reason = "Succeeded";
    for (const auto& r : inv.result_names)
      o.results[r] = values.count(r) ? values.at(r) : std::string("x");
    on_done(std::move(o));
    return std::make_unique<NoExecution>();
  }
  const char* name() const override { return "pod-recorder"; }
  std::mutex mu_;
  std::vector<std::pair<std::string, exec::Json>> pods;
};

std::string yaml_scalar(const std::string& s) { return exec::Json(s).dump(); }

// A TaskRun of `task` binding what it requires.
std::string task_run_for(const model::Task& t) {
  std::string y = "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: " +
                  yaml_scalar(t.metadata.name + "-run") +
                  "}\nspec:\n  taskRef: {name: " + yaml_scalar(t.metadata.name) + "}\n  params:\n";
  bool any = false;
  for (const auto& p : t.spec.params) {
    if (p.default_value) continue;
    any = true;
    y += "  - name: " + yaml_scalar(p.name) + "\n    value: ";
    if (p.type == model::ValueType::kArray) {
      y += "[x]\n";
    } else if (p.type == model::ValueType::kObject) {
      y += "{";
      bool first = true;
      for (const auto& [k, _] : p.properties) {
        y += (first ? "" : ", ") + yaml_scalar(k) + ": x";
        first = false;
      }
      y += "}\n";
    } else {
      y += "x\n";
    }
  }
  if (!any) y.resize(y.size() - std::string("  params:\n").size());
  if (!t.spec.workspaces.empty()) {
    y += "  workspaces:\n";
    for (const auto& w : t.spec.workspaces)
      y += "  - {name: " + yaml_scalar(w.name) + ", emptyDir: {}}\n";
  }
  return y;
}

void emit_error(const std::string& file, const std::string& msg) {
  std::cout << exec::Json{{"file", file}, {"error", msg}}.dump() << "\n";
}

void run_one(const std::string& rel, const model::ObjectSet& objects, sched::RunPlan plan,
             const std::string& scratch) {
  PodRecorder runner;
  for (const auto& t : plan.tasks) {
    if (!t.spec) continue;
    for (const auto& r : t.spec->results) {
      if (r.type == model::ValueType::kArray) {
        runner.values[r.name] = R"(["x","x","x"])";
      } else if (r.type == model::ValueType::kObject) {
        exec::Json obj = exec::Json::object();
        for (const auto& [k, _] : r.properties) obj[k] = "x";
        runner.values[r.name] = obj.dump();
      }
    }
  }
  Observer observer;
  sched::SchedulerOptions o;
  o.max_parallel = 1;
  o.run_dir = scratch + "/run";
  o.pvc_dir = scratch + "/pvc";
  sched::Scheduler s(std::move(plan), objects, runner, nullptr, observer, std::move(o));
  sched::RunReport report = s.run();
  for (const auto& t : report.tasks) {
    // A task that failed before it started (bad invocation) says why, for the test's log.
    if (t.status == sched::TaskStatus::kFailed && !t.message.empty())
      std::cout << exec::Json{{"file", rel}, {"task", t.name}, {"failed", t.message}}.dump()
                << "\n";
  }
  if (!report.succeeded && runner.pods.empty())
    emit_error(rel, report.name + ": " + report.reason + ": " + report.message);
  for (auto& [name, pod] : runner.pods)
    std::cout << exec::Json{{"file", rel}, {"taskRun", name}, {"pod", pod}}.dump() << "\n";
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the catalog's own CI applies beside a sample or test: the task of the version directory
// (<task>/<ver>/*.yaml for <task>/<ver>/{samples,tests}/x.yaml) and the definitions (not the
// runs) of sibling files.
// Catalog tests also install the other catalog tasks they use (git-clone...): every
// <task>/<version>/*.yaml of the catalog comes after those.
void add_context(const fs::path& root, const fs::path& file, model::ObjectSet& objects) {
  if (file.string().find("/tekton-catalog/") == std::string::npos) return;
  std::vector<fs::path> dirs{file.parent_path()};
  std::string leaf = file.parent_path().filename().string();
  if (leaf == "samples" || leaf == "tests") dirs.push_back(file.parent_path().parent_path());
  std::error_code ec;
  for (fs::directory_iterator t(root / "tekton-catalog/task", ec), end; !ec && t != end;
       t.increment(ec)) {
    std::vector<fs::path> versions;
    for (fs::directory_iterator v(t->path(), ec), vend; !ec && v != vend; v.increment(ec))
      versions.push_back(v->path());
    std::sort(versions.rbegin(), versions.rend());  // lexical: good enough to prefer newer
    dirs.insert(dirs.end(), versions.begin(), versions.end());
  }
  for (const auto& d : dirs) {
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path() == file || it->path().extension() != ".yaml") continue;
      spec::LoadOutput o = spec::load_text(read(it->path()), it->path().string());
      if (!o.errors.empty()) continue;
      o.objects.pipeline_runs.clear();
      o.objects.task_runs.clear();
      objects.append(std::move(o.objects));
    }
  }
}

void dump_file(const fs::path& root, const std::string& rel, const std::string& scratch) {
  spec::LoadOutput out = spec::load_text(read(root / rel), rel);
  if (!out.errors.empty()) return emit_error(rel, out.errors.front().to_string());
  // Tasks no run of the file refers to get a TaskRun of their own.
  std::string extra;
  for (const auto& t : out.objects.tasks) extra += "---\n" + task_run_for(t);
  model::ObjectSet objects = std::move(out.objects);
  if (!extra.empty()) {
    spec::LoadOutput more = spec::load_text(extra, rel + " (generated TaskRuns)");
    if (!more.errors.empty()) return emit_error(rel, more.errors.front().to_string());
    objects.append(std::move(more.objects));
  }
  add_context(root, root / rel, objects);
  resolve::Catalog catalog(&objects);
  for (std::size_t i = 0; i < objects.pipeline_runs.size(); ++i) {
    auto plan = sched::plan_pipeline_run(objects.pipeline_runs[i], catalog);
    if (!plan.ok()) {
      emit_error(rel, plan.error().message);
      continue;
    }
    run_one(rel, objects, std::move(*plan), scratch);
  }
  for (std::size_t i = 0; i < objects.task_runs.size(); ++i) {
    auto plan = sched::plan_task_run(objects.task_runs[i], catalog);
    if (!plan.ok()) {
      emit_error(rel, plan.error().message);
      continue;
    }
    run_one(rel, objects, std::move(*plan), scratch);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kube_pod_dump CORPUS_DIR [FILE...]\n";
    return 2;
  }
  fs::path root(argv[1]);
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) files.push_back(argv[i]);
  if (files.empty()) {
    for (const char* dir : {"tekton-examples", "tekton-catalog"}) {
      std::error_code ec;
      for (fs::recursive_directory_iterator it(root / dir, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".yaml")
          files.push_back(fs::relative(it->path(), root).string());
      }
    }
    std::sort(files.begin(), files.end());
  }
  std::string tmpl = (fs::temp_directory_path() / "baton-pod-dump-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    std::cerr << "mkdtemp failed\n";
    return 1;
  }
  for (const auto& f : files) dump_file(root, f, tmpl);
  std::error_code ec;
  fs::remove_all(tmpl, ec);
  return 0;
}
