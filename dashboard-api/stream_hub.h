#pragma once
// StreamHub: the live side of the API's Server-Sent Events. One thread waits on the run store's
// change signal (no polling per client) and, per wake, reads the new events once and the new
// chunks of each followed log once, then fans them out to every follower. Each follower keeps
// its own last seq, so catching up (Last-Event-ID) and live delivery never skip or repeat.
// A follower whose connection buffer overflows is dropped by the HTTP server (ResponseStream).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dashboard-api/http_types.h"
#include "engine/store/run_store.h"

namespace baton::api {

/// One SSE frame of an event: id = seq, event = type, data = {seq, run_id, time, type, payload}.
std::string event_frame(const store::EventRecord& e);

/// Fans store changes out to SSE clients.
class StreamHub {
 public:
  explicit StreamHub(store::RunStore& store);
  ~StreamHub();  // stops the thread and closes every stream
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  /// Follows one step's log from chunk `after_seq` + 1; ends with `event: end` once the step
  /// is over.
  void follow_log(std::shared_ptr<ResponseStream> out, std::string task_run_id, int step,
                  std::int64_t after_seq);
  /// Follows events of `run_id` ("" = every run) after `after_seq` (-1: only new ones).
  void follow_events(std::shared_ptr<ResponseStream> out, std::string run_id,
                     std::int64_t after_seq);
  /// Followers open now.
  std::size_t followers() const;

 private:
  struct Follower {
    std::shared_ptr<ResponseStream> out;
    bool is_log = false;
    std::string key;  // task run id (log) or run id (events; "" = all)
    int step = 0;
    std::int64_t last = 0;
    bool caught_up = false;
  };
  void loop();
  void catch_up(Follower& f);
  void send_chunks(Follower& f, const std::vector<store::LogChunk>& chunks);
  bool step_over(const std::string& task_run_id, int step);
  void end_log(Follower& f);

  store::RunStore& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;                        // wakes the coalescing wait on stop
  std::vector<std::shared_ptr<Follower>> added_;      // guarded by mu_
  std::size_t count_ = 0;                             // guarded by mu_
  bool stop_ = false;                                 // guarded by mu_
  std::vector<std::shared_ptr<Follower>> followers_;  // hub thread only
  std::int64_t event_seq_ = 0;                        // hub thread only: events read so far
  std::thread thread_;
};

}  // namespace baton::api
