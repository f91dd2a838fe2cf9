#include "runners/kubernetes/kube_execution.h"

namespace baton::runners::kube {

namespace {

std::string rv_of(const Json& obj) {
  if (!obj.is_object() || !obj.contains("metadata")) return {};
  return obj["metadata"].value("resourceVersion", "");
}

std::string namespace_for(const KubernetesRunnerOptions& o) {
  return o.pod.namespace_.empty() ? o.config.namespace_ : o.pod.namespace_;
}

PodOptions pod_options(const KubernetesRunnerOptions& o) {
  PodOptions p = o.pod;
  p.namespace_ = namespace_for(o);
  return p;
}

}  // namespace

KubeExecution::KubeExecution(const KubernetesRunnerOptions& options, exec::TaskInvocation inv,
                             exec::LogSink& sink, std::function<void(exec::TaskOutcome)> on_done)
    : options_(options),
      inv_(std::move(inv)),
      sink_(sink),
      on_done_(std::move(on_done)),
      ns_(namespace_for(options)),
      pod_name_(pod_name(inv_)),
      selector_(label_selector(inv_)),
      client_(options.config, options.timeouts) {}

KubeExecution::~KubeExecution() { join(); }

void KubeExecution::begin() {
  thread_ = std::thread([this] { run(); });
}

void KubeExecution::join() {
  if (thread_.joinable()) thread_.join();
}

void KubeExecution::cancel(bool timeout) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stop_reason_.empty() || watch_done_) return;
    stop_reason_ = timeout ? "TaskRunTimeout" : "TaskRunCancelled";
  }
  cv_.notify_all();
  if (auto st = client_.delete_pod(ns_, pod_name_); !st.ok())
    sink_.on_notice("kubernetes: could not delete pod " + pod_name_ + ": " + st.error().message);
  client_.abort();  // wakes the watch and the log stream
}

void KubeExecution::detach() {
  bool handed_over;
  {
    std::lock_guard<std::mutex> l(mu_);
    detached_ = true;
    handed_over = handed_over_;
  }
  cv_.notify_all();
  // Once the outcome is out, the only call left is the finished pod's delete: let it finish
  // (bounded by the request timeout) rather than leave the pod behind on every shutdown,
  // e.g. the last TaskRun of a `baton run` that exits right after its run ends.
  if (!handed_over) client_.abort();
}

bool KubeExecution::wait_for(const std::function<bool()>& pred) {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return pred() || detached_ || !stop_reason_.empty() || !fatal_.empty(); });
  return pred();
}

void KubeExecution::set_pod(const Json& pod) {
  {
    std::lock_guard<std::mutex> l(mu_);
    pod_ = pod;
  }
  cv_.notify_all();
}

void KubeExecution::finish_watch(bool deleted) {
  {
    std::lock_guard<std::mutex> l(mu_);
    watch_done_ = true;
    deleted_ = deleted;
  }
  cv_.notify_all();
}

Result<void> KubeExecution::create_or_attach(std::string& rv) {
  auto list = client_.list_pods(ns_, task_run_selector(inv_));
  if (!list.ok()) return list.error();
  rv = rv_of(*list);
  // This attempt's pod (the engine restarted while it ran), else a pod of an earlier attempt
  // still running: retries start only after the previous attempt ended, so a running one was
  // lost by an engine that went away (a resumed run counts the interrupted attempt as used).
  Json pick;  // null: none
  std::string pick_attempt;
  for (const auto& item : (*list)["items"]) {
    Json labels = item["metadata"].value("labels", Json::object());
    std::string attempt = labels.value(kAttemptLabel, std::string());
    if (attempt == std::to_string(inv_.attempt)) {
      pick = item;
      pick_attempt = attempt;
      break;
    }
    if (!pod_finished(item) && pick.is_null()) {
      pick = item;
      pick_attempt = attempt;
    }
  }
  if (!pick.is_null()) {
    set_pod(pick);
    pod_name_ = pick["metadata"].value("name", pod_name_);
    selector_ = task_run_selector(inv_) + "," + kAttemptLabel + "=" + pick_attempt;
    attached_ = true;
    sink_.on_notice("kubernetes: attached to existing pod " + ns_ + "/" + pod_name_ + " (attempt " +
                    pick_attempt + ")");
    return {};
  }
  auto created = client_.create_pod(ns_, make_pod(inv_, pod_options(options_)));
  if (created.ok()) {
    set_pod(*created);
    sink_.on_notice("kubernetes: created pod " + ns_ + "/" + pod_name_);
    return {};
  }
  if (created.error().code != "conflict") return created.error();
  // Created between our list and create (another engine, or a retried request): attach to it
  // if it is ours.
  auto got = client_.get_pod(ns_, pod_name_);
  if (!got.ok()) return got.error();
  const Json& labels = (*got)["metadata"].value("labels", Json::object());
  if (labels.value(kRunLabel, "") != label_value(inv_.run_id) ||
      labels.value(kTaskRunLabel, "") != label_value(inv_.task_run_name))
    return Fail("pod " + ns_ + "/" + pod_name_ + " exists and belongs to another run");
  set_pod(*got);
  attached_ = true;
  sink_.on_notice("kubernetes: pod " + pod_name_ + " already existed (409); attached to it");
  return {};
}

