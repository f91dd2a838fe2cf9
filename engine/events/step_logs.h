#pragma once
// StepLogPipeline: the LogSink runners write to. Per (step, stream) it masks secrets, then cuts
// the masked bytes into time-stamped lines, and hands each complete line to a LineConsumer as
// soon as its newline arrives (nothing waits for the end of the step). Bytes the masker holds
// back (a possible secret prefix, fewer than the longest pattern) reach the line stamper with the
// chunk that releases them, so such a line is stamped with that later chunk's arrival.
//
// Threading: runner threads call the LogSink methods concurrently. Masking and line cutting run
// under a lock per (step, stream), so different steps proceed in parallel; every call into the
// consumer is made under one consumer lock, so a consumer sees one call at a time, and the lines
// of one (step, stream) in stream order. Consumers must not call back into the pipeline.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/events/lines.h"
#include "engine/events/masker.h"
#include "engine/exec/runner.h"

namespace baton::events {

/// Receives masked, stamped lines and step transitions from a StepLogPipeline.
class LineConsumer {
 public:
  virtual ~LineConsumer() = default;
  /// A step began.
  virtual void on_step_started(std::size_t step_index, const std::string& step_name) = 0;
  /// One complete line (with its '\n'), or a piece of a long or unterminated line.
  virtual void on_line(std::size_t step_index, exec::Stream stream, Clock::time_point time,
                       std::string_view line) = 0;
  /// A step ended; all of its lines were delivered before this call.
  virtual void on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) = 0;
  /// A runner notice, masked.
  virtual void on_notice(std::string_view text) = 0;
};

/// Calls several consumers in the order given, for every event.
class FanOutConsumer final : public LineConsumer {
 public:
  /// The consumers must outlive this object.
  explicit FanOutConsumer(std::vector<LineConsumer*> consumers = {})
      : consumers_(std::move(consumers)) {}
  /// Adds a consumer after the existing ones (before any event is delivered).
  void add(LineConsumer& consumer) { consumers_.push_back(&consumer); }

  void on_step_started(std::size_t step_index, const std::string& step_name) override;
  void on_line(std::size_t step_index, exec::Stream stream, Clock::time_point time,
               std::string_view line) override;
  void on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) override;
  void on_notice(std::string_view text) override;

 private:
  std::vector<LineConsumer*> consumers_;
};

/// The LogSink of one TaskRun attempt: mask → stamp lines → consumer.
class StepLogPipeline final : public exec::LogSink {
 public:
  /// `consumer` must outlive the pipeline. `clock` stamps lines (tests inject one).
  StepLogPipeline(const SecretMasker& masker, LineConsumer& consumer,
                  std::function<Clock::time_point()> clock = &Clock::now);
  /// Flushes what is still held (see flush()).
  ~StepLogPipeline() override;

  void on_output(std::size_t step_index, exec::Stream stream, std::string_view bytes) override;
  void on_step_started(std::size_t step_index, const std::string& step_name) override;
  /// Flushes both streams of the step, then forwards; the outcome's message is masked.
  void on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) override;
  void on_notice(std::string_view text) override;

  /// Emits every held byte of every step (end of the TaskRun, e.g. after a cancel).
  void flush();

 private:
  struct Channel {
    explicit Channel(SecretMasker m, std::size_t max_line, std::function<Clock::time_point()> clock)
        : masker(std::move(m)), lines(max_line, std::move(clock)) {}
    std::mutex mu;
    SecretMasker masker;
    LineStamper lines;
  };
  using Key = std::pair<std::size_t, exec::Stream>;

  Channel& channel(const Key& key);
  void flush_channel(const Key& key, Channel& ch);
  LineFn deliver_to(const Key& key);

  SecretMasker masker_;  // never fed: the prototype for channels, and one-shot masking
  LineConsumer& consumer_;
  std::function<Clock::time_point()> clock_;
  std::mutex channels_mu_;
  std::map<Key, std::unique_ptr<Channel>> channels_;
  std::mutex consumer_mu_;
};

}  // namespace baton::events
