#pragma once
// LineStamper: turns a byte stream into lines, each stamped with the time its first byte reached
// the stamper, for "every line time-stamped as it is produced". A line keeps its terminator
// ("\n", so "\r\n" stays "\r\n"); bytes are otherwise untouched. A partial line waits for its
// newline or a flush; a line longer than the piece limit (64 KiB) goes out in pieces of exactly
// that size, each stamped with the arrival of its own first byte. A piece that does not end in
// '\n' is therefore either part of a long line or the unterminated end of a stream.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace baton::events {

using Clock = std::chrono::system_clock;

/// Called once per complete line or piece; `line` is only valid during the call.
using LineFn = std::function<void(Clock::time_point time, std::string_view line)>;

/// Splits one stream into stamped lines; not thread-safe (one per stream).
class LineStamper {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;

  /// `clock` is read once per feed() that carries bytes; tests inject a fake one.
  explicit LineStamper(std::size_t max_line = kMaxLine,
                       std::function<Clock::time_point()> clock = &Clock::now);

  /// Appends bytes; calls `emit` for every line completed by them, in order.
  void feed(std::string_view bytes, const LineFn& emit);
  /// Emits the held partial line, if any (end of stream).
  void flush(const LineFn& emit);
  /// Bytes of the partial line currently held.
  std::size_t held_bytes() const { return partial_.size(); }

 private:
  std::size_t max_line_;
  std::function<Clock::time_point()> clock_;
  std::string partial_;
  Clock::time_point partial_time_{};
};

}  // namespace baton::events
