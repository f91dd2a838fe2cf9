// `baton serve`: the service. Webhooks in, durable queue, runs on this machine, metrics out.

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "dashboard-api/http_server.h"
#include "dashboard-api/otlp_exporter.h"
#include "dashboard-api/serve_config.h"
#include "dashboard-api/serve_routes.h"
#include "dashboard-api/sources.h"
#include "dashboard-api/stream_hub.h"
#include "dashboard-api/webhook_routes.h"
#include "engine/cmd/commands.h"
#include "engine/cmd/serve_catalog.h"
#include "engine/sched/approval_gate.h"
#include "engine/sched/dispatcher.h"
#include "engine/sched/recovery.h"
#include "engine/telemetry/metrics.h"
#include "runners/leftover_reaper.h"
#include "runners/standard_runners.h"

namespace baton::cmd {

namespace {

const char kHelp[] =
    "usage: baton serve --config FILE [--listen HOST:PORT]\n"
    "\n"
    "Runs Baton as a service: EventListener webhooks at POST /hooks/<listener>, a durable run\n"
    "queue in SQLite, runs on the configured runner (host, podman or kubernetes), the REST API\n"
    "under /api/v1 (bearer tokens: `baton token create`), the dashboard page at /, /healthz,\n"
    "/readyz and /metrics. The config file is described in docs/serve-config.md.\n"
    "\n"
    "options:\n"
    "  --config FILE        the ServeConfig YAML (required)\n"
    "  --listen HOST:PORT   overrides the config's listen address (port 0: any free port)\n"
    "\n"
    "Prints \"baton serve: listening on http://HOST:PORT\" once it accepts requests. SIGTERM or\n"
    "SIGINT: stop accepting, finish in-flight requests, wait up to shutdown.grace for running\n"
    "runs; runs still going are resumed by the next start. Exit status 0 after a clean stop, 1 on\n"
    "a start-up failure, 2 on bad usage or an invalid config.\n";

std::mutex g_log_mu;

void log_line(const std::string& text) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::lock_guard<std::mutex> lock(g_log_mu);
  std::fprintf(stderr, "%s baton serve: %s\n", stamp, text.c_str());
}

void report(const Diagnostics& errors, const char* what) {
  for (const auto& d : errors) log_line(std::string(what) + ": " + d.to_string());
}

// The current catalog, swapped whole by the reloader.
class CatalogHolder {
 public:
  void set(ServeCatalog c) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(c);
  }
  std::shared_ptr<const model::ObjectSet> objects() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_.objects;
  }
  std::shared_ptr<const api::TriggerSnapshot> triggers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_.triggers;
  }

 private:
  mutable std::mutex mu_;
  ServeCatalog current_;
};

