// The only file of Baton that calls clone/exec/waitpid/kill. Between clone and exec the child
// runs only async-signal-safe system calls: everything it needs (argv, envp, candidate paths,
// directories to create) is prepared in the parent first, because other threads may hold
// allocator locks at the moment of the clone.
//
// Why clone(CLONE_VM | CLONE_VFORK) and not fork(): fork() copies the page tables of the whole
// engine (a big, multithreaded process) and then both sides take copy-on-write faults until the
// child execs; that was ~35% of `baton run` CPU on 1,000 `true` steps (tests/bench/README.md).
// posix_spawn would avoid it the same way (glibc uses this clone), but it cannot unshare a mount
// namespace and bind /tekton and /workspace before exec, so the child here does it by hand, with
// the same rules glibc follows: the child runs on its own small stack, the parent is suspended
// until the child execs or exits (so the child may write the failure report straight into the
// parent's memory, no status pipe), and every signal is blocked across the clone so no handler
// of the engine ever runs in the child before its handlers are reset.
#include "runners/host/subprocess.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "runners/host/proc_identity.h"

namespace baton::runners {
namespace {

// What the child reports through the close-on-exec status pipe before _exit(127). EOF without
// a report means exec succeeded.
enum class Stage : int { kUnshare, kMakePrivate, kMount, kRemountRo, kChdir, kStdio, kExec };
struct Report {
  Stage stage;
  int err;
  int index;  // mount index for kMount/kRemountRo, -1 otherwise
};

std::string errno_text(int err) {
  char buf[256];
  return strerror_r(err, buf, sizeof buf);  // GNU variant: returns the message
}

// "/a/b/c" -> {"/a", "/a/b", "/a/b/c"}, so the child can mkdir -p without allocating.
std::vector<std::string> prefixes(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (i > 1 && path[i - 1] != '/') out.push_back(path.substr(0, i));
    }
  }
  return out;
}

std::vector<char*> c_array(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> exec_candidates(const SpawnSpec& spec) {
  const std::string& name = spec.argv[0];
  if (name.find('/') != std::string::npos) return {name};
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& kv : spec.env) {
    if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    out.push_back((dir.empty() ? "." : dir) + "/" + name);
    start = end + 1;
  }
  return out;
}

struct ChildPlan {
  std::vector<char*> argv, envp;
  std::vector<std::string> candidates;
  std::vector<std::vector<std::string>> mount_dirs;  // mkdir -p list per mount
  std::vector<std::string> cwd_dirs;
};

// Everything the child needs, in the parent's memory (shared with the child by CLONE_VM).
struct ChildArgs {
  pid_t parent;  // the engine's pid, to notice it died before PR_SET_PDEATHSIG took effect
  const SpawnSpec* spec;
  const ChildPlan* plan;
  int out_w, err_w;
  Report* report;  // written by the child only when it fails; read after it has exited
  bool* failed;
};

[[noreturn]] void child_fail(const ChildArgs& a, Stage stage, int err, int index = -1) {
  *a.report = Report{stage, err, index};
  *a.failed = true;
  _exit(127);
}

void mkdir_all(const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    (void)mkdir(d.c_str(), 0755);  // EEXIST and friends: chdir/mount report
}

