#pragma once
// Live terminal output of `baton run`: one prefixed line per log line as it is produced
// (`[task:step] …`, coloured per task on a TTY), a line per task transition, and a compact
// table of the DAG's final state. Plain text when stdout is not a terminal.

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/sched/scheduler.h"
#include "engine/store/run_store.h"

namespace baton::cmd {

/// Options of the terminal view.
struct TerminalOptions {
  bool color = false;
  bool quiet = false;                // transitions and summary only, no step output
  std::vector<std::string> secrets;  // masked in everything printed
  store::RunStore* store = nullptr;  // step logs are also written here, masked, per line
};

/// A RunObserver that prints to stdout. Log sinks are thread-safe (runner threads).
class TerminalObserver : public sched::RunObserver {
 public:
  explicit TerminalObserver(TerminalOptions options);
  ~TerminalObserver() override;

  void on_run_started(const sched::RunPlan& plan, const sched::RunReport& report) override;
  void on_attempt_started(std::size_t task, int instance, const exec::TaskInvocation& inv) override;
  void on_attempt_finished(std::size_t task, int instance, const exec::TaskInvocation& inv,
                           const exec::TaskOutcome& outcome, bool will_retry) override;
  void on_task_done(std::size_t task, const sched::TaskReport& report) override;
  void on_notice(const std::string& text) override;
  exec::LogSink& log_sink(std::size_t task, int instance, const exec::TaskInvocation& inv,
                          const std::string& task_run_id,
                          const std::vector<std::string>& secrets) override;
  void release_sink(const exec::TaskInvocation& inv) override;
  void on_run_finished(const sched::RunReport& report) override;

  /// Adds secret values to mask (e.g. from Secret workspaces, found after the run started).
  void add_secrets(const std::vector<std::string>& secrets);
  /// Writes one line (adds the newline), masked, under the output lock.
  void print_line(const std::string& line);

 private:
  class Printer;
  struct AttemptLogs;
  std::string color(std::size_t task, const std::string& text) const;
  std::string mask(std::string s) const;

  TerminalOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<AttemptLogs>> sinks_;  // by task run name + attempt
  std::vector<std::string> names_;
  std::string kind_;
  std::set<std::string> notices_;
};

}  // namespace baton::cmd
