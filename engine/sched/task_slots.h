#pragma once
// TaskSlots: the global limit of TaskRun attempts running at once across every run of a
// `baton serve` process. A scheduler that finds no free slot queues a callback; a released slot
// is handed straight to the longest-waiting scheduler (the callback tells it it owns one now),
// so runs get slots in the order they asked and no wakeup is lost.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace baton::sched {

/// A counting semaphore that wakes waiters by callback instead of blocking a thread.
class TaskSlots {
 public:
  explicit TaskSlots(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}

  /// Takes a slot if one is free. Otherwise queues `granted` for `owner`: it is called (from the
  /// releasing thread, under this object's lock, so it must only record and notify) when a slot
  /// is handed to the owner, who must use or release() it.
  bool try_acquire(const void* owner, std::function<void()> granted);
  /// Returns a slot (handing it to the first waiter, if any).
  void release();
  /// Forgets `owner`'s queued requests; no callback of it runs after this returns.
  void cancel_wait(const void* owner);
  /// Slots taken now.
  std::size_t in_use() const;
  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  mutable std::mutex mu_;
  std::size_t used_ = 0;
  struct Waiter {
    const void* owner;
    std::function<void()> granted;
  };
  std::deque<Waiter> waiters_;
};

}  // namespace baton::sched
