#include "engine/sched/task_slots.h"

#include <algorithm>

namespace baton::sched {

bool TaskSlots::try_acquire(const void* owner, std::function<void()> granted) {
  std::lock_guard<std::mutex> lock(mu_);
  if (used_ < limit_ && waiters_.empty()) {
    ++used_;
    return true;
  }
  waiters_.push_back(Waiter{owner, std::move(granted)});
  return false;
}

void TaskSlots::release() {
  std::lock_guard<std::mutex> lock(mu_);
  if (waiters_.empty()) {
    if (used_ > 0) --used_;
    return;
  }
  // Hand the slot over (used_ unchanged). Called under the lock so cancel_wait() can promise
  // that no callback of a departed owner runs afterwards.
  Waiter w = std::move(waiters_.front());
  waiters_.pop_front();
  w.granted();
}

void TaskSlots::cancel_wait(const void* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(waiters_, [owner](const Waiter& w) { return w.owner == owner; });
}

std::size_t TaskSlots::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

}  // namespace baton::sched