// The clone child's entry point. Signals are all blocked on entry (the parent blocked them);
// handlers go back to SIG_DFL before the mask is cleared, so none of the engine's runs here.
int run_child(void* arg) {
  const ChildArgs& a = *static_cast<const ChildArgs*>(arg);
  const SpawnSpec& spec = *a.spec;
  const ChildPlan& plan = *a.plan;
  (void)setpgid(0, 0);
  if (spec.die_with_thread) {
    // Before exec, so the step is covered from its first instruction; a parent that died
    // before this call is caught by the getppid() check (we were reparented).
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != a.parent) _exit(127);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &dfl, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  (void)sigprocmask(SIG_SETMASK, &empty, nullptr);
  if (spec.mount_namespace) {
    if (unshare(CLONE_NEWNS) != 0) child_fail(a, Stage::kUnshare, errno);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      child_fail(a, Stage::kMakePrivate, errno);
    }
    for (std::size_t i = 0; i < spec.mounts.size(); ++i) {
      const BindMount& m = spec.mounts[i];
      const int idx = static_cast<int>(i);
      mkdir_all(plan.mount_dirs[i]);
      if (mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        child_fail(a, Stage::kMount, errno, idx);
      }
      if (m.read_only && mount(nullptr, m.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
                               nullptr) != 0) {
        child_fail(a, Stage::kRemountRo, errno, idx);
      }
    }
  }
  mkdir_all(plan.cwd_dirs);
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) child_fail(a, Stage::kChdir, errno);
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(a.out_w, 1) < 0 || dup2(a.err_w, 2) < 0) {
    child_fail(a, Stage::kStdio, errno);
  }
  // Descriptors the engine opened without O_CLOEXEC must not leak into steps.
  (void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  int best_err = ENOENT;
  for (const auto& cand : plan.candidates) {
    // ETXTBSY: another thread's child briefly holds a just-written script open for writing.
    for (int tries = 0; tries < 200; ++tries) {
      execve(cand.c_str(), plan.argv.data(), plan.envp.data());
      if (errno != ETXTBSY) break;
      struct timespec ts {
        0, 5'000'000
      };
      (void)nanosleep(&ts, nullptr);
    }
    if (errno != ENOENT && errno != ENOTDIR) best_err = errno;
  }
  child_fail(a, Stage::kExec, best_err);
}

std::string describe(const SpawnSpec& spec, const Report& r) {
  const std::string why = errno_text(r.err);
  const std::size_t i = r.index >= 0 ? static_cast<std::size_t>(r.index) : 0;
  switch (r.stage) {
    case Stage::kUnshare:
      return "unshare(CLONE_NEWNS): " + why;
    case Stage::kMakePrivate:
      return "making / a private mount: " + why;
    case Stage::kMount:
      return "bind mount " + spec.mounts[i].source + " on " + spec.mounts[i].target + ": " + why;
    case Stage::kRemountRo:
      return "read-only remount of " + spec.mounts[i].target + ": " + why;
    case Stage::kChdir:
      return "working directory \"" + spec.cwd + "\": " + why;
    case Stage::kStdio:
      return "setting up stdin/stdout/stderr: " + why;
    case Stage::kExec:
      if (r.err == ENOENT && spec.argv[0].find('/') == std::string::npos) {
        return "exec: \"" + spec.argv[0] + "\": executable file not found in $PATH";
      }
      return "exec: \"" + spec.argv[0] + "\": " + why;
  }
  return why;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void blocking_reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Subprocess::spawn(const SpawnSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return Fail("exec: empty command");
  ChildPlan plan;
  plan.argv = c_array(spec.argv);
  plan.envp = c_array(spec.env);
  plan.candidates = exec_candidates(spec);
  for (const auto& m : spec.mounts) plan.mount_dirs.push_back(prefixes(m.target));
  if (spec.create_cwd && !spec.cwd.empty() && spec.cwd[0] == '/')
    plan.cwd_dirs = prefixes(spec.cwd);

  int out_p[2], err_p[2];
  if (pipe2(out_p, O_CLOEXEC) != 0) return Fail("pipe: " + errno_text(errno));
  UniqueFd out_r(out_p[0]), out_w(out_p[1]);
  if (pipe2(err_p, O_CLOEXEC) != 0) return Fail("pipe: " + errno_text(errno));
  UniqueFd err_r(err_p[0]), err_w(err_p[1]);

  // The child's stack: run_child needs a few hundred bytes; execve's own frames a few KiB.
  constexpr std::size_t kStackSize = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStackSize]);
  Report rep{};
  bool failed = false;
  ChildArgs args{getpid(), &spec, &plan, out_w.get(), err_w.get(), &rep, &failed};
  sigset_t all, old;
  sigfillset(&all);
  if (int rc = pthread_sigmask(SIG_SETMASK, &all, &old); rc != 0) {
    return Fail("pthread_sigmask: " + errno_text(rc));
  }
  // Returns once the child has exec'd or exited (CLONE_VFORK). SIGCHLD: an ordinary child,
  // reaped with waitpid like a forked one.
  const pid_t pid =
      clone(run_child, stack.get() + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  const int clone_err = errno;
  (void)pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return Fail("clone: " + errno_text(clone_err));
  // The child set its own process group before exec, and the parent only runs again after that.
  out_w.reset();
  err_w.reset();

  std::unique_ptr<Subprocess> proc(new Subprocess());
  proc->pid_ = pid;
  if (failed) {
    blocking_reap(pid);
    proc->pid_ = -1;
    return Fail(describe(spec, rep));
  }
  for (int fd : {out_r.get(), err_r.get()}) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
      return Fail("fcntl(O_NONBLOCK): " + errno_text(errno));  // ~Subprocess kills and reaps
    }
  }
  proc->out_ = std::move(out_r);
  proc->err_ = std::move(err_r);
  // No pidfd on old kernels: the owner then polls try_wait() on a short timer instead.
  proc->exit_fd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  return proc;
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !exit_code_) {
    signal_group(SIGKILL);
    blocking_reap(pid_);
  }
}

