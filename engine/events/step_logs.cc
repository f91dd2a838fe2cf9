#include "engine/events/step_logs.h"

namespace baton::events {

// ---- FanOutConsumer ----

void FanOutConsumer::on_step_started(std::size_t step_index, const std::string& step_name) {
  for (auto* c : consumers_) c->on_step_started(step_index, step_name);
}

void FanOutConsumer::on_line(std::size_t step_index, exec::Stream stream, Clock::time_point time,
                             std::string_view line) {
  for (auto* c : consumers_) c->on_line(step_index, stream, time, line);
}

void FanOutConsumer::on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) {
  for (auto* c : consumers_) c->on_step_finished(step_index, outcome);
}

void FanOutConsumer::on_notice(std::string_view text) {
  for (auto* c : consumers_) c->on_notice(text);
}

// ---- StepLogPipeline ----

StepLogPipeline::StepLogPipeline(const SecretMasker& masker, LineConsumer& consumer,
                                 std::function<Clock::time_point()> clock)
    : masker_(masker.fresh()), consumer_(consumer), clock_(std::move(clock)) {}

StepLogPipeline::~StepLogPipeline() { flush(); }

StepLogPipeline::Channel& StepLogPipeline::channel(const Key& key) {
  std::lock_guard lock(channels_mu_);
  auto& slot = channels_[key];
  if (!slot) slot = std::make_unique<Channel>(masker_.fresh(), LineStamper::kMaxLine, clock_);
  return *slot;  // stable: channels are never removed while the pipeline lives
}

LineFn StepLogPipeline::deliver_to(const Key& key) {
  return [this, key](Clock::time_point time, std::string_view line) {
    consumer_.on_line(key.first, key.second, time, line);
  };
}

void StepLogPipeline::on_output(std::size_t step_index, exec::Stream stream,
                                std::string_view bytes) {
  const Key key{step_index, stream};
  Channel& ch = channel(key);
  std::lock_guard lock(ch.mu);
  const std::string masked = ch.masker.feed(bytes);  // the costly part, outside consumer_mu_
  if (masked.empty()) return;
  std::lock_guard consumer_lock(consumer_mu_);
  ch.lines.feed(masked, deliver_to(key));
}

void StepLogPipeline::flush_channel(const Key& key, Channel& ch) {
  std::lock_guard lock(ch.mu);
  const std::string rest = ch.masker.flush();
  std::lock_guard consumer_lock(consumer_mu_);
  const LineFn deliver = deliver_to(key);
  ch.lines.feed(rest, deliver);
  ch.lines.flush(deliver);
}

void StepLogPipeline::on_step_started(std::size_t step_index, const std::string& step_name) {
  std::lock_guard consumer_lock(consumer_mu_);
  consumer_.on_step_started(step_index, step_name);
}

void StepLogPipeline::on_step_finished(std::size_t step_index, const exec::StepOutcome& outcome) {
  for (exec::Stream stream : {exec::Stream::kStdout, exec::Stream::kStderr}) {
    const Key key{step_index, stream};
    Channel* ch = nullptr;
    {
      std::lock_guard lock(channels_mu_);
      auto it = channels_.find(key);
      if (it != channels_.end()) ch = it->second.get();
    }
    if (ch != nullptr) flush_channel(key, *ch);
  }
  exec::StepOutcome masked = outcome;
  masked.message = masker_.mask(outcome.message);
  std::lock_guard consumer_lock(consumer_mu_);
  consumer_.on_step_finished(step_index, masked);
}

void StepLogPipeline::on_notice(std::string_view text) {
  const std::string masked = masker_.mask(text);
  std::lock_guard consumer_lock(consumer_mu_);
  consumer_.on_notice(masked);
}

void StepLogPipeline::flush() {
  std::vector<std::pair<Key, Channel*>> all;
  {
    std::lock_guard lock(channels_mu_);
    for (auto& [key, ch] : channels_) all.emplace_back(key, ch.get());
  }
  for (auto& [key, ch] : all) flush_channel(key, *ch);
}

}  // namespace baton::events
