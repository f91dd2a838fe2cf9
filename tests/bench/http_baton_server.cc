// http_baton_server: Baton's HttpServer (router, limits, metrics) with a trivial handler that
// answers 200 "ok" on GET and POST of any one-segment path and "/"; the other side of
// http_bench.sh's comparison. Prints "port=N" and serves until SIGINT/SIGTERM.
//
//   http_baton_server [PORT] [THREADS]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "dashboard-api/health_routes.h"
#include "dashboard-api/http_server.h"
#include "engine/telemetry/metrics.h"

int main(int argc, char** argv) {
  using namespace baton;
  // Blocked before the I/O threads start, so they inherit the mask and sigwait gets the signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) return 1;

  api::ServerOptions options;
  options.port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  options.threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  telemetry::Metrics metrics;
  auto router = std::make_shared<api::Router>();
  auto ok = [](const api::HttpRequest&) {
    api::HttpResponse response;
    response.content_type = "text/plain";
    response.body = "ok";
    return response;
  };
  for (const char* method : {"GET", "POST"}) {
    router->add(method, "/", ok, "root");
    router->add(method, "/{any}", ok, "any");
  }
  api::add_metrics_route(*router, metrics);
  auto server = api::HttpServer::start(options, router, &metrics);
  if (!server) {
    std::fprintf(stderr, "http_baton_server: %s\n", server.error().message.c_str());
    return 1;
  }
  std::printf("port=%u\n", static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  int signal = 0;
  if (sigwait(&stop_signals, &signal) != 0) return 1;
  (*server)->shutdown(std::chrono::seconds(5));
  return 0;
}
