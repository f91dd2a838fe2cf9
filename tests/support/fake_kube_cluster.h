#pragma once
// A test stand-in for a Kubernetes cluster, in two parts that speak to each other only through
// the stored objects, as the real ones do:
// - FakeKubeApi: an API server over Beast (plain HTTP or TLS) serving core/v1 pods the way the
//   real one does for what the runner uses: create (201, 409 AlreadyExists), get, list with
//   resourceVersion, watch streams of JSON lines (chunked) with BOOKMARK events, ERROR 410 for
//   a too-old resourceVersion, follow=true container logs (chunked, 400 while the container has
//   not started), delete; 401 without a valid token, 403 for a forbidden one.
// - the kubelet (fake_kubelet.cc): runs each container's command as a host process, init
//   containers in order (native sidecars in the background, gated by their startupProbe), then
//   the main containers, and reports container states and logs.
// There is no mount namespace: the kubelet maps each volumeMount's mountPath to a host directory
// by rewriting those paths in command, args, env values, workingDir and projected files.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace baton::testing {

using Json = nlohmann::json;

/// Knobs of the fake cluster.
struct FakeKubeOptions {
  std::string work_dir;       // the kubelet's pod directories live here
  std::string cert_pem_file;  // both set: serve TLS
  std::string key_pem_file;
  std::string token = "good-token";                 // accepted bearer token
  std::string forbidden_token = "forbidden-token";  // authenticated but not allowed (403)
};

struct FakePod;
struct WatchConn;

/// Objects and events shared by the API server and the kubelet.
class FakeCluster {
 public:
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::shared_ptr<FakePod>> pods;  // "<ns>/<name>"
  struct Event {
    long long rv;
    std::string type;
    Json object;
  };
  std::vector<Event> events;
  long long rv = 100;
  long long compacted_rv = 0;  // watches from an older resourceVersion get ERROR 410
  std::set<std::string> held;  // container names the kubelet does not start until released
  bool stopping = false;
  int drop_gen = 0, expire_gen = 0;      // bumped by drop_watches() / expire_watches()
  int stall_gen = 0, drop_logs_gen = 0;  // bumped by stall_watches() / drop_logs()
  // Counters the tests check.
  int creates = 0, conflicts = 0, watches = 0, lists = 0, deletes = 0, log_requests = 0;
  int bookmarks_sent = 0, gone_sent = 0, stalled = 0;
  std::set<std::string> calls;  // "<verb> <resource>" of every authorized request (RBAC terms)

  /// Records a change of `pod` (caller holds mu): bumps rv, appends the event, wakes watchers.
  void publish(FakePod& pod, const std::string& type);
};

/// One pod: its object and its containers' logs.
struct FakePod {
  std::string key;
  Json object;
  bool deleted = false;
  struct Log {
    std::string bytes;
    bool started = false, done = false;
  };
  std::map<std::string, Log> logs;
  std::vector<int> pids;  // processes running for it (killed on delete)
  std::thread kubelet;
};

/// The API server (and its kubelet), listening on 127.0.0.1 at a free port.
class FakeKubeApi {
 public:
  explicit FakeKubeApi(FakeKubeOptions options);
  /// Stops serving, kills every process the kubelet started, joins all threads.
  ~FakeKubeApi();

  /// http(s)://127.0.0.1:<port>
  std::string url() const;
  FakeCluster& cluster() { return *cluster_; }

  /// Closes every open watch stream mid-flight (a dropped connection).
  void drop_watches();
  /// Ends every open watch with an ERROR 410 event and forgets history up to now.
  void expire_watches();
  /// Every open watch goes silent (no events, no end, timeoutSeconds ignored) with its
  /// connection left open: a blackholed server. Watches opened later are served normally.
  void stall_watches();
  /// Closes every open log stream mid-flight (no last chunk).
  void drop_logs();
  /// The kubelet does not start container `name` (of any pod) until release(name).
  void hold(const std::string& name);
  void release(const std::string& name);
  /// Waits (up to 10 s) until `pred` holds, evaluated under the cluster lock.
  bool wait_until(const std::function<bool(FakeCluster&)>& pred);

 private:
  void accept_loop();
  void serve(int fd);

  FakeKubeOptions options_;
  std::shared_ptr<FakeCluster> cluster_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs `pod` (its object in the cluster) to completion; the body of a pod's kubelet thread.
void run_kubelet(FakeCluster& cluster, std::shared_ptr<FakePod> pod, const std::string& dir);

/// Writes a throwaway self-signed certificate for 127.0.0.1/localhost with the openssl CLI.
/// Returns false (and says why on stderr) when openssl fails.
bool make_test_certificate(const std::string& dir, std::string& cert, std::string& key);

}  // namespace baton::testing