void KubeExecution::watch(std::string rv) {
  bool deleted = false;
  auto stopped = [&] {
    std::lock_guard<std::mutex> l(mu_);
    return detached_ || !stop_reason_.empty() || pod_finished(pod_);
  };
  while (!stopped()) {
    int secs = options_.watch_timeout_seconds;
    bool relist = false, finished = false;
    auto r = client_.watch_pods(ns_, selector_, rv, secs, [&](const Json& ev) {
      std::string type = ev.value("type", "");
      const Json& obj = ev.contains("object") ? ev["object"] : Json::object();
      if (type == "ERROR") {
        relist = true;  // 410 Expired/Gone (or another error): list again, watch from there
        return false;
      }
      if (std::string v = rv_of(obj); !v.empty()) rv = v;
      if (type == "BOOKMARK") return true;
      if (obj.contains("metadata") && obj["metadata"].value("name", "") != pod_name_) return true;
      if (type == "DELETED") {
        set_pod(obj);
        deleted = true;
        return false;
      }
      set_pod(obj);
      finished = pod_finished(obj);
      return !finished;
    });
    if (deleted || finished || stopped()) break;
    if (!r.ok() && (r.error().code == "unauthorized" || r.error().code == "forbidden")) {
      std::lock_guard<std::mutex> l(mu_);
      fatal_ = r.error().message;
      break;
    }
    if (relist || (!r.ok() && r.error().code == "gone")) {
      auto list = client_.list_pods(ns_, selector_);
      if (list.ok()) {
        rv = rv_of(*list);
        const Json& items = (*list)["items"];
        if (!items.is_array() || items.empty()) {
          deleted = true;
          break;
        }
        set_pod(items.front());
        continue;
      }
    }
    if (!r.ok() || relist) {
      // A dropped connection or a failed re-list: try again from the last version seen.
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, options_.reconnect_delay,
                   [&] { return detached_ || !stop_reason_.empty(); });
    }
  }
  finish_watch(deleted);
}

void KubeExecution::follow_logs() {
  std::string collector = collector_container(inv_);
  std::size_t n = inv_.steps.size() + (collector.empty() ? 0 : 1);
  for (std::size_t i = 0; i < n; ++i) {
    bool is_step = i < inv_.steps.size();
    std::string c = is_step ? step_container(inv_, i) : collector;
    if (!wait_for([&] { return container_started(pod_, c) || watch_done_; })) return;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!container_started(pod_, c)) return;  // the pod ended before this container ran
    }
    if (is_step) sink_.on_step_started(i, inv_.steps[i].name);
    // Kubernetes cannot resume a log at an offset (limitBytes caps, sinceTime has whole
    // seconds): a re-read after a dropped stream starts at the beginning, and the bytes
    // delivered already are counted and skipped, so the sink never sees output twice.
    std::size_t delivered = 0;
    for (int tries = 0;; ++tries) {
      std::size_t seen = 0, before = delivered;
      auto st = client_.stream_log(ns_, pod_name_, c, [&](std::string_view bytes) {
        std::size_t skip = seen < delivered ? std::min(bytes.size(), delivered - seen) : 0;
        seen += bytes.size();
        bytes.remove_prefix(skip);
        if (bytes.empty()) return;
        delivered += bytes.size();
        if (is_step) {
          sink_.on_output(i, exec::Stream::kStdout, bytes);
        } else {
          std::lock_guard<std::mutex> l(mu_);
          collected_.append(bytes);
        }
      });
      if (st.ok() || st.error().code == "aborted") break;
      if (delivered > before) tries = 0;  // it made progress: a new drop gets fresh retries
      if (tries >= 20) break;
      // 400 while the container is still being created, or a dropped (or idle) stream: retry.
      std::unique_lock<std::mutex> lk(mu_);
      if (cv_.wait_for(lk, options_.reconnect_delay,
                       [&] { return detached_ || !stop_reason_.empty(); }))
        return;
    }
    wait_for([&] { return container_terminated(pod_, c) || watch_done_; });
    if (is_step) {
      std::lock_guard<std::mutex> l(mu_);
      StopCause stop{stop_reason_, deleted_};
      auto step = outcome_of(inv_, pod_, {}, stop, options_.max_result_bytes).steps[i];
      sink_.on_step_finished(i, step);
    }
  }
}

