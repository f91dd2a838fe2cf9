#include "runners/host/process_set.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace baton::runners {
namespace {

// Without pidfds (kernel < 5.3) exits are noticed by polling try_wait() this often.
constexpr std::chrono::milliseconds kNoPidfdTick{20};
// Pipes of an exited step stay open only while an escaped (setsid) process holds them.
constexpr std::chrono::milliseconds kDrainLimit{2000};
// After SIGKILL a process is gone at once unless stuck in the kernel.
constexpr std::chrono::milliseconds kKillWait{10000};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Status ProcessSet::init() {
  wake_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd_.valid()) return Fail(std::string("eventfd: ") + std::strerror(errno));
  return {};
}

void ProcessSet::wake() {
  const std::uint64_t one = 1;
  // EAGAIN (counter saturated) still leaves the fd readable, which is all we need.
  (void)!::write(wake_fd_.get(), &one, sizeof one);
}

Proc& ProcessSet::add(std::unique_ptr<Proc> proc) {
  procs_.push_back(std::move(proc));
  return *procs_.back();
}

void ProcessSet::remove(Proc& proc) {
  std::erase_if(procs_, [&](const std::unique_ptr<Proc>& p) { return p.get() == &proc; });
}

void ProcessSet::read_stream(Proc& p, exec::Stream stream) {
  UniqueFd& fd = stream == exec::Stream::kStdout ? p.sp->out() : p.sp->err();
  UniqueFd& copy = stream == exec::Stream::kStdout ? p.copy_out : p.copy_err;
  char buf[65536];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // EOF, or a read error we cannot recover from
    fd.reset();
    return;
  }
  const std::string_view bytes(buf, static_cast<std::size_t>(n));
  if (!p.discard_output) sink_.on_output(p.sink_index, stream, bytes);
  if (copy.valid() && !write_all(copy.get(), bytes)) {
    if (!copy_error_reported_) {
      sink_.on_notice(std::string("host runner: copying step output to its stdoutConfig/"
                                  "stderrConfig file failed: ") +
                      std::strerror(errno));
      copy_error_reported_ = true;
    }
    copy.reset();
  }
}

void ProcessSet::pump_once(SteadyClock::time_point deadline) {
  enum Which { kOut, kErr, kExit };
  std::vector<pollfd> fds{{wake_fd_.get(), POLLIN, 0}};
  std::vector<std::pair<Proc*, Which>> owners{{nullptr, kExit}};
  bool need_tick = false;
  for (auto& p : procs_) {
    if (p->sp->out().valid()) {
      fds.push_back({p->sp->out().get(), POLLIN, 0});
      owners.emplace_back(p.get(), kOut);
    }
    if (p->sp->err().valid()) {
      fds.push_back({p->sp->err().get(), POLLIN, 0});
      owners.emplace_back(p.get(), kErr);
    }
    if (!p->exited()) {
      if (p->sp->exit_fd() >= 0) {
        fds.push_back({p->sp->exit_fd(), POLLIN, 0});
        owners.emplace_back(p.get(), kExit);
      } else {
        need_tick = true;
      }
    }
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (need_tick) wait = std::min(wait, kNoPidfdTick);
  const int timeout_ms =
      static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(wait.count(), 0, INT_MAX));
  const int n = ::poll(fds.data(), fds.size(), timeout_ms);
  if (n < 0) return;  // EINTR; nothing else is expected with valid descriptors
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto [p, which] = owners[i];
    if (!p) {
      std::uint64_t count;
      (void)!::read(wake_fd_.get(), &count, sizeof count);
    } else if (which == kOut) {
      read_stream(*p, exec::Stream::kStdout);
    } else if (which == kErr) {
      read_stream(*p, exec::Stream::kStderr);
    } else {
      (void)p->sp->try_wait();
    }
  }
  if (need_tick) {
    for (auto& p : procs_) (void)p->sp->try_wait();
  }
}

void ProcessSet::terminate(const std::vector<Proc*>& procs, std::chrono::milliseconds grace) {
  auto all_exited = [&] {
    return std::all_of(procs.begin(), procs.end(), [](Proc* p) { return p->exited(); });
  };
  for (Proc* p : procs) {
    if (!p->exited()) p->sp->signal_group(SIGTERM);
  }
  const auto grace_end = SteadyClock::now() + grace;
  while (!all_exited() && SteadyClock::now() < grace_end) pump_once(grace_end);
  for (Proc* p : procs) {
    if (!p->exited()) p->sp->signal_group(SIGKILL);
  }
  const auto kill_end = SteadyClock::now() + kKillWait;
  while (!all_exited() && SteadyClock::now() < kill_end) pump_once(kill_end);
}

void ProcessSet::finish(Proc& proc) {
  // Like a container's processes, whatever the step left running in its group dies with it.
  proc.sp->signal_group(SIGKILL);
  const auto end = SteadyClock::now() + kDrainLimit;
  while (proc.pipes_open() && SteadyClock::now() < end) pump_once(end);
  proc.sp->out().reset();
  proc.sp->err().reset();
}

}  // namespace baton::runners
