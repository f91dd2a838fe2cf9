#include "dashboard-api/stream_hub.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace baton::api {

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string text_of(const std::string& bytes) {
  // Log bytes are shown as text; an invalid UTF-8 sequence becomes U+FFFD rather than failing.
  return Json(bytes).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string log_frame(const store::LogChunk& c) {
  return "id: " + std::to_string(c.seq) + "\nevent: log\ndata: {\"seq\":" + std::to_string(c.seq) +
         ",\"stream\":" + Json(c.stream).dump() + ",\"time\":" + std::to_string(c.time) +
         ",\"data\":" + text_of(c.data) + "}\n\n";
}

}  // namespace

std::string event_frame(const store::EventRecord& e) {
  Json payload = Json::parse(e.payload, nullptr, false);
  if (payload.is_discarded()) payload = Json::object();
  Json data = {{"seq", e.seq},
               {"run_id", e.run_id},
               {"time", e.time},
               {"type", e.type},
               {"payload", std::move(payload)}};
  return "id: " + std::to_string(e.seq) + "\nevent: " + e.type +
         "\ndata: " + data.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

StreamHub::StreamHub(store::RunStore& store) : store_(store) {
  if (auto seq = store_.latest_event_seq(); seq.ok()) event_seq_ = *seq;
  thread_ = std::thread([this] { loop(); });
}

StreamHub::~StreamHub() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  store_.notify_change();
  thread_.join();
  for (auto& f : followers_) f->out->close();
  for (auto& f : added_) f->out->close();
}

void StreamHub::follow_log(std::shared_ptr<ResponseStream> out, std::string task_run_id, int step,
                           std::int64_t after_seq) {
  auto f = std::make_shared<Follower>();
  f->out = std::move(out);
  f->is_log = true;
  f->key = std::move(task_run_id);
  f->step = step;
  f->last = after_seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    added_.push_back(std::move(f));
    ++count_;
  }
  store_.notify_change();
}

void StreamHub::follow_events(std::shared_ptr<ResponseStream> out, std::string run_id,
                              std::int64_t after_seq) {
  auto f = std::make_shared<Follower>();
  f->out = std::move(out);
  f->key = std::move(run_id);
  f->last = after_seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    added_.push_back(std::move(f));
    ++count_;
  }
  store_.notify_change();
}

std::size_t StreamHub::followers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

void StreamHub::send_chunks(Follower& f, const std::vector<store::LogChunk>& chunks) {
  for (const auto& c : chunks) {
    if (c.seq <= f.last) continue;
    if (!f.out->write(log_frame(c))) return;
    f.last = c.seq;
  }
}

bool StreamHub::step_over(const std::string& task_run_id, int step) {
  auto tr = store_.get_task_run(task_run_id);
  if (!tr.ok() || store::is_terminal(tr->state)) return true;
  auto steps = store_.list_steps(task_run_id);
  if (!steps.ok()) return true;
  for (const auto& s : *steps) {
    if (s.index == step) return store::is_terminal(s.state);
  }
  return false;
}

void StreamHub::end_log(Follower& f) {
  std::string status = "unknown";
  if (auto steps = store_.list_steps(f.key); steps.ok()) {
    for (const auto& s : *steps) {
      if (s.index == f.step) status = std::string(store::to_string(s.state));
    }
  }
  f.out->write("event: end\ndata: " + Json{{"status", status}}.dump() + "\n\n");
  f.out->close();
}

void StreamHub::catch_up(Follower& f) {
  f.caught_up = true;
  if (f.is_log) {
    const bool over = step_over(f.key, f.step);
    for (;;) {
      auto chunks = store_.read_logs(f.key, f.step, f.last + 1, 1000);
      if (!chunks.ok() || chunks->empty()) break;
      send_chunks(f, *chunks);
      if (!f.out->is_open()) return;
    }
    if (over) end_log(f);
    return;
  }
  if (f.last < 0) {
    f.last = event_seq_;
    return;
  }
  for (;;) {
    auto events = store_.list_events(f.key, f.last, 1000);
    if (!events.ok() || events->empty()) break;
    for (const auto& e : *events) {
      if (!f.out->write(event_frame(e))) return;
      f.last = e.seq;
    }
  }
}