void KubeExecution::run() {
  const auto started = exec::Clock::now();
  std::string rv;
  exec::TaskOutcome o;
  auto created = create_or_attach(rv);
  std::string stop;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop = stop_reason_;
  }
  if (!stop.empty()) {
    // Cancelled while the pod was being created: the cancel found nothing to delete (or
    // aborted the create after the server made the pod); delete it now with a fresh client.
    (void)KubeClient(options_.config, options_.timeouts).delete_pod(ns_, pod_name_);
  }
  if (!created.ok()) {
    o = outcome_of(inv_, Json::object(), {}, StopCause{stop, false}, options_.max_result_bytes);
    if (stop.empty()) {
      o.reason = "InternalError";
      o.message = "kubernetes: " + created.error().message;
    }
    on_done_(std::move(o));
    finished_ = true;
    return;
  }
  std::thread logs([this] { follow_logs(); });
  std::thread timer;
  if (inv_.timeout) {
    // The TaskRun timeout: delete the pod at the deadline (activeDeadlineSeconds also bounds
    // it on the cluster side, in whole seconds, if the engine is gone).
    auto deadline = std::chrono::steady_clock::now() + *inv_.timeout;
    timer = std::thread([this, deadline] {
      std::unique_lock<std::mutex> lk(mu_);
      bool ended = cv_.wait_until(lk, deadline, [&] {
        return watch_done_ || detached_ || !stop_reason_.empty() || pod_finished(pod_);
      });
      lk.unlock();
      if (!ended) cancel(true);
    });
  }
  watch(rv);
  {
    // The pod is over: log streams end on their own; wake a follower waiting on a container
    // that will never start.
    std::lock_guard<std::mutex> l(mu_);
    watch_done_ = true;
  }
  cv_.notify_all();
  logs.join();
  if (timer.joinable()) timer.join();
  std::unique_lock<std::mutex> lk(mu_);
  if (detached_ && stop_reason_.empty()) {
    o.reason = "InternalError";
    o.message = "kubernetes runner stopped; pod " + pod_name_ +
                " keeps running and a restarted engine attaches to it again";
  } else if (!fatal_.empty()) {
    o.reason = "InternalError";
    o.message = "kubernetes: " + fatal_;
  } else {
    CollectedResults collected;
    if (!collector_container(inv_).empty() && stop_reason_.empty() && pod_finished(pod_)) {
      auto parsed = parse_collected(collected_);
      if (parsed.ok()) {
        collected = std::move(*parsed);
      } else {
        fatal_ = parsed.error().message;
      }
    }
    o = outcome_of(inv_, pod_, collected, StopCause{stop_reason_, deleted_},
                   options_.max_result_bytes);
    // Pod timestamps have whole seconds; a pod this engine created started when it asked.
    if (!attached_) o.started_at = started;
    if (!fatal_.empty() && o.succeeded) {
      o.succeeded = false;
      o.reason = "InternalError";
      o.message = fatal_;
    }
  }
  // A finished pod goes away, but only once on_done has its outcome: until then a restarted
  // engine must still find it to read the outcome again. Cancel and timeout deleted it
  // already; a detached run keeps it (it may still be running).
  bool remove =
      !options_.keep_pods && !detached_ && stop_reason_.empty() && !deleted_ && pod_finished(pod_);
  handed_over_ = true;
  auto done = std::move(on_done_);
  lk.unlock();
  done(std::move(o));
  // Best effort: the sink is not ours after on_done, so a failure is not reported; a pod
  // left behind is harmless (an earlier attempt's finished pod is never attached to).
  if (remove) (void)client_.delete_pod(ns_, pod_name_);
  finished_ = true;
}

}  // namespace baton::runners::kube
