// The kubelet half of the fake cluster (see fake_kube_cluster.h): containers run as host
// processes in the pod's order, their output becomes the container log, their exits become
// container states, phases and events.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/support/fake_kube_cluster.h"

namespace baton::testing {

namespace {

namespace fs = std::filesystem;

bool path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// mountPath -> host directory, longest first.
using PathMap = std::vector<std::pair<std::string, std::string>>;

std::string rewrite(const std::string& s, const PathMap& map) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '/' && (i == 0 || !path_char(s[i - 1]))) {
      for (const auto& [from, to] : map) {
        if (s.compare(i, from.size(), from) != 0) continue;
        std::size_t end = i + from.size();
        if (end < s.size() && s[end] != '/' && path_char(s[end])) continue;
        out += to;
        i = end;
        done = true;
        break;
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

std::string now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class Kubelet {
 public:
  Kubelet(FakeCluster& c, std::shared_ptr<FakePod> p, std::string dir)
      : c_(c), p_(std::move(p)), dir_(std::move(dir)) {}

  void run() {
    Json spec;
    {
      std::lock_guard<std::mutex> l(c_.mu);
      spec = p_->object["spec"];
      annotations_ = p_->object["metadata"].value("annotations", Json::object());
    }
    prepare_volumes(spec);
    Json init = spec.value("initContainers", Json::array());
    Json main = spec.value("containers", Json::array());
    update([&](Json& st) {
      st["phase"] = "Pending";
      st["startTime"] = now();
      st["initContainerStatuses"] = Json::array();
      for (const auto& ic : init)
        st["initContainerStatuses"].push_back(waiting(ic, "PodInitializing"));
      st["containerStatuses"] = Json::array();
      for (const auto& mc : main) st["containerStatuses"].push_back(waiting(mc, "PodInitializing"));
    });
    bool ok = true;
    for (const auto& ic : init) {
      if (!wait_unheld(ic["name"])) return stop_sidecars();
      if (ic.value("restartPolicy", "") == "Always") {
        ok = start_sidecar(ic);
      } else {
        ok = run_to_end(ic, "initContainerStatuses");
      }
      if (!ok) break;
    }
    if (ok) {
      update([&](Json& st) { st["phase"] = "Running"; });
      for (const auto& mc : main) {
        if (!wait_unheld(mc["name"])) return stop_sidecars();
        ok = run_to_end(mc, "containerStatuses") && ok;
      }
    }
    stop_sidecars();
    update([&](Json& st) { st["phase"] = ok ? "Succeeded" : "Failed"; });
  }

 private:
  static Json waiting(const Json& c, const std::string& reason) {
    return {{"name", c["name"]}, {"ready", false},
            {"restartCount", 0}, {"image", c.value("image", "")},
            {"started", false},  {"state", {{"waiting", {{"reason", reason}}}}}};
  }

  bool deleted() {
    std::lock_guard<std::mutex> l(c_.mu);
    return p_->deleted || c_.stopping;
  }

  void update(const std::function<void(Json&)>& fn) {
    std::lock_guard<std::mutex> l(c_.mu);
    if (p_->deleted) return;
    fn(p_->object["status"]);
    c_.publish(*p_, "MODIFIED");
  }

  void set_state(const std::string& list, const std::string& name, const Json& state) {
    update([&](Json& st) {
      for (auto& cs : st[list]) {
        if (cs["name"] != name) continue;
        cs["state"] = state;
        cs["started"] = state.contains("running") || state.contains("terminated");
      }
    });
  }

  bool wait_unheld(const std::string& name) {
    std::unique_lock<std::mutex> lk(c_.mu);
    c_.cv.wait(lk, [&] { return !c_.held.count(name) || p_->deleted || c_.stopping; });
    return !p_->deleted && !c_.stopping;
  }

  void prepare_volumes(const Json& spec) {
    std::map<std::string, std::string> vol_dirs;
    for (const auto& v : spec.value("volumes", Json::array())) {
      std::string d = dir_ + "/volumes/" + v.value("name", "");
      fs::create_directories(d);
      fs::permissions(d, fs::perms::all);
      vol_dirs[v.value("name", "")] = d;
    }
    for (const char* list : {"initContainers", "containers"}) {
      for (const auto& c : spec.value(list, Json::array())) {
        for (const auto& m : c.value("volumeMounts", Json::array())) {
          std::string host = vol_dirs[m.value("name", "")];
          if (m.contains("subPath")) host += "/" + m["subPath"].get<std::string>();
          fs::create_directories(host);
          std::string path = m.value("mountPath", "");
          if (std::none_of(map_.begin(), map_.end(), [&](auto& e) { return e.first == path; }))
            map_.emplace_back(path, host);
        }
      }
    }
    std::sort(map_.begin(), map_.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    // downwardAPI volumes: annotation values projected as files.
    for (const auto& v : spec.value("volumes", Json::array())) {
      if (!v.contains("downwardAPI")) continue;
      for (const auto& item : v["downwardAPI"].value("items", Json::array())) {
        std::string fp = item["fieldRef"].value("fieldPath", "");
        std::string prefix = "metadata.annotations['";
        if (fp.rfind(prefix, 0) != 0) continue;
        std::string key = fp.substr(prefix.size(), fp.size() - prefix.size() - 2);
        std::string file = vol_dirs[v["name"]] + "/" + item.value("path", "");
        std::ofstream(file) << rewrite(annotations_.value(key, ""), map_);
        ::chmod(file.c_str(), static_cast<mode_t>(item.value("mode", 0644)));
      }
    }
  }

  // Starts the container's process; its output goes to the container log. Returns the pid.
  int spawn(const Json& c, const std::vector<std::string>& argv_in, bool log) {
    std::vector<std::string> argv;
    for (const auto& a : argv_in) argv.push_back(rewrite(a, map_));
    std::vector<std::string> env{
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    for (const auto& e : c.value("env", Json::array()))
      env.push_back(e.value("name", "") + "=" + rewrite(e.value("value", ""), map_));
    std::string wd = c.contains("workingDir") ? rewrite(c["workingDir"], map_) : dir_;
    fs::create_directories(wd);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::dup2(fds[1], 1);
      ::dup2(fds[1], 2);
      if (::chdir(wd.c_str()) != 0) _exit(127);
      std::vector<char*> a, e;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto& s : env) e.push_back(s.data());
      e.push_back(nullptr);
      ::execvpe(a[0], a.data(), e.data());
      _exit(127);
    }
    ::close(fds[1]);
    if (pid < 0) {
      ::close(fds[0]);
      return -1;
    }
    {
      std::lock_guard<std::mutex> l(c_.mu);
      p_->pids.push_back(pid);
      if (p_->deleted) ::kill(-pid, SIGKILL);
    }
    std::string name = c["name"];
    readers_.emplace_back([this, fd = fds[0], name, log] {
      char buf[4096];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (!log) continue;
        std::lock_guard<std::mutex> l(c_.mu);
        p_->logs[name].bytes.append(buf, static_cast<std::size_t>(n));
        c_.cv.notify_all();
      }
      ::close(fd);
    });
    return pid;
  }

  int wait_exit(int pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> l(c_.mu);
      std::erase(p_->pids, pid);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::vector<std::string> argv_of(const Json& c) {
    std::vector<std::string> argv;
    for (const auto& x : c.value("command", Json::array())) argv.push_back(x);
    for (const auto& x : c.value("args", Json::array())) argv.push_back(x);
    return argv;
  }

  void mark_started(const std::string& name, const std::string& list) {
    {
      std::lock_guard<std::mutex> l(c_.mu);
      p_->logs[name].started = true;
    }
    set_state(list, name, {{"running", {{"startedAt", now()}}}});
  }

  void mark_done(const std::string& name) {
    join_readers(readers_);  // the log is complete before the state says so
    std::lock_guard<std::mutex> l(c_.mu);
    p_->logs[name].done = true;
    c_.cv.notify_all();
  }

  bool run_to_end(const Json& c, const std::string& list) {
    std::string name = c["name"];
    auto argv = argv_of(c);
    std::string started = now();
    mark_started(name, list);
    int pid = argv.empty() ? -1 : spawn(c, argv, true);
    int code = pid < 0 ? 128 : wait_exit(pid);
    mark_done(name);
    set_state(list, name,
              {{"terminated",
                {{"exitCode", code},
                 {"reason", code == 0 ? "Completed" : "Error"},
                 {"startedAt", started},
                 {"finishedAt", now()}}}});
    return code == 0 && !deleted();
  }

  bool start_sidecar(const Json& c) {
    std::string name = c["name"];
    int pid = spawn(c, argv_of(c), true);
    sidecars_.emplace_back(name, pid);
    if (pid > 0) {  // its log reader lives until the sidecar is stopped
      sidecar_readers_.push_back(std::move(readers_.back()));
      readers_.pop_back();
    }
    mark_started(name, "initContainerStatuses");
    if (!c.contains("startupProbe")) return pid > 0;
    const Json& probe = c["startupProbe"];
    int period = probe.value("periodSeconds", 10), tries = probe.value("failureThreshold", 3);
    std::vector<std::string> cmd;
    for (const auto& x : probe["exec"].value("command", Json::array())) cmd.push_back(x);
    for (int i = 0; i < tries; ++i) {
      if (deleted()) return false;
      int ppid = spawn(c, cmd, false);
      int code = ppid < 0 ? 1 : wait_exit(ppid);
      join_readers(readers_);
      if (code == 0) return true;
      std::unique_lock<std::mutex> lk(c_.mu);
      c_.cv.wait_for(lk, std::chrono::seconds(period), [&] { return p_->deleted || c_.stopping; });
    }
    return false;
  }

  static void join_readers(std::vector<std::thread>& rs) {
    for (auto& t : rs) t.join();
    rs.clear();
  }

  void stop_sidecars() {
    for (auto& [name, pid] : sidecars_) {
      if (pid > 0) ::kill(-pid, SIGTERM);
    }
    for (auto& [name, pid] : sidecars_) {
      if (pid > 0) wait_exit(pid);
    }
    join_readers(sidecar_readers_);
    for (auto& [name, pid] : sidecars_) {
      {
        std::lock_guard<std::mutex> l(c_.mu);
        p_->logs[name].done = true;
        c_.cv.notify_all();
      }
      set_state(
          "initContainerStatuses", name,
          {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}, {"finishedAt", now()}}}});
    }
    sidecars_.clear();
    join_readers(readers_);
  }

  FakeCluster& c_;
  std::shared_ptr<FakePod> p_;
  std::string dir_;
  Json annotations_;
  PathMap map_;
  std::vector<std::pair<std::string, int>> sidecars_;
  std::vector<std::thread> readers_, sidecar_readers_;
};

}  // namespace

void run_kubelet(FakeCluster& cluster, std::shared_ptr<FakePod> pod, const std::string& dir) {
  Kubelet(cluster, std::move(pod), dir).run();
}

}  // namespace baton::testing
