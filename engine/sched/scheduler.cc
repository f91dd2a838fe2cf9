#include "engine/sched/scheduler.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "engine/sched/process_recorder.h"
#include "engine/sched/recovery.h"
#include "engine/sched/trace_spans.h"
#include "engine/subst/substitute.h"

namespace baton::sched {

namespace {

using SteadyClock = std::chrono::steady_clock;

store::RunState outcome_state(const exec::TaskOutcome& o) {
  if (o.succeeded) return store::RunState::kSucceeded;
  if (o.reason == "TaskRunTimeout") return store::RunState::kTimeout;
  if (o.reason == "TaskRunCancelled") return store::RunState::kCancelled;
  return store::RunState::kFailed;
}

// A result's bytes as a typed value: array/object results are JSON in the result file.
model::ParamValue typed_result(const std::string& bytes, model::ValueType type) {
  if (type == model::ValueType::kString) return model::ParamValue::of_string(bytes);
  auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (type == model::ValueType::kArray && j.is_array()) {
    std::vector<std::string> a;
    for (const auto& e : j) a.push_back(e.is_string() ? e.get<std::string>() : e.dump());
    return model::ParamValue::of_array(std::move(a));
  }
  if (type == model::ValueType::kObject && j.is_object()) {
    std::map<std::string, std::string> o;
    for (const auto& [k, v] : j.items()) o[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return model::ParamValue::of_object(std::move(o));
  }
  return model::ParamValue::of_string(bytes);
}

}  // namespace

Scheduler::Scheduler(RunPlan plan, const model::ObjectSet& objects, exec::Runner& runner,
                     store::RunStore* store, RunObserver& observer, SchedulerOptions options)
    : plan_(std::move(plan)),
      objects_(objects),
      runner_(runner),
      store_(store),
      observer_(observer),
      options_(std::move(options)),
      reconciler_(plan_) {
  if (options_.max_parallel == 0) options_.max_parallel = 1;
  facts_.tasks.resize(plan_.tasks.size());
  matrix_.resize(plan_.tasks.size());
  report_.kind = plan_.kind;
  report_.name = plan_.name;
  for (const auto& t : plan_.tasks) {
    TaskReport tr;
    tr.name = t.task.name;
    tr.is_finally = t.is_finally;
    report_.tasks.push_back(std::move(tr));
  }
}

Scheduler::~Scheduler() {
  // Never leave attempts running behind a destroyed scheduler.
  for (auto& [key, live] : live_) {
    if (live.execution) live.execution->cancel(false);
  }
  give_back_slots();
}

void Scheduler::request_stop(StopRequest how) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A harder request replaces a softer one; never the other way round.
    if (!stop_ || how == StopRequest::kCancelled) stop_ = how;
  }
  cv_.notify_one();
}

void Scheduler::note(const std::string& text) { observer_.on_notice(text); }

