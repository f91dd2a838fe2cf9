#pragma once
// StoreLogWriter: the LineConsumer that persists step logs into RunStore::append_logs.
//
// Lines are batched and written by one flusher thread (started by the first line), so a runner
// thread never waits for SQLite. A batch is written when it reaches `flush_bytes` (64 KiB), when a
// step finishes, on sync(), or at the latest `max_delay` (100 ms) after its first line arrived — a
// timed wait in the flusher, chosen over "flush on the next write" because the next write may never
// come (a step that prints one line and then compiles for ten minutes). Consecutive lines of the
// same (step, stream) stamped in the same millisecond share one stored chunk: the store keeps one
// time per chunk in ms, so nothing is lost, and a burst of short lines costs one row, not hundreds.
//
// Backpressure: when more than `max_pending_bytes` wait for the store, on_line blocks until the
// flusher catches up, which stalls the runner's pipe reads and thus the step — memory stays
// bounded. A failed append is not retried: the batch is counted in dropped_bytes(), the first
// error is kept for sync(), and logging goes on (a log write must not fail the run).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/common/result.h"
#include "engine/events/step_logs.h"
#include "engine/store/run_store.h"

namespace baton::events {

/// Tuning of StoreLogWriter.
struct StoreLogWriterOptions {
  std::size_t flush_bytes = 64 * 1024;
  std::chrono::milliseconds max_delay{100};
  std::size_t max_pending_bytes = 4 * 1024 * 1024;
};

/// Persists the lines of one task run attempt into the run store.
class StoreLogWriter final : public LineConsumer {
 public:
  /// `store` must outlive the writer; `task_run_id` must exist in it.
  StoreLogWriter(store::RunStore& store, std::string task_run_id,
                 StoreLogWriterOptions options = {});
  /// Writes what is pending and stops the flusher.
  ~StoreLogWriter() override;
  StoreLogWriter(const StoreLogWriter&) = delete;
  StoreLogWriter& operator=(const StoreLogWriter&) = delete;

  void on_step_started(std::size_t step_index, const std::string& step_name) override;
  void on_line(std::size_t step_index, exec::Stream stream, Clock::time_point time,
               std::string_view line) override;
  /// Asks the flusher to write now, without waiting for it.
  void on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) override;
  void on_notice(std::string_view text) override;

  /// Blocks until every line received so far has been written (or dropped); returns the first
  /// store error seen since construction, if any.
  Status sync();
  /// Bytes of lines the store refused.
  std::size_t dropped_bytes() const;
  /// append_logs calls made so far.
  std::size_t batches_written() const;

 private:
  void run();

  store::RunStore& store_;
  const std::string task_run_id_;
  const StoreLogWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;     // flusher: work, a flush request or stop
  std::condition_variable written_;  // sync() and backpressure waiters
  std::vector<store::LogChunk> batch_;
  std::size_t batch_bytes_ = 0;
  std::size_t in_flight_bytes_ = 0;
  std::chrono::steady_clock::time_point batch_started_{};
  std::uint64_t received_ = 0;  // lines accepted
  std::uint64_t settled_ = 0;   // lines written or dropped
  bool flush_requested_ = false;
  bool stop_ = false;
  Status error_;
  std::size_t dropped_bytes_ = 0;
  std::size_t batches_ = 0;
  std::thread flusher_;  // started by the first line (under mu_), joined by the destructor
};

}  // namespace baton::events
