// The dashboard's runs list over 1,000,000 runs: GET /api/v1/runs (newest 50), filtered by
// pipeline, repository, status, and a deep cursor page, through the real HttpServer and router
// on a real store; p50/p99 per query beside GET /healthz on the same connection (the HTTP floor).
//
// usage: api_list_bench [RUNS] (default 1000000)

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dashboard-api/api_auth.h"
#include "dashboard-api/api_routes.h"
#include "dashboard-api/health_routes.h"
#include "dashboard-api/http_server.h"
#include "dashboard-api/stream_hub.h"
#include "engine/store/run_store.h"
#include "tests/api/test_client.h"

namespace {

using namespace baton;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Figures {
  double p50, p99;
  std::size_t bytes;
};

Figures measure(api::testing::TestClient& client, const std::string& target,
                const std::string& token, int n) {
  std::vector<double> t;
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    auto start = Clock::now();
    auto r = client.request("GET", target, "", {{"Authorization", "Bearer " + token}});
    t.push_back(ms_since(start));
    if (!r.ok() || r->status != 200) {
      std::fprintf(stderr, "%s: %s\n", target.c_str(),
                   r.ok() ? r->body.substr(0, 200).c_str() : r.error().message.c_str());
      std::exit(1);
    }
    bytes = r->body.size();
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t[std::min(t.size() - 1, t.size() * 99 / 100)], bytes};
}

}  // namespace

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("baton-api-list-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::int64_t clock = 1'700'000'000'000;
  store::RunStoreOptions options;
  options.clock_ms = [&clock] { return clock; };
  auto opened = store::RunStore::open(dir + "/baton.db", options);
  if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.error().message.c_str()), 1;
  auto& store = **opened;

  // Fill: 100 pipelines, 20 repositories, one run per ms; one transaction per 50,000 runs.
  auto fill = Clock::now();
  const std::string spec =
      R"({"apiVersion":"tekton.dev/v1","kind":"PipelineRun","metadata":{"name":"r"},)"
      R"("spec":{"pipelineRef":{"name":"p"}}})";
  for (long i = 0; i < total;) {
    store::RunStore::Batch batch(&store);
    for (long j = 0; j < 50'000 && i < total; ++j, ++i) {
      store::NewRun nr;
      nr.name = "run-" + std::to_string(i);
      nr.pipeline = "pipeline-" + std::to_string(i % 100);
      nr.repository = "org/repo-" + std::to_string(i % 20);
      nr.branch = i % 3 == 0 ? "main" : "feature-" + std::to_string(i % 50);
      nr.trigger_type = "webhook";
      nr.spec = spec;
      nr.params = R"({"revision":"abc"})";
      ++clock;
      if (auto r = store.create_run(nr); !r.ok()) {
        return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
      }
    }
    if (auto s = batch.commit(); !s.ok())
      return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
  }
  std::printf("filled %ld runs in %.1f s\n", total, ms_since(fill) / 1000);
  store::TokenRecord t;
  t.name = "bench";
  t.role = "viewer";
  const std::string token = "bt_bench-token-0123456789abcdefghijkl";
  t.hash = api::sha256_hex(token);
  if (!store.create_token(t).ok()) return 1;

  api::StreamHub hub(store);
  api::ApiContext ctx;
  ctx.store = &store;
  ctx.hub = &hub;
  auto router = std::make_shared<api::Router>();
  api::add_health_routes(*router, [] { return true; });
  api::add_api_routes(*router, ctx);
  auto server = api::HttpServer::start({}, router, nullptr);
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.error().message.c_str()), 1;
  api::testing::TestClient client;
  if (!client.connect((*server)->port()).ok()) return 1;

  // A cursor deep in the list: the last run of the page ending 500,000 runs back.
  auto deep =
      client.request("GET", "/api/v1/runs?limit=1&until=" + std::to_string(clock - total / 2), "",
                     {{"Authorization", "Bearer " + token}});
  std::string cursor;
  if (deep.ok()) {
    auto pos = deep->body.find("\"next_cursor\":\"");
    if (pos != std::string::npos) {
      pos += 15;
      cursor = deep->body.substr(pos, deep->body.find('"', pos) - pos);
    }
  }
  const int n = 200;
  std::printf("%-52s %9s %9s %8s\n", "request (keep-alive, 200 each)", "p50 ms", "p99 ms", "bytes");
  auto row = [&](const char* label, const std::string& target) {
    Figures f = measure(client, target, token, n);
    std::printf("%-52s %9.2f %9.2f %8zu\n", label, f.p50, f.p99, f.bytes);
  };
  row("baseline: GET /healthz", "/healthz");
  row("GET /api/v1/runs (newest 50)", "/api/v1/runs");
  row("GET /api/v1/runs?pipeline=pipeline-7", "/api/v1/runs?pipeline=pipeline-7");
  row("GET /api/v1/runs?repository=org/repo-3&branch=main",
      "/api/v1/runs?repository=org/repo-3&branch=main");
  row("GET /api/v1/runs?status=queued&trigger=webhook",
      "/api/v1/runs?status=queued&trigger=webhook");
  row("GET /api/v1/runs?cursor=<half of the runs back>", "/api/v1/runs?cursor=" + cursor);
  row("GET /api/v1/runs?pipeline=pipeline-7&limit=200",
      "/api/v1/runs?pipeline=pipeline-7&limit=200");
  (*server)->shutdown(std::chrono::milliseconds(100));
  std::filesystem::remove_all(dir);
  return 0;
}