RunReport Scheduler::run(const std::string& spec_text) {
  start_ = SteadyClock::now();
  report_.started_at = std::chrono::system_clock::now();
  if (plan_.timeouts.pipeline && plan_.timeouts.pipeline->count() > 0) {
    pipeline_deadline_ = start_ + *plan_.timeouts.pipeline;
  }
  if (plan_.timeouts.tasks && plan_.timeouts.tasks->count() > 0) {
    tasks_deadline_ = start_ + *plan_.timeouts.tasks;
  }

  open_run_record(spec_text);
  observer_.on_run_started(plan_, report_);

  // Pipeline-level values: params (declared defaults, then the run's), context.
  if (plan_.kind == "TaskRun") {
    values_.set_params({}, plan_.tasks.at(0).task.params);
  } else {
    values_.set_params(plan_.pipeline.params, plan_.params);
  }
  // Baton extension: params named in the run's `baton.dev/secret-params` annotation
  // (comma-separated) are masked in logs like Secret values.
  if (auto it = plan_.annotations.find("baton.dev/secret-params"); it != plan_.annotations.end()) {
    std::string names = it->second;
    std::size_t pos = 0;
    while (pos <= names.size()) {
      std::size_t comma = names.find(',', pos);
      std::string n =
          names.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      n.erase(0, n.find_first_not_of(' '));
      n.erase(n.find_last_not_of(' ') + 1);
      if (const model::ParamValue* v = values_.find("params." + n)) {
        if (!v->str.empty()) secrets_.push_back(v->str);
        for (const auto& a : v->arr) secrets_.push_back(a);
        for (const auto& [k, o] : v->obj) secrets_.push_back(o);
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  values_.set("context.pipelineRun.name", plan_.name);
  values_.set("context.pipelineRun.namespace", plan_.namespace_);
  values_.set("context.pipelineRun.uid", report_.uid);
  values_.set("context.pipeline.name", plan_.pipeline_name);
  // `$(workspaces.W.bound)` at pipeline level (when, params): whether the run binds an optional
  // pipeline workspace; tasks see their own task-level value (invocation.cc).
  for (const auto& decl : plan_.pipeline.workspaces) {
    bool bound = std::any_of(plan_.workspaces.begin(), plan_.workspaces.end(),
                             [&](const model::WorkspaceBinding& b) { return b.name == decl.name; });
    values_.set("workspaces." + decl.name + ".bound", bound ? "true" : "false");
  }

  std::error_code ec;
  std::filesystem::create_directories(options_.run_dir, ec);
  WorkspaceRoots roots{options_.run_dir, options_.pvc_dir, options_.workspace_overrides};
  auto volumes = prepare_workspaces(plan_.workspaces, objects_, roots, &secrets_);
  env_ = InvocationEnv{&plan_, report_.uid, &volumes_, options_.run_dir, &objects_, &secrets_};
  if (!volumes.ok()) {
    Action fail;
    fail.kind = Action::Kind::kFinish;
    fail.reason = "InvalidWorkspaceBindings";
    fail.message = volumes.error().message;
    finish(fail);
    return report_;
  }
  volumes_ = std::move(*volumes);

  // Store writes are grouped per scheduler round: one transaction holds everything a round
  // records (attempts finished, tasks skipped, attempts started, the run's end), where each
  // write used to commit alone (6-7 commits per task; ~16% of `baton run` on 1,000 `true`
  // tasks). "Durable before acted on" still holds because nothing outside the store is done
  // before the commit: attempts are started only after it (start_launched), and the round's
  // finished attempts had their logs flushed (release_sink) before it began. A crash before the
  // commit loses only the round's records of attempts that already ended and of none that
  // started, which recovery treats exactly like a crash just before that round.
  {
    store::RunStore::Batch tx(store_);
    apply_all(Change{});
    (void)tx.commit();
  }
  start_launched();
  while (!facts_.finished) {
    Change change;
    std::deque<Done> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [&] { return !inbox_.empty() || stop_.has_value() || slots_granted_ > 0; };
      std::optional<SteadyClock::time_point> next;
      for (const auto& d : {pipeline_deadline_, tasks_deadline_, finally_deadline_}) {
        if (d && (!next || *d < *next)) next = d;
      }
      if (next) {
        cv_.wait_until(lock, *next, ready);
      } else {
        cv_.wait(lock, ready);
      }
      batch.swap(inbox_);
      if (slots_granted_ > 0) {
        slots_owned_ += slots_granted_;
        slots_granted_ = 0;
        waiting_for_slot_ = false;
      }
      if (stop_) {
        if (facts_.stop == StopRequest::kNone || *stop_ == StopRequest::kCancelled) {
          if (facts_.stop != *stop_) {
            facts_.stop = *stop_;
            change.run_level = true;
          }
        }
        stop_.reset();
      }
    }
    // Log writers flush through the store from their own threads: drain them before this
    // thread holds the store's writer.
    for (const auto& d : batch) {
      if (auto it = live_.find({d.task, d.instance}); it != live_.end()) {
        observer_.release_sink(it->second.inv);
      }
    }
    {
      store::RunStore::Batch tx(store_);
      for (auto& d : batch) on_attempt_done(std::move(d), change);
      check_deadlines(change);
      pump(change);  // retries and freed slots start attempts that no action asked for
      apply_all(std::move(change));
      (void)tx.commit();
    }
    start_launched();
  }
  give_back_slots();  // slots handed over after the last attempt was launched
  return report_;
}

void Scheduler::check_deadlines(Change& change) {
  auto now = SteadyClock::now();
  if (pipeline_deadline_ && now >= *pipeline_deadline_ && !facts_.pipeline_timed_out) {
    facts_.pipeline_timed_out = true;
    change.run_level = true;
  }
  if (tasks_deadline_ && now >= *tasks_deadline_ && !facts_.tasks_timed_out &&
      facts_.dag_terminal < plan_.dag_count) {
    facts_.tasks_timed_out = true;
    change.run_level = true;
  }
  if (finally_deadline_ && now >= *finally_deadline_ && !facts_.finally_timed_out) {
    facts_.finally_timed_out = true;
    change.run_level = true;
  }
}

void Scheduler::apply_all(Change change) {
  // Each round's actions change facts; ask again until nothing is left to do. The round
  // count is bounded by the number of tasks (every round makes at least one task terminal
  // or running, or finishes the run).
  while (!facts_.finished) {
    std::vector<Action> actions = reconciler_.reconcile(facts_, values_, change);
    if (actions.empty()) break;
    Change next;
    for (const Action& a : actions) apply(a, next);
    pump(next);
    change = std::move(next);
  }
}

std::string Scheduler::record_skip(std::size_t task, const std::string& reason) {
  if (!store_) return {};
  store::NewTaskRun tr;
  tr.run_id = report_.uid;
  tr.pipeline_task = plan_.tasks[task].task.name;
  tr.name = task_run_name(plan_, task, -1);
  tr.is_finally = plan_.tasks[task].is_finally;
  auto rec = store_->skip_task_run(tr, reason);
  return rec.ok() ? rec->id : std::string();
}

void Scheduler::apply(const Action& a, Change& next) {
  using K = Action::Kind;
  switch (a.kind) {
    case K::kStart:
      start_task(a.task, next);
      break;
    case K::kRetry:  // retries are driven by on_attempt_done; nothing to do here
      break;
    case K::kSkip: {
      facts_.tasks[a.task].status = TaskStatus::kSkipped;
      facts_.tasks[a.task].reason = a.reason;
      report_.tasks[a.task].status = TaskStatus::kSkipped;
      report_.tasks[a.task].reason = a.reason;
      record_skip(a.task, a.reason);
      task_terminal(a.task, next);
      break;
    }
    case K::kFail: {
      TaskFacts& tf = facts_.tasks[a.task];
      tf.status = TaskStatus::kFailed;
      tf.reason = a.reason;
      tf.failure_ignored = plan_.tasks[a.task].task.on_error == "continue";
      report_.tasks[a.task].status = TaskStatus::kFailed;
      report_.tasks[a.task].reason = a.reason;
      report_.tasks[a.task].message = a.message;
      if (store_) {
        store::NewTaskRun tr;
        tr.run_id = report_.uid;
        tr.pipeline_task = plan_.tasks[a.task].task.name;
        tr.name = task_run_name(plan_, a.task, -1);
        tr.is_finally = plan_.tasks[a.task].is_finally;
        if (auto rec = store_->start_task_run(tr); rec.ok()) {
          (void)store_->finish_task_run(rec->id, store::RunState::kFailed, a.reason, a.message);
        }
      }
      note("task " + plan_.tasks[a.task].task.name + " failed: " + a.reason + ": " + a.message);
      task_terminal(a.task, next);
      break;
    }
    case K::kCancelRunning: {
      for (auto& [key, live] : live_) {
        if (key.first != a.task || live.cancel_requested) continue;
        live.cancel_requested = true;
        live.for_timeout = a.for_timeout;
        if (live.execution) live.execution->cancel(a.for_timeout);  // else at its start
      }
      // Attempts still waiting for a slot are cancelled without running.
      std::deque<Pending> keep;
      for (const auto& p : queue_) {
        if (p.task != a.task) {
          keep.push_back(p);
          continue;
        }
        facts_.tasks[a.task].instances[p.instance].cancelled_for_timeout = a.for_timeout;
        facts_.tasks[a.task].instances[p.instance].reason = "TaskRunCancelled";
        instance_finished(a.task, p.instance, TaskStatus::kCancelled, next);
      }
      queue_ = std::move(keep);
      break;
    }
    case K::kFinish:
      finish(a);
      break;
  }
}

void Scheduler::start_task(std::size_t task, Change& next) {
  TaskFacts& tf = facts_.tasks[task];
  const PlannedTask& pt = plan_.tasks[task];
  std::vector<std::vector<model::Param>> combos;
  if (pt.task.matrix) {
    auto c = matrix_combinations(*pt.task.matrix, values_);
    if (!c.ok()) {
      Action fail;
      fail.kind = Action::Kind::kFail;
      fail.task = task;
      fail.reason = "InvalidMatrixParameterTypes";
      fail.message = c.error().message;
      apply(fail, next);
      return;
    }
    combos = std::move(*c);
  } else {
    combos.emplace_back();
  }
  if (pt.is_finally && !finally_deadline_ && plan_.timeouts.finally &&
      plan_.timeouts.finally->count() > 0) {
    finally_deadline_ = SteadyClock::now() + *plan_.timeouts.finally;
  }
  tf.status = TaskStatus::kRunning;
  tf.instances.assign(combos.size(), InstanceFacts{});
  report_.tasks[task].status = TaskStatus::kRunning;
  report_.tasks[task].instances.resize(combos.size());
  matrix_[task] = combos;
  for (std::size_t i = 0; i < combos.size(); ++i) {
    int instance = pt.task.matrix ? static_cast<int>(i) : -1;
    report_.tasks[task].instances[i].task_run_name = task_run_name(plan_, task, instance);
    report_.tasks[task].instances[i].matrix_params = combos[i];
  }
  if (apply_prior(task, combos, next)) return;
  int first_attempt = 0;
  if (auto it = options_.prior.find(pt.task.name); it != options_.prior.end()) {
    first_attempt = it->second.attempts_used;
  }
  for (std::size_t i = 0; i < combos.size(); ++i) {
    queue_.push_back(Pending{task, static_cast<int>(i), first_attempt});
  }
}

void Scheduler::pump(Change& next) {
  while (running_ < options_.max_parallel && !queue_.empty() && take_slot()) {
    Pending p = queue_.front();
    queue_.pop_front();
    launch(p, next);
  }
  // A slot handed over after its attempt was cancelled belongs to another run.
  for (; queue_.empty() && slots_owned_ > 0; --slots_owned_) options_.slots->release();
}

void Scheduler::launch(const Pending& p, Change& next) {
  const PlannedTask& pt = plan_.tasks[p.task];
  InstanceFacts& inst = facts_.tasks[p.task].instances[p.instance];
  int instance_id = pt.task.matrix ? p.instance : -1;
  auto built =
      build_invocation(env_, p.task, instance_id, matrix_[p.task][p.instance], p.attempt, values_);
  inst.attempts = p.attempt + 1;
  if (!built.ok()) {
    exec::TaskOutcome o;
    o.succeeded = false;
    o.reason = "TaskRunValidationFailed";
    o.message = built.error().message;
    o.started_at = o.finished_at = std::chrono::system_clock::now();
    exec::TaskInvocation inv;
    inv.task_run_name = task_run_name(plan_, p.task, instance_id);
    inv.attempt = p.attempt;
    Live live;
    live.inv = inv;
    live_[{p.task, p.instance}] = std::move(live);
    ++running_;
    on_attempt_done(Done{p.task, p.instance, p.attempt, std::move(o)}, next);
    return;
  }
  Live& live = live_[{p.task, p.instance}];
  live = Live{};
  live.inv = std::move(built->inv);
  live.span_id = random_hex(8);
  // W3C trace context for the steps: tools that trace can join the run's trace.
  live.inv.extra_env.emplace_back("TRACEPARENT", "00-" + trace_id_ + "-" + live.span_id + "-01");
  if (store_) {
    store::NewTaskRun tr;
    tr.run_id = report_.uid;
    tr.pipeline_task = pt.task.name;
    tr.name = live.inv.task_run_name;
    tr.attempt = p.attempt;
    if (pt.task.matrix) tr.matrix_index = p.instance;
    tr.is_finally = pt.is_finally;
    if (auto rec = store_->start_task_run(tr); rec.ok()) live.task_run_id = rec->id;
  }
  ++running_;
  observer_.on_attempt_started(p.task, p.instance, live.inv);
  live.sink = &observer_.log_sink(p.task, p.instance, live.inv, live.task_run_id, secrets_);
  if (store_ && !live.task_run_id.empty()) {
    // Step processes go on record as they start, for a restarted engine to stop (recovery.h).
    live.recorder = std::make_unique<ProcessRecordingSink>(*live.sink, *store_, live.task_run_id);
    live.sink = live.recorder.get();
  }
  launched_.push_back(p);  // started by start_launched(), after the round's commit
}

void Scheduler::start_launched() {
  std::vector<Pending> launched = std::exchange(launched_, {});
  if (facts_.finished) return;  // nothing may start after the run ended
  for (const Pending& p : launched) {
    auto it = live_.find({p.task, p.instance});
    if (it == live_.end() || it->second.execution) continue;
    Live& live = it->second;
    std::size_t task = p.task;
    int instance = p.instance, attempt = p.attempt;
    live.execution =
        runner_.start(live.inv, *live.sink, [this, task, instance, attempt](exec::TaskOutcome o) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            inbox_.push_back(Done{task, instance, attempt, std::move(o)});
          }
          cv_.notify_one();
        });
    if (live.cancel_requested) live.execution->cancel(live.for_timeout);
  }
}