std::optional<int> Subprocess::try_wait() {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  // r < 0 (ECHILD): someone else reaped our child (SIGCHLD ignored?); its status is lost.
  exit_code_ = r > 0 ? decode_status(status) : -1;
  return exit_code_;
}

bool Subprocess::mount_namespace_works() {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) _exit(1);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(2);
    _exit(0);
  }
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  return r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string Subprocess::kill_leftover(const exec::ProcessIdentity& id) {
  // pid 0/1 or a group of 0/1 would signal far more than a step: never.
  if (id.pid <= 1 || id.pgid <= 1) return {};
  // Another boot: every process of the old one is gone, and start times restart from zero.
  if (!id.boot_id.empty() && id.boot_id != boot_id()) return {};
  const pid_t pid = static_cast<pid_t>(id.pid);
  const pid_t pgid = static_cast<pid_t>(id.pgid);
  auto leader = read_proc_stat(pid);
  // The pid belongs to a newer process: the kernel hands out a pid only once no process group
  // uses it, so nothing of the recorded group is left either.
  if (leader && leader->start_time != id.start_time) return {};
  if (leader && (leader->state == 'Z' || leader->state == 'X')) leader.reset();  // dead already
  std::vector<pid_t> members = group_members(pgid, id.start_time);
  if (!leader && members.empty()) return {};
  std::string what;
  if (leader) {
    (void)kill(pid, SIGKILL);  // also when it moved to another group
    what = "killed pid " + std::to_string(pid);
  }
  if (!members.empty()) {
    (void)kill(-pgid, SIGKILL);  // ESRCH: the group emptied meanwhile
    what += (what.empty() ? "killed " : " and ") + std::to_string(members.size()) +
            " process(es) of its process group " + std::to_string(pgid);
  }
  // They are not our children (their parent was the dead engine); wait until the kernel has
  // them down (a zombie waiting for init to reap it is dead enough), so nothing of the old
  // attempt writes into the workspace once the attempt runs again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto alive = [](pid_t p) {
    auto st = read_proc_stat(p);
    return st && st->state != 'Z' && st->state != 'X';
  };
  while (std::chrono::steady_clock::now() < deadline) {
    bool any = leader && alive(pid);
    for (pid_t m : members) any = any || alive(m);
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return what + " (SIGKILL), left running by the previous engine process";
}

void Subprocess::signal_group(int sig) {
  if (pid_ > 0) (void)kill(-pid_, sig);  // ESRCH: the group is already empty
}

}  // namespace baton::runners
