// `baton run`: load files, validate, and run every PipelineRun/TaskRun in them on this machine.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/cmd/commands.h"
#include "engine/cmd/options.h"
#include "engine/cmd/status_output.h"
#include "engine/cmd/terminal_observer.h"
#include "engine/model/validate.h"
#include "engine/sched/recovery.h"
#include "engine/sched/scheduler.h"
#include "engine/spec/loader.h"
#include "runners/leftover_reaper.h"
#include "runners/podman/image_map.h"
#include "runners/standard_runners.h"

namespace baton::cmd {

namespace {

const char kHelp[] =
    "usage: baton run [options] FILE...\n"
    "\n"
    "Runs every PipelineRun and TaskRun in FILE(s) on this machine (host processes by default,\n"
    "or podman containers; a run or taskRunSpecs annotation baton.dev/runner picks per task).\n"
    "Tasks, Pipelines and StepActions come from the same files, then from catalog directories.\n"
    "\n"
    "options:\n"
    "  -p, --param NAME=VALUE       set a param (array params: comma-separated items)\n"
    "  -w, --workspace NAME=DIR     back workspace NAME with directory DIR\n"
    "  -o, --output yaml|json       print the final PipelineRun/TaskRun with Tekton status\n"
    "      --catalog DIR            extra directory of Task/Pipeline/StepAction YAML (repeatable)\n"
    "      --store PATH             SQLite run store (default $BATON_HOME/baton.db)\n"
    "      --parallel N             TaskRuns running at once (default: number of cores)\n"
    "      --cancel-mode MODE       first Ctrl-C: CancelledRunFinally (default), Cancelled,\n"
    "                               or StoppedRunFinally; a second Ctrl-C cancels at once\n"
    "      --runner NAME            default runner: host (default), podman or kubernetes\n"
    "      --image-map FILE         podman: YAML mapping of step images to local images\n"
    "                               (keys: references, or prefixes ending in *)\n"
    "      --kubeconfig FILE        kubernetes: cluster to use (default $KUBECONFIG,\n"
    "                               ~/.kube/config, then the in-cluster service account)\n"
    "      --kube-context NAME      kubernetes: kubeconfig context (default current-context)\n"
    "      --kube-namespace NS      kubernetes: namespace of the pods\n"
    "      --kube-keep-pods         kubernetes: leave finished pods (default: deleted once\n"
    "                               their outcome is recorded)\n"
    "  -q, --quiet                  no step output, transitions only\n"
    "\n"
    "$BATON_HOME defaults to ~/.baton. Exit status: 0 when every run succeeded, 1 otherwise,\n"
    "2 on bad usage.\n";

// Blocks SIGINT/SIGTERM in every thread and turns them into stop requests.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  void watch(sched::Scheduler* s, sched::StopRequest first) {
    thread_ = std::thread([this, s, first] {
      int count = 0;
      for (;;) {
        int sig = 0;
        if (sigwait(&set_, &sig) != 0) return;
        if (done_) return;
        ++count;
        s->request_stop(count == 1 ? first : sched::StopRequest::kCancelled);
        const char* msg = count == 1 ? "\nbaton: stopping (Ctrl-C again to cancel everything now)\n"
                                     : "\nbaton: cancelling now\n";
        ssize_t n = write(STDERR_FILENO, msg, std::strlen(msg));
        (void)n;
      }
    });
  }
  void stop() {
    if (!thread_.joinable()) return;
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGINT);
    thread_.join();
  }
  ~SignalWatcher() { stop(); }

 private:
  sigset_t set_;
  std::thread thread_;
  std::atomic<bool> done_{false};
};