void Scheduler::on_attempt_done(Done d, Change& next) {
  auto it = live_.find({d.task, d.instance});
  if (it == live_.end()) return;
  Live live = std::move(it->second);
  live_.erase(it);
  --running_;
  if (options_.slots) options_.slots->release();
  const PlannedTask& pt = plan_.tasks[d.task];
  InstanceFacts& inst = facts_.tasks[d.task].instances[d.instance];
  exec::TaskOutcome& o = d.outcome;
  if (live.cancel_requested && !o.succeeded) {
    o.reason = live.for_timeout ? "TaskRunTimeout" : "TaskRunCancelled";
    if (o.message.empty()) {
      o.message = live.for_timeout ? "TaskRun \"" + live.inv.task_run_name +
                                         "\" was cancelled: the PipelineRun timed out"
                                   : "TaskRun \"" + live.inv.task_run_name + "\" was cancelled";
    }
  }
  if (store_ && !live.task_run_id.empty()) {
    for (std::size_t i = 0; i < o.steps.size(); ++i) {
      store::StepRecord sr;
      sr.task_run_id = live.task_run_id;
      sr.index = static_cast<int>(i);
      sr.name = o.steps[i].name;
      sr.image = i < live.inv.steps.size() ? live.inv.steps[i].image : "";
      sr.state = !o.steps[i].started         ? store::RunState::kSkipped
                 : o.steps[i].exit_code == 0 ? store::RunState::kSucceeded
                                             : store::RunState::kFailed;
      if (o.steps[i].started) sr.exit_code = o.steps[i].exit_code;
      sr.reason = o.steps[i].reason;
      (void)store_->upsert_step(sr);
    }
    if (!o.results.empty()) (void)store_->set_task_results(live.task_run_id, o.results);
    (void)store_->finish_task_run(live.task_run_id, outcome_state(o), o.reason, o.message);
  }
  record_attempt_spans(live, o);  // (the sink was released before the round, see run())
  bool retry = !o.succeeded && !live.cancel_requested && d.attempt < pt.task.retries &&
               !facts_.pipeline_timed_out && facts_.stop == StopRequest::kNone;
  observer_.on_attempt_finished(d.task, d.instance, live.inv, o, retry);
  InstanceReport& ir = report_.tasks[d.task].instances[d.instance];
  ir.attempts.push_back(AttemptReport{d.attempt, live.task_run_id, o});
  inst.reason = o.reason;
  inst.message = o.message;
  if (retry) {
    queue_.push_front(Pending{d.task, d.instance, d.attempt + 1});
    return;
  }
  if (o.succeeded) {
    inst.results = o.results;
    instance_finished(d.task, d.instance, TaskStatus::kSucceeded, next);
  } else if (live.cancel_requested) {
    inst.cancelled_for_timeout = live.for_timeout;
    instance_finished(d.task, d.instance, TaskStatus::kCancelled, next);
  } else {
    instance_finished(d.task, d.instance, TaskStatus::kFailed, next);
  }
}

