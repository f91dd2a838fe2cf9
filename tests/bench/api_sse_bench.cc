// 100 SSE clients following one step's log: how much they add to the step's run time. The real
// `baton serve` runs a step that writes LINES lines in bursts of 100 with 20 ms between bursts
// (a build-like log, ~5,000 lines/s); the same step runs with
// 0 and with 100 followers, alternately, ROUNDS times each; each follower must receive the
// whole log (checked). Figures: step time (store started_at..finished_at) per round, medians,
// and the overhead of the followers.
//
// usage: api_sse_bench [ROUNDS (5)] [LINES (10000)] [FOLLOWERS (100)]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/cmd/baton_process.h"
#include "tests/serve/serve_fixture.h"

namespace {

using namespace baton;
using Json = nlohmann::json;

const char kSources[] = R"yaml(
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: chatty}
spec:
  params: [{name: lines}]
  tasks:
    - name: talk
      params: [{name: lines, value: $(params.lines)}]
      taskSpec:
        params: [{name: lines}]
        steps:
          - name: s
            image: busybox
            script: |
              # A build-like log: bursts of 100 lines, 20 ms of "work" between them.
              i=0
              while [ $i -lt $(params.lines) ]; do
                echo "line $i: the quick brown fox jumps over the lazy dog 0123456789"
                i=$((i+1))
                if [ $((i % 100)) = 0 ]; then sleep 0.02; fi
              done
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: ci}
spec:
  triggers:
    - name: start
      bindings: [{name: lines, value: $(body.lines)}]
      template:
        spec:
          params: [{name: lines}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: chatty-}
              spec:
                pipelineRef: {name: chatty}
                params: [{name: lines, value: $(tt.params.lines)}]
)yaml";

struct Server {
  serve_testing::ServeProcess* p;
  std::string token;
  Json get(const std::string& target) const {
    api::testing::TestClient c;
    if (!c.connect(p->port()).ok()) return {};
    auto r = c.request("GET", target, "", {{"Authorization", "Bearer " + token}});
    return r.ok() ? Json::parse(r->body, nullptr, false) : Json();
  }
};

int connect_sse(unsigned short port, const std::string& target, const std::string& token) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n" +
                    "Authorization: Bearer " + token + "\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return -1;
  return fd;
}

struct Round {
  double step_ms = 0;
  std::size_t min_lines = 0;  // lines the slowest follower received
};

Round one_round(const Server& s, int lines, int followers) {
  auto r = s.p->post("ci", Json{{"lines", std::to_string(lines)}}.dump(),
                     {{"Content-Type", "application/json"}});
  const std::string run = Json::parse(r.body)["runs"][0]["id"];
  std::string tr;
  serve_testing::eventually([&] {
    Json d = s.get("/api/v1/runs/" + run);
    if (!d.is_object() || d["tasks"].empty() || d["tasks"][0]["attempts"].empty()) return false;
    tr = d["tasks"][0]["attempts"][0]["id"];
    return true;
  });
  std::vector<int> fds;
  const std::string target = "/api/v1/runs/" + run + "/taskruns/" + tr + "/steps/0/logs";
  for (int i = 0; i < followers; ++i) fds.push_back(connect_sse(s.p->port(), target, s.token));
  std::vector<std::size_t> got(fds.size(), 0);
  std::vector<std::string> tail(fds.size());
  std::vector<bool> open(fds.size(), true);
  std::size_t still = fds.size();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (still > 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> p;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (open[i]) p.push_back({fds[i], POLLIN, static_cast<short>(i)});
    }
    if (::poll(p.data(), p.size(), 200) <= 0) continue;
    for (auto& e : p) {
      if (!(e.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      std::size_t i = 0;
      while (fds[i] != e.fd) ++i;
      char buf[65536];
      ssize_t n = ::read(e.fd, buf, sizeof buf);
      if (n <= 0) {
        open[i] = false;
        --still;
        continue;
      }
      std::string chunk = tail[i] + std::string(buf, static_cast<std::size_t>(n));
      // Count log lines delivered ("line N:" inside data frames); keep a partial tail.
      std::size_t pos = 0;
      for (std::size_t f; (f = chunk.find("line ", pos)) != std::string::npos; pos = f + 5)
        ++got[i];
      tail[i] = chunk.substr(chunk.size() > 16 ? chunk.size() - 16 : 0);
      for (std::size_t f; (f = tail[i].find("line ")) != std::string::npos;)
        tail[i].erase(0, f + 5);
      if (chunk.find("event: end") != std::string::npos) {
        open[i] = false;
        --still;
      }
    }
  }
  for (int fd : fds) ::close(fd);
  Json d;
  serve_testing::eventually([&] {
    d = s.get("/api/v1/runs/" + run);
    return d.is_object() && d["status"] == "succeeded";
  });
  const Json& st = d["tasks"][0]["attempts"][0]["steps"][0];
  Round out;
  out.step_ms = static_cast<double>(st["finished_at"].get<std::int64_t>() -
                                    st["started_at"].get<std::int64_t>());
  out.min_lines = got.empty() ? 0 : *std::min_element(got.begin(), got.end());
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const int lines = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int followers = argc > 3 ? std::atoi(argv[3]) : 100;
  const std::string dir = testing::make_temp_dir();
  serve_testing::ServeProcess p(dir);
  testing::write_text(p.sources() + "/chatty.yaml", kSources);
  auto t = testing::run_baton(
      {"token", "create", "--role", "viewer", "--name", "bench", "--store", p.store_path()}, {});
  std::smatch m;
  const std::regex re("bt_[A-Za-z0-9_-]{32}");
  if (t.exit_code != 0 || !std::regex_search(t.output, m, re)) {
    std::fprintf(stderr, "token: %s\n", t.output.c_str());
    return 1;
  }
  if (!p.start()) {
    std::fprintf(stderr, "serve: %s\n", p.log().c_str());
    return 1;
  }
  Server s{&p, m[0]};
  one_round(s, lines, 0);  // warm-up (page cache, first store writes)
  std::vector<double> alone, followed;
  std::printf("step writing %d lines (%.1f MB); %d followers\n", lines, lines * 66 / 1e6,
              followers);
  std::printf("%-6s %14s %16s %22s\n", "round", "0 followers ms", "N followers ms",
              "lines each follower got");
  for (int i = 0; i < rounds; ++i) {
    Round a = one_round(s, lines, 0);
    Round b = one_round(s, lines, followers);
    alone.push_back(a.step_ms);
    followed.push_back(b.step_ms);
    std::printf("%-6d %14.0f %16.0f %22zu\n", i + 1, a.step_ms, b.step_ms, b.min_lines);
    if (b.min_lines < static_cast<std::size_t>(lines)) {
      std::printf("  (a follower missed lines: got %zu of %d)\n", b.min_lines, lines);
    }
  }
  const double a = median(alone), b = median(followed);
  std::printf("median: %.0f ms alone, %.0f ms with %d followers: %+.1f%%\n", a, b, followers,
              (b - a) / a * 100);
  p.stop();
  return 0;
}
