#include "engine/store/wal_checkpointer.h"

#include <pthread.h>
#include <signal.h>

namespace baton::store {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(Database& writer,
                                                                const DatabaseOptions& options,
                                                                int pages) {
  auto own = Database::open(writer.path(), options);
  if (!own.ok()) return own.error();
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(writer, std::move(own).value(), pages));
}

WalCheckpointer::WalCheckpointer(Database& writer, std::unique_ptr<Database> own, int pages)
    : writer_(writer), own_(std::move(own)), pages_(pages > 0 ? pages : 1) {
  // The thread takes no process signals: commands that sigwait for SIGINT/SIGTERM (baton run)
  // may block them only after the store is open, and a thread that did not block them would
  // take the default action (death) for the whole process. Blocked around the spawn, so the
  // new thread starts with everything blocked.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  thread_ = std::thread([this] { loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  writer_.set_wal_hook([this](int wal_pages) {
    if (wal_pages < pages_) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted_ = true;
    }
    cv_.notify_one();
  });
}

WalCheckpointer::~WalCheckpointer() {
  // The owner holds the writer lock or has no writes left: no commit calls the hook meanwhile.
  writer_.set_wal_hook({});
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

void WalCheckpointer::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // A failed checkpoint leaves the WAL longer, nothing else; the next commit asks again.
    (void)own_->checkpoint_passive();
    lock.lock();
    ++done_;
  }
}

}  // namespace baton::store