void apply_cli_params(const std::vector<std::pair<std::string, std::string>>& cli,
                      const std::vector<model::ParamSpec>& specs,
                      std::vector<model::Param>& params) {
  for (const auto& kv : cli) {
    const std::string& name = kv.first;  // not a structured binding: lambdas capture it below
    const std::string& value = kv.second;
    model::ParamValue v = model::ParamValue::of_string(value);
    for (const auto& s : specs) {
      if (s.name == name && s.type == model::ValueType::kArray) {
        std::vector<std::string> items;
        std::stringstream ss(value);
        std::string item;
        while (std::getline(ss, item, ',')) items.push_back(item);
        v = model::ParamValue::of_array(std::move(items));
      }
    }
    std::erase_if(params, [&](const model::Param& p) { return p.name == name; });
    params.push_back({name, std::move(v)});
  }
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
  RunOptions opt;
  if (int rc = parse_run_options(args, kHelp, opt); rc >= 0) return rc;

  model::ObjectSet objects;
  Diagnostics errors;
  std::string spec_text;
  for (const auto& f : opt.files) {
    spec::LoadOutput out = spec::load_file(f);
    errors.insert(errors.end(), out.errors.begin(), out.errors.end());
    objects.append(std::move(out.objects));
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    spec_text += ss.str();
  }
  Diagnostics v = model::validate(objects);
  errors.insert(errors.end(), v.begin(), v.end());
  if (!errors.empty()) {
    for (const auto& d : errors) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::fprintf(stderr, "baton run: %zu error%s; nothing was run\n", errors.size(),
                 errors.size() == 1 ? "" : "s");
    return 1;
  }
  if (objects.pipeline_runs.empty() && objects.task_runs.empty()) {
    std::fprintf(stderr, "baton run: no PipelineRun or TaskRun in the given files\n");
    return 2;
  }

  resolve::Catalog catalog(&objects);
  for (const auto& d : opt.catalogs) catalog.add_directory(d);

  std::unique_ptr<store::RunStore> store;
  {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(opt.store_path).parent_path(), ec);
    auto s = store::RunStore::open(opt.store_path);
    if (!s.ok()) {
      std::fprintf(stderr, "baton run: cannot open the run store %s: %s\n", opt.store_path.c_str(),
                   s.error().message.c_str());
      return 1;
    }
    store = std::move(*s);
    auto reaper = runners::make_leftover_reaper();
    auto log = [](const std::string& line) {
      std::fprintf(stderr, "baton run: %s\n", line.c_str());
    };
    if (auto rec = sched::recover_orphaned_runs(*store, reaper.get(), log);
        rec.ok() && !rec->empty()) {
      std::fprintf(stderr,
                   "baton run: marked %zu run%s interrupted (their baton process is gone)\n",
                   rec->size(), rec->size() == 1 ? "" : "s");
    }
  }

  SignalWatcher signals;
  runners::RunnersConfig rconf;
  rconf.default_runner = opt.runner;
  // No daemon restarts to recover a killed `baton run`: its steps die with it.
  rconf.host.kill_steps_with_engine = true;
  rconf.kubernetes.kubeconfig = opt.kubeconfig;
  rconf.kubernetes.context = opt.kube_context;
  rconf.kubernetes.namespace_ = opt.kube_namespace;
  rconf.kubernetes.keep_pods = opt.kube_keep_pods;
  if (!opt.image_map_file.empty()) {
    auto images = runners::load_image_map_file(opt.image_map_file);
    if (!images.ok()) {
      std::fprintf(stderr, "baton run: %s\n", images.error().message.c_str());
      return 2;
    }
    rconf.images = std::move(*images);
  }
  auto runner_set = runners::make_runner_set(rconf);
  if (!runner_set.ok()) {
    std::fprintf(stderr, "baton run: %s\n", runner_set.error().message.c_str());
    return 2;
  }
  exec::Runner& runner = **runner_set;
  TerminalOptions topt;
  topt.color =
      isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr && !opt.output_format.size();
  topt.quiet = opt.quiet;
  topt.store = store.get();
  FILE* status_out = stdout;
  if (!opt.output_format.empty()) {
    // Machine output owns stdout; the live view goes to stderr.
    topt.quiet = true;
  }

  bool all_ok = true;
  std::vector<sched::RunReport> reports;
  std::vector<sched::RunPlan> plans;
  auto run_one = [&](Result<sched::RunPlan> plan) {
    if (!plan.ok()) {
      std::fprintf(stderr, "baton run: %s\n", plan.error().message.c_str());
      all_ok = false;
      return;
    }
    TerminalObserver observer(topt);
    sched::SchedulerOptions so;
    so.max_parallel = opt.parallel;
    so.run_dir = opt.home + "/runs/" + plan->name;
    so.pvc_dir = opt.home + "/pvc";
    so.workspace_overrides = opt.workspaces;
    plans.push_back(*plan);
    sched::Scheduler scheduler(std::move(*plan), objects, runner, store.get(), observer, so);
    signals.watch(&scheduler, opt.cancel_mode);
    sched::RunReport report = scheduler.run(spec_text);
    signals.stop();
    all_ok = all_ok && report.succeeded;
    reports.push_back(std::move(report));
  };
  for (auto run : objects.pipeline_runs) {
    const model::PipelineSpec* spec = run.spec.pipeline_spec ? &*run.spec.pipeline_spec : nullptr;
    model::PipelineSpec resolved;
    if (!spec && run.spec.pipeline_ref) {
      if (auto p = catalog.pipeline(*run.spec.pipeline_ref); p.ok()) {
        resolved = *p;
        spec = &resolved;
      }
    }
    apply_cli_params(opt.params, spec ? spec->params : std::vector<model::ParamSpec>{},
                     run.spec.params);
    run_one(sched::plan_pipeline_run(run, catalog));
  }
  for (auto run : objects.task_runs) {
    apply_cli_params(
        opt.params,
        run.spec.task_spec ? run.spec.task_spec->params : std::vector<model::ParamSpec>{},
        run.spec.params);
    run_one(sched::plan_task_run(run, catalog));
  }
  if (!opt.output_format.empty()) {
    for (std::size_t i = 0; i < reports.size(); ++i) {
      std::string text = render_status(plans[i], reports[i], opt.output_format);
      std::fwrite(text.data(), 1, text.size(), status_out);
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace baton::cmd
