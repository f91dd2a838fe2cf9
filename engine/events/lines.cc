#include "engine/events/lines.h"

#include <algorithm>
#include <cstring>

#include "engine/common/check.h"

namespace baton::events {

LineStamper::LineStamper(std::size_t max_line, std::function<Clock::time_point()> clock)
    : max_line_(max_line), clock_(std::move(clock)) {
  BATON_CHECK(max_line_ > 0, "LineStamper needs a positive piece limit");
}

void LineStamper::feed(std::string_view bytes, const LineFn& emit) {
  if (bytes.empty()) return;
  const Clock::time_point now = clock_();
  while (!bytes.empty()) {
    const Clock::time_point time = partial_.empty() ? now : partial_time_;
    const std::size_t room = max_line_ - partial_.size();
    const void* nl = std::memchr(bytes.data(), '\n', std::min(room, bytes.size()));
    if (nl == nullptr && bytes.size() < room) {
      // No line end yet: hold the partial line (stamped by its first byte).
      if (partial_.empty()) partial_time_ = now;
      partial_.append(bytes);
      return;
    }
    // A line ends here, or the piece limit is reached.
    const std::size_t n =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1
                      : room;
    if (partial_.empty()) {
      emit(time, bytes.substr(0, n));  // whole line inside this chunk: no copy
    } else {
      partial_.append(bytes.substr(0, n));
      emit(time, partial_);
      partial_.clear();
    }
    bytes.remove_prefix(n);
  }
}

void LineStamper::flush(const LineFn& emit) {
  if (partial_.empty()) return;
  emit(partial_time_, partial_);
  partial_.clear();
}

}  // namespace baton::events
