#include "tests/serve/serve_fixture.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/cmd/baton_process.h"
#include "triggers/hmac.h"

namespace baton::serve_testing {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ServeProcess::ServeProcess(std::string dir, std::string extra_config)
    : dir_(std::move(dir)), extra_(std::move(extra_config)), log_path_(dir_ + "/serve.log") {
  std::filesystem::create_directories(dir_ + "/sources");
  std::filesystem::create_directories(dir_ + "/home");
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) kill_now();
}

bool ServeProcess::start() {
  const std::string config = dir_ + "/baton.yaml";
  testing::write_text(config,
                      "apiVersion: baton.dev/v1alpha1\n"
                      "kind: ServeConfig\n"
                      "listen: 127.0.0.1:0\n"
                      "home: " +
                          dir_ +
                          "/home\n"
                          "sources:\n"
                          "  - directory: " +
                          dir_ + "/sources\n" + extra_);
  pid_ = testing::spawn_baton({"serve", "--config", config}, {}, log_path_);
  const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
  return eventually(
      [&] {
        std::smatch m;
        std::string text = log();
        if (!std::regex_search(text, m, listening)) return false;
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
        return true;
      },
      std::chrono::seconds(20));
}

int ServeProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServeProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

ClientResponse ServeProcess::post(const std::string& listener, const std::string& body,
                                  const Headers& headers) const {
  api::testing::TestClient client;
  if (!client.connect(port_).ok()) return {};
  auto r = client.request("POST", "/hooks/" + listener, body, headers);
  return r.ok() ? *r : ClientResponse{};
}

Headers github_headers(const std::string& event, const std::string& delivery,
                       const std::string& body, const std::string& secret) {
  return {{"Content-Type", "application/json"},
          {"User-Agent", "GitHub-Hookshot/044aadd"},
          {"X-GitHub-Event", event},
          {"X-GitHub-Delivery", delivery},
          {"X-Hub-Signature-256", "sha256=" + triggers::hmac_sha256_hex(secret, body)}};
}

Headers gitlab_headers(const std::string& event, const std::string& token,
                       const std::string& uuid) {
  return {{"Content-Type", "application/json"},
          {"X-Gitlab-Event", event},
          {"X-Gitlab-Token", token},
          {"X-Gitlab-Event-UUID", uuid}};
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

std::unique_ptr<store::RunStore> open_store(const std::string& path) {
  auto s = store::RunStore::open(path);
  if (!s.ok()) std::fprintf(stderr, "open_store %s: %s\n", path.c_str(), s.error().message.c_str());
  return s.ok() ? std::move(s).value() : nullptr;
}

}  // namespace baton::serve_testing
