#pragma once
// ProcessRecordingSink: the scheduler's wrapper around an attempt's sink that writes each step's
// process identity to the run store as the runner reports it, so a restarted engine can stop
// what a dead one left running (engine/sched/recovery.h). Everything else is forwarded.

#include <string>

#include "engine/exec/runner.h"
#include "engine/store/run_store.h"

namespace baton::sched {

/// Forwards to `inner`; records on_process_started in `store` under `task_run_id`.
class ProcessRecordingSink final : public exec::LogSink {
 public:
  ProcessRecordingSink(exec::LogSink& inner, store::RunStore& store, std::string task_run_id)
      : inner_(inner), store_(store), task_run_id_(std::move(task_run_id)) {}

  void on_output(std::size_t step_index, exec::Stream stream, std::string_view bytes) override {
    inner_.on_output(step_index, stream, bytes);
  }
  void on_step_started(std::size_t step_index, const std::string& step_name) override {
    inner_.on_step_started(step_index, step_name);
  }
  void on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) override {
    inner_.on_step_finished(step_index, outcome);
  }
  void on_notice(std::string_view text) override { inner_.on_notice(text); }
  void on_process_started(std::size_t index, const exec::ProcessIdentity& id) override;

 private:
  exec::LogSink& inner_;
  store::RunStore& store_;
  std::string task_run_id_;
};

}  // namespace baton::sched
