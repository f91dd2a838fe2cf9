#include "tests/serve/api_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "tests/cmd/baton_process.h"

namespace baton::serve_testing {

namespace {

const char kSources[] = R"yaml(
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: diamond}
spec:
  params: [{name: dir}, {name: seconds, default: "0"}]
  tasks:
    - name: a
      params: [{name: dir, value: $(params.dir)}]
      taskSpec:
        params: [{name: dir}]
        results: [{name: out}]
        steps:
          - name: s
            image: busybox
            script: |
              echo a >> $(params.dir)/ran
              printf "a-%s" "`cat /proc/sys/kernel/random/uuid`" > $(results.out.path)
    - name: b
      runAfter: [a]
      params: [{name: dir, value: $(params.dir)}, {name: x, value: $(tasks.a.results.out)}]
      taskSpec:
        params: [{name: dir}, {name: x}]
        results: [{name: out}]
        steps:
          - name: s
            image: busybox
            script: |
              echo b >> $(params.dir)/ran
              printf "b-%s" "`cat /proc/sys/kernel/random/uuid`" > $(results.out.path)
    - name: c
      runAfter: [a]
      params: [{name: dir, value: $(params.dir)}]
      taskSpec:
        params: [{name: dir}]
        steps:
          - name: s
            image: busybox
            script: |
              echo c >> $(params.dir)/ran
              echo "c checks its marker"
              if [ ! -e $(params.dir)/c-failed-once ]; then
                touch $(params.dir)/c-failed-once
                echo "c fails on its first run" >&2
                exit 1
              fi
    - name: d
      params:
        - {name: dir, value: $(params.dir)}
        - {name: av, value: $(tasks.a.results.out)}
        - {name: bv, value: $(tasks.b.results.out)}
      runAfter: [c]
      taskSpec:
        params: [{name: dir}, {name: av}, {name: bv}]
        results: [{name: seen}]
        steps:
          - name: s
            image: busybox
            script: |
              echo d >> $(params.dir)/ran
              printf "%s|%s" "$(params.av)" "$(params.bv)" > $(results.seen.path)
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: sleeper}
spec:
  params: [{name: dir}, {name: seconds, default: "0"}]
  tasks:
    - name: nap
      params: [{name: seconds, value: $(params.seconds)}]
      taskSpec:
        params: [{name: seconds}]
        steps:
          - {name: s, image: busybox, script: "echo napping; sleep $(params.seconds); echo woke"}
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: gated}
spec:
  params: [{name: dir}, {name: seconds, default: "0"}]
  tasks:
    - name: build
      taskSpec:
        steps: [{name: s, image: busybox, script: "echo built"}]
    - name: gate
      runAfter: [build]
      timeout: 60s
      taskRef: {apiVersion: baton.dev/v1alpha1, kind: Approval}
      params: [{name: approvers, value: "operator-1, admin-1"}]
    - name: ship
      runAfter: [gate]
      taskSpec:
        steps: [{name: s, image: busybox, script: "echo shipped"}]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: final}
spec:
  params: [{name: dir}, {name: seconds, default: "0"}]
  tasks:
    - name: long
      params: [{name: seconds, value: $(params.seconds)}]
      taskSpec:
        params: [{name: seconds}]
        steps: [{name: s, image: busybox, script: "echo started; sleep $(params.seconds)"}]
  finally:
    - name: cleanup
      taskSpec:
        steps: [{name: s, image: busybox, script: "echo cleaned"}]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: ci}
spec:
  triggers:
    - name: start
      bindings:
        - {name: pipeline, value: $(body.pipeline)}
        - {name: dir, value: $(body.dir)}
        - {name: seconds, value: $(body.seconds)}
      template:
        spec:
          params: [{name: pipeline}, {name: dir}, {name: seconds}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: $(tt.params.pipeline)-}
              spec:
                pipelineRef: {name: $(tt.params.pipeline)}
                params:
                  - {name: dir, value: $(tt.params.dir)}
                  - {name: seconds, value: $(tt.params.seconds)}
)yaml";

}  // namespace

void ApiServer::SetUp() {
  dir_ = testing::make_temp_dir();
  server_ =
      std::make_unique<ServeProcess>(dir_, anonymous_read_ ? "auth: {anonymousRead: true}\n" : "");
  testing::write_text(server_->sources() + "/ci.yaml", kSources);
  const std::regex token("bt_[A-Za-z0-9_-]{32}");
  for (const char* role : {"viewer", "operator", "admin"}) {
    auto r = testing::run_baton({"token", "create", "--role", role, "--name",
                                 std::string(role) + "-1", "--store", server_->store_path()},
                                {});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.output, m, token)) << r.output;
    tokens_[role] = m[0];
  }
  ASSERT_TRUE(server_->start()) << server_->log();
}

void ApiServer::TearDown() {
  if (server_) {
    EXPECT_EQ(server_->stop(), 0) << server_->log();
  }
}

ApiAnswer ApiServer::call(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body, Headers headers) {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  api::testing::TestClient client;
  ApiAnswer a;
  if (!client.connect(server_->port()).ok()) return a;
  auto r = client.request(method, target, body, headers);
  if (!r.ok()) return a;
  a.raw = *r;
  a.status = r->status;
  a.body = r->body;
  a.json = Json::parse(a.body, nullptr, false);
  return a;
}

std::string ApiServer::start_run(const std::string& pipeline, const std::string& dir,
                                 const std::string& seconds) {
  auto r =
      server_->post("ci", Json{{"pipeline", pipeline}, {"dir", dir}, {"seconds", seconds}}.dump(),
                    {{"Content-Type", "application/json"}});
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_EQ(r.status, 202) << r.body;
  if (!j.is_object() || j["runs"].size() != 1) return "";
  return j["runs"][0]["id"];
}

Json ApiServer::wait_terminal(const std::string& run_id) {
  Json detail;
  EXPECT_TRUE(eventually([&] {
    auto a = call("GET", "/api/v1/runs/" + run_id, tokens_["viewer"]);
    if (a.status != 200) return false;
    detail = a.json;
    const std::string s = detail["status"];
    return s != "queued" && s != "running";
  })) << detail.dump();
  return detail;
}

std::string ApiServer::read_stream(const std::string& target, const std::string& token,
                                   const std::string& until, Headers extra,
                                   std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    for (const auto& [k, v] : extra) req += k + ": " + v + "\r\n";
    req += "\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (out.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return out;
}

}  // namespace baton::serve_testing
