#include "engine/events/masker.h"

#include <algorithm>

#include "engine/common/check.h"
#include "engine/events/mask_automaton.h"

namespace baton::events {

SecretMasker::SecretMasker(const std::vector<std::string>& secrets)
    : automaton_(std::make_shared<const MaskAutomaton>(MaskAutomaton::patterns_for(secrets))) {}

SecretMasker::SecretMasker(std::shared_ptr<const MaskAutomaton> automaton)
    : automaton_(std::move(automaton)) {}

SecretMasker SecretMasker::fresh() const { return SecretMasker(automaton_); }

std::vector<std::string> SecretMasker::patterns() const { return automaton_->patterns(); }

std::size_t SecretMasker::longest_pattern() const { return automaton_->longest_pattern(); }

std::string SecretMasker::feed(std::string_view chunk) {
  const MaskAutomaton& a = *automaton_;
  if (a.empty()) return std::string(chunk);
  const std::uint64_t base = total_;
  const auto* bytes = reinterpret_cast<const unsigned char*>(chunk.data());
  MaskAutomaton::State state = state_;
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    state = a.step(state, bytes[i]);
    if (a.has_output(state)) {
      // Only the longest pattern ending here matters: shorter ones lie inside it.
      const std::uint64_t end = base + i + 1;
      add_match(chunk, base, end - a.longest(state), end);
    }
  }
  state_ = state;
  total_ = base + chunk.size();
  std::string out;
  // No future match can start before total_ - depth: the automaton's state is the longest
  // suffix of the input that could still grow into a pattern.
  emit(chunk, base, total_ - a.depth(state), out);
  return out;
}

std::string SecretMasker::flush() {
  std::string out;
  emit({}, total_, total_, out);
  state_ = MaskAutomaton::kStart;
  return out;
}

std::string SecretMasker::mask(std::string_view whole) const {
  SecretMasker m = fresh();
  std::string out = m.feed(whole);
  out += m.flush();
  return out;
}

void SecretMasker::add_match(std::string_view chunk, std::uint64_t base, std::uint64_t start,
                             std::uint64_t end) {
  // Matches arrive in order of their end, so only trailing masks can overlap the new one.
  while (!masks_.empty() && masks_.back().end > start) {
    start = std::min(start, masks_.back().start);
    masks_.pop_back();
  }
  BATON_CHECK(start >= emitted_, "secret match starts inside already emitted output");
  if (start <= appended_) {
    raw_.resize(masks_.empty() ? start - emitted_
                               : masks_.back().raw_pos + (start - masks_.back().end));
  } else {
    raw_.append(chunk.substr(appended_ - base, start - appended_));
  }
  masks_.push_back(Mask{start, end, raw_.size()});
  appended_ = end;
}

void SecretMasker::emit(std::string_view chunk, std::uint64_t base, std::uint64_t safe,
                        std::string& out) {
  if (masks_.empty() && safe >= appended_) {
    // Common case, nothing masked pending: one copy of the chunk into the output.
    out.reserve(raw_.size() + (safe - appended_));
    out += raw_;
    out.append(chunk.substr(appended_ - base, safe - appended_));
    raw_.assign(chunk.substr(safe - base));
    emitted_ = safe;
    appended_ = total_;
    return;
  }
  if (appended_ < total_) raw_.append(chunk.substr(appended_ - base));
  appended_ = total_;

  std::size_t cursor = 0;  // raw_ bytes consumed
  std::size_t done = 0;    // masks emitted
  for (; done < masks_.size() && masks_[done].end <= safe; ++done) {
    out.append(raw_, cursor, masks_[done].raw_pos - cursor);
    out += kMaskText;
    cursor = masks_[done].raw_pos;
    emitted_ = masks_[done].end;
  }
  // A mask still open (it may yet grow) keeps everything from its start.
  const std::uint64_t upto = done < masks_.size() ? std::min(safe, masks_[done].start) : safe;
  if (upto > emitted_) {
    const auto n = static_cast<std::size_t>(upto - emitted_);
    out.append(raw_, cursor, n);
    cursor += n;
    emitted_ = upto;
  }
  raw_.erase(0, cursor);
  masks_.erase(masks_.begin(), masks_.begin() + static_cast<std::ptrdiff_t>(done));
  for (auto& m : masks_) m.raw_pos -= cursor;
}

}  // namespace baton::events
