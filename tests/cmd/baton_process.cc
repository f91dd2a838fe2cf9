#include "tests/cmd/baton_process.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace baton::testing {

std::string baton_binary() { return BATON_BINARY_DIR "/engine/cmd/baton"; }

int spawn_baton(const std::vector<std::string>& args, const std::vector<std::string>& env,
                const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    // A crashed or killed test must not leave a `baton serve` behind. Tests spawn from their
    // main thread, whose exit is the process's (PDEATHSIG follows the spawning thread).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) _exit(125);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    FILE* f = std::freopen(log_path.c_str(), "w", stdout);
    if (!f || dup2(fileno(stdout), 2) < 0) _exit(126);
    std::vector<char*> argv;
    std::string bin = baton_binary();
    argv.push_back(bin.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

ProcessResult run_baton(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::string dir = make_temp_dir();
  std::string log = dir + "/out.log";
  int pid = spawn_baton(args, env, log);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream f(log);
  std::stringstream ss;
  ss << f.rdbuf();
  r.output = ss.str();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return r;
}

namespace {
std::mutex temp_dirs_mu;
std::vector<std::string>& temp_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}
// Removes every directory make_temp_dir handed out when the test process exits normally.
void remove_temp_dirs() {
  std::lock_guard<std::mutex> lock(temp_dirs_mu);
  std::error_code ec;
  for (const auto& d : temp_dirs()) std::filesystem::remove_all(d, ec);
}
}  // namespace

std::string make_temp_dir() {
  char tmpl[] = "/tmp/baton-cmdtest-XXXXXX";
  char* d = mkdtemp(tmpl);
  if (!d) return "/tmp";
  std::lock_guard<std::mutex> lock(temp_dirs_mu);
  if (temp_dirs().empty()) std::atexit(remove_temp_dirs);
  temp_dirs().push_back(d);
  return d;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

bool wait_for_file(const std::string& path, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  struct stat st {};
  while (std::chrono::steady_clock::now() < deadline) {
    if (::stat(path.c_str(), &st) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling with a deadline
  }
  return false;
}

}  // namespace baton::testing
