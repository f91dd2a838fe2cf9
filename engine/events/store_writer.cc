#include "engine/events/store_writer.h"

#include <utility>

namespace baton::events {

StoreLogWriter::StoreLogWriter(store::RunStore& store, std::string task_run_id,
                               StoreLogWriterOptions options)
    : store_(store), task_run_id_(std::move(task_run_id)), options_(options) {}

StoreLogWriter::~StoreLogWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  if (flusher_.joinable()) flusher_.join();
}

void StoreLogWriter::on_step_started(std::size_t, const std::string&) {}

void StoreLogWriter::on_notice(std::string_view) {}  // runner notices are not step output

void StoreLogWriter::on_line(std::size_t step_index, exec::Stream stream, Clock::time_point time,
                             std::string_view line) {
  const std::int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const int step = static_cast<int>(step_index);
  const char* stream_name = exec::to_string(stream);
  std::unique_lock lock(mu_);
  written_.wait(
      lock, [&] { return stop_ || batch_bytes_ + in_flight_bytes_ < options_.max_pending_bytes; });
  const bool was_empty = batch_.empty();
  if (was_empty) batch_started_ = std::chrono::steady_clock::now();
  store::LogChunk* last = was_empty ? nullptr : &batch_.back();
  if (last != nullptr && last->step_index == step && last->time == ms &&
      last->stream == stream_name && last->data.size() + line.size() <= options_.flush_bytes) {
    last->data.append(line);
  } else {
    batch_.push_back(store::LogChunk{step, stream_name, ms, std::string(line), 0});
  }
  batch_bytes_ += line.size();
  ++received_;
  // The flusher starts with the first line: most attempts of a big pipeline print nothing, and
  // a thread per attempt was measurable in `baton run` of 1,000 `true` tasks.
  if (!flusher_.joinable()) flusher_ = std::thread([this] { run(); });
  if (was_empty || batch_bytes_ >= options_.flush_bytes) wake_.notify_one();
}

void StoreLogWriter::on_step_finished(std::size_t, const exec::StepOutcome&) {
  {
    std::lock_guard lock(mu_);
    flush_requested_ = true;
  }
  wake_.notify_one();
}

Status StoreLogWriter::sync() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = received_;
  if (settled_ >= target) return error_;  // nothing pending (and maybe no flusher at all)
  flush_requested_ = true;
  wake_.notify_one();
  written_.wait(lock, [&] { return settled_ >= target; });
  return error_;
}

std::size_t StoreLogWriter::dropped_bytes() const {
  std::lock_guard lock(mu_);
  return dropped_bytes_;
}

std::size_t StoreLogWriter::batches_written() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void StoreLogWriter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || flush_requested_ || !batch_.empty(); });
    if (batch_.empty()) {
      flush_requested_ = false;
      if (stop_) return;
      continue;
    }
    wake_.wait_until(lock, batch_started_ + options_.max_delay, [&] {
      return stop_ || flush_requested_ || batch_bytes_ >= options_.flush_bytes;
    });
    std::vector<store::LogChunk> chunks = std::exchange(batch_, {});
    const std::size_t bytes = std::exchange(batch_bytes_, 0);
    const std::uint64_t upto = received_;
    in_flight_bytes_ = bytes;
    flush_requested_ = false;

    lock.unlock();
    auto appended = store_.append_logs(task_run_id_, chunks);
    lock.lock();

    ++batches_;
    if (!appended.ok()) {
      if (error_.ok()) error_ = appended.error();
      dropped_bytes_ += bytes;
    }
    in_flight_bytes_ = 0;
    settled_ = upto;
    written_.notify_all();
  }
}

}  // namespace baton::events
