#include "fake_runner.h"

namespace baton::sched::testing {

namespace {

class FakeExecution : public exec::Execution {
 public:
  void cancel(bool) override {}  // attempts end only through the test
};

}  // namespace

std::unique_ptr<exec::Execution> FakeRunner::start(const exec::TaskInvocation& inv,
                                                   exec::LogSink& /*sink*/,
                                                   std::function<void(exec::TaskOutcome)> on_done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.push_back(FakeAttempt{inv, std::move(on_done)});
    started_.push_back(inv);
    max_running_ = std::max(max_running_, running_.size());
  }
  cv_.notify_all();
  return std::make_unique<FakeExecution>();
}

void FakeRunner::fail(const std::string& task_run_name, int succeed_from_attempt) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_until_[task_run_name] = succeed_from_attempt;
}

void FakeRunner::results(const std::string& task_run_name, std::map<std::string, std::string> r) {
  std::lock_guard<std::mutex> lock(mu_);
  results_[task_run_name] = std::move(r);
}

bool FakeRunner::finish_one() { return finish_within(std::chrono::seconds(10)); }

bool FakeRunner::finish_one_if_running() { return finish_within(std::chrono::milliseconds(10)); }

bool FakeRunner::finish_within(std::chrono::milliseconds wait) {
  FakeAttempt a;
  exec::TaskOutcome o;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, wait, [&] { return !running_.empty(); })) {
      return false;
    }
    a = std::move(running_.front());
    running_.pop_front();
    auto f = fail_until_.find(a.inv.task_run_name);
    o.succeeded = f == fail_until_.end() || a.inv.attempt >= f->second;
    o.reason = o.succeeded ? "Succeeded" : "Failed";
    if (o.succeeded) o.results = results_[a.inv.task_run_name];
  }
  o.started_at = o.finished_at = std::chrono::system_clock::now();
  a.on_done(std::move(o));  // outside the lock: the scheduler may start the next attempt
  return true;
}

std::size_t FakeRunner::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_.size();
}

std::size_t FakeRunner::max_running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_running_;
}

std::vector<exec::TaskInvocation> FakeRunner::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

}  // namespace baton::sched::testing