void Scheduler::instance_finished(std::size_t task, int instance, TaskStatus status, Change& next) {
  TaskFacts& tf = facts_.tasks[task];
  tf.instances[instance].status = status;
  bool all = true, any_failed = false, any_cancelled = false;
  for (const auto& i : tf.instances) {
    all = all && is_terminal(i.status);
    any_failed = any_failed || i.status == TaskStatus::kFailed;
    any_cancelled = any_cancelled || i.status == TaskStatus::kCancelled;
  }
  if (!all) return;
  tf.status = any_failed      ? TaskStatus::kFailed
              : any_cancelled ? TaskStatus::kCancelled
                              : TaskStatus::kSucceeded;
  tf.failure_ignored =
      tf.status == TaskStatus::kFailed && plan_.tasks[task].task.on_error == "continue";
  tf.reason = tf.instances.back().reason;
  TaskReport& tr = report_.tasks[task];
  tr.status = tf.status;
  tr.reason = tf.reason;
  tr.message = tf.instances.back().message;
  task_terminal(task, next);
}

void Scheduler::set_task_values(std::size_t task) {
  const PlannedTask& pt = plan_.tasks[task];
  const TaskFacts& tf = facts_.tasks[task];
  const std::string prefix = "tasks." + pt.task.name;
  std::map<std::string, model::ValueType> types;
  if (pt.spec) {
    for (const auto& r : pt.spec->results) types[r.name] = r.type;
  }
  if (tf.status == TaskStatus::kSucceeded ||
      (tf.status == TaskStatus::kFailed && tf.failure_ignored)) {
    if (pt.task.matrix) {
      // Matrix: each string result becomes an array of the instances' values, in order.
      std::map<std::string, std::vector<std::string>> agg;
      for (const auto& i : tf.instances) {
        for (const auto& [k, v] : i.results) agg[k].push_back(v);
      }
      for (auto& [k, v] : agg) {
        report_.tasks[task].results[k] = nlohmann::json(v).dump();
        values_.set(prefix + ".results." + k, model::ParamValue::of_array(std::move(v)));
      }
      values_.set(prefix + ".matrix.length", std::to_string(tf.instances.size()));
    } else if (!tf.instances.empty()) {
      for (const auto& [k, v] : tf.instances[0].results) {
        auto t = types.count(k) ? types[k] : model::ValueType::kString;
        values_.set(prefix + ".results." + k, typed_result(v, t));
        report_.tasks[task].results[k] = v;
      }
    }
  }
  std::string status = tf.status == TaskStatus::kSucceeded ? "Succeeded"
                       : tf.status == TaskStatus::kFailed  ? "Failed"
                                                           : "None";
  values_.set(prefix + ".status", status);
  values_.set(prefix + ".reason", tf.reason);
}

