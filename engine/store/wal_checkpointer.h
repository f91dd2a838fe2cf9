#pragma once
// WalCheckpointer: SQLite's WAL checkpoints off the writer's commits. By default the connection
// whose commit takes the WAL past 1,000 pages copies the WAL into the database file and syncs
// it inside that commit: tens of milliseconds added to whichever webhook delivery's group
// commit crossed the line (the tail of `baton serve`'s latency). Here the writer's commit only
// signals, and a thread with its own connection runs the same PASSIVE checkpoint. Durability
// does not change: a commit is durable once its WAL frames are synced, checkpointed or not.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/store/sqlite.h"

namespace baton::store {

class WalCheckpointer {
 public:
  /// Opens a connection to `writer`'s database and takes over its checkpoints: one starts when
  /// a commit leaves at least `pages` pages in the WAL.
  static Result<std::unique_ptr<WalCheckpointer>> start(Database& writer,
                                                        const DatabaseOptions& options,
                                                        int pages = 1000);
  /// Gives the checkpoints back to the writer and stops the thread.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// Checkpoints run so far (for tests).
  std::uint64_t checkpoints() const;

 private:
  WalCheckpointer(Database& writer, std::unique_ptr<Database> own, int pages);
  void loop();

  Database& writer_;
  std::unique_ptr<Database> own_;
  const int pages_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::uint64_t done_ = 0;
  std::thread thread_;
};

}  // namespace baton::store