void StreamHub::loop() {
  std::uint64_t seen = store_.change_count();
  auto keepalive_at = Clock::now() + std::chrono::seconds(15);
  bool stale = false;  // event_seq_ fell behind while nobody followed
  for (;;) {
    std::vector<std::shared_ptr<Follower>> fresh;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      fresh.swap(added_);
    }
    if (followers_.empty() && fresh.empty()) {
      // Nobody follows: read nothing (a busy webhook server commits a lot); the cursor is
      // brought up to date when the next follower comes.
      stale = true;
      seen = store_.wait_for_change(seen, std::chrono::seconds(1));
      continue;
    }
    if (stale) {
      if (auto seq = store_.latest_event_seq(); seq.ok()) event_seq_ = *seq;
      stale = false;
    }
    for (auto& f : fresh) {
      catch_up(*f);
      followers_.push_back(std::move(f));
    }
    // The new events, read once for every follower.
    std::set<std::string> touched;  // task runs whose logs or steps changed
    std::set<std::string> ending;   // task runs whose steps changed state
    for (;;) {
      auto events = store_.list_events("", event_seq_, 1000);
      if (!events.ok() || events->empty()) break;
      for (const auto& e : *events) {
        event_seq_ = e.seq;
        if (e.type == "log.appended" || e.type == "step.updated" || e.type == "task_run.finished") {
          Json p = Json::parse(e.payload, nullptr, false);
          if (p.is_object() && p.contains("task_run_id") && p["task_run_id"].is_string()) {
            touched.insert(p["task_run_id"].get<std::string>());
            // Only these can end a followed step: the store is asked about it only then.
            if (e.type != "log.appended") ending.insert(p["task_run_id"].get<std::string>());
          }
        }
        std::string frame;
        for (auto& f : followers_) {
          if (f->is_log || !f->out->is_open() || e.seq <= f->last) continue;
          if (!f->key.empty() && f->key != e.run_id) continue;
          if (frame.empty()) frame = event_frame(e);
          if (f->out->write(frame)) f->last = e.seq;
        }
      }
      if (events->size() < 1000) break;
    }
    // The new chunks of each followed step, read once for all its followers.
    std::map<std::pair<std::string, int>, std::vector<Follower*>> logs;
    for (auto& f : followers_) {
      if (f->is_log && f->out->is_open() && touched.count(f->key)) {
        logs[{f->key, f->step}].push_back(f.get());
      }
    }
    for (auto& [key, group] : logs) {
      const bool over = ending.count(key.first) && step_over(key.first, key.second);
      std::int64_t from = group.front()->last;
      for (Follower* f : group) from = std::min(from, f->last);
      for (;;) {
        auto chunks = store_.read_logs(key.first, key.second, from + 1, 1000);
        if (!chunks.ok() || chunks->empty()) break;
        // Followers that are level with the group share one buffer of frames: one write each
        // per wake, not one per chunk (per-write cost dominates with many small chunks).
        std::string frames;
        for (Follower* f : group) {
          if (f->last != from) {
            send_chunks(*f, *chunks);
            continue;
          }
          if (frames.empty()) {
            for (const auto& c : *chunks) frames += log_frame(c);
          }
          if (f->out->write(frames)) f->last = chunks->back().seq;
        }
        from = chunks->back().seq;
        if (chunks->size() < 1000) break;
      }
      if (over) {
        for (Follower* f : group) end_log(*f);
      }
    }
    if (Clock::now() >= keepalive_at) {
      // A comment line: finds clients that went away while nothing was written to them.
      for (auto& f : followers_) f->out->write(": keepalive\n\n");
      keepalive_at = Clock::now() + std::chrono::seconds(15);
    }
    std::size_t before = followers_.size();
    std::erase_if(followers_, [](const auto& f) { return !f->out->is_open(); });
    if (before != followers_.size()) {
      std::lock_guard<std::mutex> lock(mu_);
      count_ -= before - followers_.size();
    }
    // Wait for the next commit; the timeout also sees writes of other processes. Then let a
    // burst of commits gather (a step writes many small batches): one round serves them all,
    // so the hub's work follows the time that passes, not the number of commits.
    seen = store_.wait_for_change(seen, std::chrono::seconds(1));
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_; });
  }
}

}  // namespace baton::api