void Scheduler::task_terminal(std::size_t task, Change& next) {
  const TaskFacts& tf = facts_.tasks[task];
  bool is_finally = plan_.tasks[task].is_finally;
  if (is_finally) {
    ++facts_.finally_terminal;
  } else {
    ++facts_.dag_terminal;
    if ((tf.status == TaskStatus::kFailed && !tf.failure_ignored) ||
        tf.status == TaskStatus::kCancelled) {
      ++facts_.dag_stopping;
    }
  }
  set_task_values(task);
  if (!is_finally && facts_.dag_terminal == plan_.dag_count) {
    // $(tasks.status): Succeeded, Failed, Completed (some skipped), as Tekton aggregates it.
    std::string agg = "Succeeded";
    for (std::size_t i = 0; i < plan_.dag_count; ++i) {
      const auto& t = facts_.tasks[i];
      if ((t.status == TaskStatus::kFailed && !t.failure_ignored) ||
          t.status == TaskStatus::kCancelled) {
        agg = "Failed";
        break;
      }
      if (t.status == TaskStatus::kSkipped) agg = "Completed";
    }
    values_.set("tasks.status", agg);
  }
  observer_.on_task_done(task, report_.tasks[task]);
  next.tasks.push_back(task);
}

void Scheduler::record_attempt_spans(const Live& live, const exec::TaskOutcome& o) {
  if (!store_ || live.span_id.empty()) return;
  for (const auto& span : attempt_spans(trace_id_, run_span_id_, live.span_id, report_.uid,
                                        live.task_run_id, live.inv, o)) {
    (void)store_->add_span(span);
  }
}