// Materialises the sources and loads them; false (and the old catalog kept) on failure.
bool load_sources(const api::ServeConfig& config, CatalogHolder& holder, std::string* fingerprint,
                  bool force) {
  auto snap = api::materialise_sources(config.sources, config.home + "/sources");
  if (!snap.ok()) {
    log_line("sources: " + snap.error().message + " (keeping what was loaded)");
    return false;
  }
  if (!force && snap->fingerprint == *fingerprint) return true;
  Diagnostics errors;
  ServeCatalog c = load_serve_catalog(snap->directories, config.secret_files, errors);
  report(errors, "sources");
  log_line(
      "loaded " + std::to_string(c.files) + " files: " + std::to_string(c.objects->tasks.size()) +
      " Tasks, " + std::to_string(c.objects->pipelines.size()) + " Pipelines, " +
      std::to_string(c.triggers->catalog.listeners.size()) + " EventListeners" +
      (errors.empty() ? "" : ", " + std::to_string(errors.size()) + " errors (files left out)"));
  holder.set(std::move(c));
  *fingerprint = snap->fingerprint;
  return true;
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  std::string config_path, listen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if ((args[i] == "--config" || args[i] == "--listen") && i + 1 < args.size()) {
      (args[i] == "--config" ? config_path : listen) = args[i + 1];
      ++i;
      continue;
    }
    std::fprintf(stderr, "baton serve: unknown argument \"%s\"\n\n%s", args[i].c_str(), kHelp);
    return 2;
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "baton serve: --config FILE is required\n\n%s", kHelp);
    return 2;
  }
  api::ConfigLoad loaded = api::load_serve_config(config_path);
  if (!loaded.errors.empty()) {
    for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::fprintf(stderr, "baton serve: %zu error%s in %s\n", loaded.errors.size(),
                 loaded.errors.size() == 1 ? "" : "s", config_path.c_str());
    return 2;
  }
  api::ServeConfig config = std::move(loaded.config);
  if (!listen.empty()) {
    auto parsed = api::parse_listen(listen);
    if (!parsed) {
      std::fprintf(stderr, "baton serve: --listen wants HOST:PORT, got \"%s\"\n", listen.c_str());
      return 2;
    }
    config.address = parsed->host;
    config.port = parsed->port;
  }
  if (config.limits.task_runs == 0) {
    config.limits.task_runs = std::max(1u, std::thread::hardware_concurrency());
  }

  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code ec;
  std::filesystem::create_directories(config.home, ec);
  std::filesystem::create_directories(std::filesystem::path(config.store).parent_path(), ec);
  auto opened = store::RunStore::open(config.store);
  if (!opened.ok()) {
    log_line("cannot open the run store " + config.store + ": " + opened.error().message);
    return 1;
  }
  std::unique_ptr<store::RunStore> store = std::move(opened).value();
  // Step processes and containers a dead engine (this one before a crash, or a `baton run`)
  // left running are stopped before anything of theirs runs again.
  auto reaper = runners::make_leftover_reaper();
  if (auto rec = sched::recover_orphaned_runs(*store, reaper.get(), log_line);
      rec.ok() && !rec->empty()) {
    log_line("marked " + std::to_string(rec->size()) + " `baton run` run(s) interrupted");
  }

  CatalogHolder catalog;
  std::string fingerprint;
  if (!load_sources(config, catalog, &fingerprint, true)) return 1;

  telemetry::Metrics metrics;
  runners::RunnersConfig rconf;
  rconf.default_runner = config.runner;
  rconf.images = config.images;
  rconf.kubernetes.kubeconfig = config.kubernetes.kubeconfig;
  rconf.kubernetes.context = config.kubernetes.context;
  rconf.kubernetes.namespace_ = config.kubernetes.namespace_;
  rconf.kubernetes.in_cluster = config.kubernetes.in_cluster;
  rconf.kubernetes.shell_image = config.kubernetes.shell_image;
  rconf.kubernetes.keep_pods = config.kubernetes.keep_pods;
  rconf.kubernetes.connect_timeout = config.kubernetes.connect_timeout;
  rconf.kubernetes.request_timeout = config.kubernetes.request_timeout;
  auto runner_set = runners::make_runner_set(rconf);
  if (!runner_set.ok()) {
    log_line(runner_set.error().message);
    return 1;
  }
  // Approval gates wait in the engine; every other attempt goes to the configured runners.
  sched::ApprovalGate runner(**runner_set);
  sched::TaskSlots slots(config.limits.task_runs);
  sched::DispatcherOptions dopt;
  dopt.max_runs = config.limits.runs;
  dopt.home = config.home;
  dopt.reaper = reaper.get();
  std::unique_ptr<api::OtlpExporter> otlp;
  if (!config.otlp_endpoint.empty()) {
    otlp = std::make_unique<api::OtlpExporter>(config.otlp_endpoint, *store, log_line);
    if (auto s = otlp->start(); !s.ok()) {
      log_line(s.error().message);
      return 1;
    }
  }
  sched::DispatcherHooks hooks;
  hooks.run_finished = [&metrics, &otlp](const std::string& pipeline, const std::string& outcome,
                                         double seconds, const std::string& trace_id) {
    metrics.run_finished(pipeline, outcome, telemetry::Seconds(seconds));
    if (otlp && !trace_id.empty()) otlp->enqueue(trace_id);
  };
  hooks.task_run_finished = [&metrics](const std::string& outcome, double seconds) {
    metrics.task_run_finished(outcome, telemetry::Seconds(seconds));
  };
  hooks.queue_wait = [&metrics](double s) { metrics.queue_waited(telemetry::Seconds(s)); };
  // The queue depth the webhook route checks: exact after each dispatcher round, plus what was
  // accepted since (a count(*) per delivery would cost O(queue) each time).
  std::atomic<std::size_t> queue_depth{0};
  if (auto n = store->count_runs_in_state(store::RunState::kQueued); n.ok()) {
    queue_depth = static_cast<std::size_t>(*n);
  }
  hooks.queue_depth = [&metrics, &queue_depth](std::size_t d) {
    queue_depth = d;
    metrics.set_queue_depth(d);
  };
  hooks.log = log_line;
  sched::Dispatcher dispatcher(
      *store, runner, slots, [&catalog] { return catalog.objects(); }, dopt, hooks);

  std::atomic<bool> ready{false};
  auto router = std::make_shared<api::Router>();
  api::WebhookContext wctx;
  wctx.store = store.get();
  wctx.triggers = [&catalog] { return catalog.triggers(); };
  wctx.runs_queued = [&dispatcher, &queue_depth](std::size_t n) {
    queue_depth += n;
    dispatcher.notify();
  };
  wctx.queued_runs = [&queue_depth] { return queue_depth.load(); };
  wctx.metrics = &metrics;
  wctx.max_queued_runs = config.limits.queued_runs;

  api::StreamHub hub(*store);
  api::ApiContext actx;
  actx.store = store.get();
  actx.objects = [&catalog] { return catalog.objects(); };
  actx.cancel = [&dispatcher](const std::string& id, sched::StopRequest how) {
    return dispatcher.cancel(id, how);
  };
  actx.runs_queued = [&dispatcher, &queue_depth] {
    ++queue_depth;
    dispatcher.notify();
  };
  actx.redeliver = [wctx](const store::DeliveryRecord& d) { return api::redeliver(wctx, d); };
  actx.decide_approval = [&runner, &store](const std::string& task_run_id, bool approve,
                                           const std::string& actor, const std::string& message) {
    auto tr = store->get_task_run(task_run_id);
    if (!tr.ok()) return sched::ApprovalDecision::kNotWaiting;
    return runner.decide(tr->run_id, tr->name, tr->attempt, approve, actor, message);
  };
  actx.anonymous_read = config.anonymous_read;
  actx.hub = &hub;
  api::add_serve_routes(
      *router, [&ready] { return ready.load(); }, metrics, wctx, actx);

  api::ServerOptions sopt;
  sopt.address = config.address;
  sopt.port = config.port;
  sopt.threads = config.limits.http_threads;
  sopt.body_limit = config.limits.body_bytes;
  auto server = api::HttpServer::start(sopt, router, &metrics);
  if (!server.ok()) {
    log_line("cannot listen on " + config.address + ":" + std::to_string(config.port) + ": " +
             server.error().message);
    return 1;
  }
  // Containers of the runs about to be resumed (and of finished runs) that the previous process
  // left: removed before the resumed attempts start new ones. Only after an unclean stop, so a
  // clean start costs no podman call.
  if (auto n = store->count_runs_in_state(store::RunState::kRunning); n.ok() && *n > 0) {
    sched::remove_leftover_containers(*store, *reaper, /*resuming_ownerless=*/true, log_line);
  }
  if (auto s = dispatcher.start(); !s.ok()) {
    log_line("cannot resume runs: " + s.error().message);
    return 1;
  }
  ready = true;
  std::printf("baton serve: listening on http://%s:%u\n", config.address.c_str(),
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);

  // Reloads sources when they change; stops with the process.
  std::atomic<bool> stopping{false};
  std::mutex reload_mu;
  std::condition_variable reload_cv;
  std::thread reloader([&] {
    if (config.reload_interval.count() <= 0) return;
    std::unique_lock<std::mutex> lock(reload_mu);
    while (!reload_cv.wait_for(lock, config.reload_interval, [&] { return stopping.load(); })) {
      lock.unlock();
      load_sources(config, catalog, &fingerprint, false);
      lock.lock();
    }
  });

  int sig = 0;
  sigwait(&signals, &sig);
  log_line(std::string("got ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
           ": no new requests; finishing what runs");
  ready = false;
  {
    std::lock_guard<std::mutex> lock(reload_mu);
    stopping = true;
  }
  reload_cv.notify_all();
  reloader.join();
  (*server)->shutdown(config.shutdown_grace);
  std::size_t left = dispatcher.shutdown(config.shutdown_grace);
  if (left > 0) {
    log_line(std::to_string(left) +
             " run(s) still running after the grace period; the next start resumes them");
    std::fflush(stderr);
    std::_Exit(0);  // their threads still run; the store has everything a restart needs
  }
  log_line("stopped");
  return 0;
}

}  // namespace baton::cmd
