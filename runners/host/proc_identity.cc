#include "runners/host/proc_identity.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "runners/host/unique_fd.h"

namespace baton::runners {
namespace {

std::string read_small(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  std::string out;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  const std::string stat = read_small("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and ')', so fields start after the
  // last ')'.
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) return std::nullopt;
  ProcStat out;
  const char* p = stat.c_str() + paren + 2;
  for (int field = 3; field <= 22 && *p; ++field) {
    const char* end = p;
    while (*end && *end != ' ') ++end;
    if (field == 3) out.state = *p;
    if (field == 5) out.pgrp = static_cast<pid_t>(std::strtol(p, nullptr, 10));
    if (field == 22) {
      out.start_time = std::strtoull(p, nullptr, 10);
      return out;
    }
    p = *end ? end + 1 : end;
  }
  return std::nullopt;
}

const std::string& boot_id() {
  static const std::string id = [] {
    std::string s = read_small("/proc/sys/kernel/random/boot_id");
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }();
  return id;
}

std::optional<exec::ProcessIdentity> identity_of(pid_t pid) {
  auto st = read_proc_stat(pid);
  if (!st) return std::nullopt;
  return exec::ProcessIdentity{pid, st->pgrp, st->start_time, boot_id()};
}

std::vector<pid_t> group_members(pid_t pgid, std::uint64_t since) {
  std::vector<pid_t> out;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc"), ::closedir);
  if (!dir) return out;
  while (const dirent* e = ::readdir(dir.get())) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    auto st = read_proc_stat(static_cast<pid_t>(pid));
    if (st && st->pgrp == pgid && st->start_time >= since && st->state != 'Z' && st->state != 'X')
      out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

}  // namespace baton::runners