void Scheduler::finish(const Action& a) {
  facts_.finished = true;
  report_.succeeded = a.succeeded;
  report_.reason = a.reason;
  report_.message = a.message;
  report_.finished_at = std::chrono::system_clock::now();
  // Pipeline results: substituted from task results; one that cannot resolve is left out.
  store::ResultMap stored;
  for (const auto& r : plan_.pipeline.results) {
    auto v = subst::substitute_value(r.value, values_);
    if (!v.ok()) continue;
    bool unresolved = v->str.find("$(tasks.") != std::string::npos;
    for (const auto& s : v->arr) unresolved = unresolved || s.find("$(tasks.") != std::string::npos;
    for (const auto& [k, s] : v->obj)
      unresolved = unresolved || s.find("$(tasks.") != std::string::npos;
    if (unresolved) continue;
    stored[r.name] = v->type == model::ValueType::kString ? v->str : v->to_json();
    report_.results.emplace_back(r.name, std::move(*v));
  }
  if (store_) {
    store::SpanRecord span =
        run_span(trace_id_, run_span_id_, report_.uid, plan_.kind + " " + plan_.name,
                 report_.started_at, report_.finished_at, a.succeeded, a.reason, a.message);
    span.parent_span_id = options_.parent_span_id;  // the webhook request's span, if any
    (void)store_->add_span(span);
    if (!stored.empty()) (void)store_->set_run_results(report_.uid, stored);
    store::RunState st = a.succeeded                        ? store::RunState::kSucceeded
                         : a.reason == "PipelineRunTimeout" ? store::RunState::kTimeout
                         : a.reason == "TaskRunTimeout"     ? store::RunState::kTimeout
                         : a.reason == "Cancelled" || a.reason == "TaskRunCancelled"
                             ? store::RunState::kCancelled
                             : store::RunState::kFailed;
    (void)store_->update_run_status(report_.uid, st, a.reason, a.message);
  }
  observer_.on_run_finished(report_);
}

}  // namespace baton::sched
