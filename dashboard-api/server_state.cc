#include "dashboard-api/server_state.h"

namespace baton::api {

bool ServerState::add(SessionControl* key, std::weak_ptr<SessionControl> session) {
  std::lock_guard lock(mu_);
  if (draining_ || sessions_.size() >= options_.max_connections) return false;
  sessions_.emplace(key, std::move(session));
  return true;
}

void ServerState::remove(SessionControl* key) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(key) > 0 && sessions_.empty()) empty_.notify_all();
}

std::size_t ServerState::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

bool ServerState::draining() const {
  std::lock_guard lock(mu_);
  return draining_;
}

std::vector<std::shared_ptr<SessionControl>> ServerState::begin_drain() {
  {
    std::lock_guard lock(mu_);
    draining_ = true;
  }
  return sessions();
}

std::vector<std::shared_ptr<SessionControl>> ServerState::sessions() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<SessionControl>> out;
  out.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

bool ServerState::wait_empty_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

}  // namespace baton::api
