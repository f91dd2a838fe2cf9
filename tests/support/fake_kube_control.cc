// Test controls of the fake cluster (see fake_kube_cluster.h): injected watch failures, held
// containers, waiting on its state, and the throwaway TLS certificate.

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/support/fake_kube_cluster.h"

namespace baton::testing {

void FakeKubeApi::drop_watches() {
  std::lock_guard<std::mutex> l(cluster_->mu);
  ++cluster_->drop_gen;
  cluster_->cv.notify_all();
}

void FakeKubeApi::expire_watches() {
  std::lock_guard<std::mutex> l(cluster_->mu);
  ++cluster_->expire_gen;
  cluster_->compacted_rv = cluster_->rv + 1;  // every version seen so far is now too old
  cluster_->cv.notify_all();
}

void FakeKubeApi::stall_watches() {
  std::lock_guard<std::mutex> l(cluster_->mu);
  ++cluster_->stall_gen;
  cluster_->cv.notify_all();
}

void FakeKubeApi::drop_logs() {
  std::lock_guard<std::mutex> l(cluster_->mu);
  ++cluster_->drop_logs_gen;
  cluster_->cv.notify_all();
}

void FakeKubeApi::hold(const std::string& name) {
  std::lock_guard<std::mutex> l(cluster_->mu);
  cluster_->held.insert(name);
}

void FakeKubeApi::release(const std::string& name) {
  std::lock_guard<std::mutex> l(cluster_->mu);
  cluster_->held.erase(name);
  cluster_->cv.notify_all();
}

bool FakeKubeApi::wait_until(const std::function<bool(FakeCluster&)>& pred) {
  // Counters change without a notify: wake up now and then to look at them again.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::unique_lock<std::mutex> lk(cluster_->mu);
  while (!pred(*cluster_)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    cluster_->cv.wait_for(lk, std::chrono::milliseconds(10));
  }
  return true;
}

bool make_test_certificate(const std::string& dir, std::string& cert, std::string& key) {
  cert = dir + "/server.crt";
  key = dir + "/server.key";
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
      "-keyout '" +
      key + "' -out '" + cert + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    fprintf(stderr, "openssl req failed: %s\n", cmd.c_str());
    return false;
  }
  return true;
}

}  // namespace baton::testing
