// HttpServer over real loopback sockets: connection reuse, failures, concurrency, graceful
// shutdown, streaming, and the operational routes.
#include <regex>
#include <thread>
#include <vector>

#include "dashboard-api/health_routes.h"
#include "tests/api/server_fixture.h"

namespace baton::api::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  auto client = connect();
  std::string remote;
  for (int i = 0; i < 200; ++i) {
    auto echo = client->request("POST", "/echo", "n" + std::to_string(i));
    ASSERT_TRUE(echo.ok()) << i << ": " << echo.error().message;
    ASSERT_EQ(echo->body, "n" + std::to_string(i));
    ASSERT_TRUE(echo->keep_alive);
    if (i == 0) remote = echo->header("X-Remote");
    ASSERT_EQ(echo->header("X-Remote"), remote);  // same client port: same connection
  }
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(ServerTest, HandlerExceptionIs500AndTheConnectionServesOn) {
  start();
  auto client = connect();
  auto failed = client->request("GET", "/throw");
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, R"({"error":"internal error"})");  // no internals leak
  auto next = client->request("GET", "/api/v1/runs/after");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, ConcurrentClients) {
  ServerOptions options;
  options.threads = 4;
  start(options);
  constexpr int kClients = 8;
  constexpr int kRequests = 50;
  std::vector<std::thread> threads;
  std::vector<int> good(kClients, 0);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      TestClient client;
      if (!client.connect(server_->port()).ok()) return;
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        auto echo = client.request("POST", "/echo", body);
        if (echo.ok() && echo->status == 200 && echo->body == body) ++good[c];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int c = 0; c < kClients; ++c) EXPECT_EQ(good[c], kRequests) << "client " << c;
}

// The slow request is in flight when shutdown starts: it completes (with Connection: close),
// an idle keep-alive connection is closed at once, and new connections are refused.
TEST_F(ServerTest, GracefulShutdownFinishesInFlightAndRefusesNew) {
  start();
  const unsigned short port = server_->port();
  auto idle = connect();
  ASSERT_EQ(idle->request("GET", "/api/v1/runs/1")->status, 200);
  auto slow = connect();
  ASSERT_TRUE(slow->write_raw(raw_request("GET", "/slow", {}, "")).ok());
  ASSERT_EQ(slow_entered_.get_future().wait_for(10s), std::future_status::ready);

  std::thread stopper([&] { server_->shutdown(30s); });
  EXPECT_TRUE(idle->wait_closed());
  TestClient late;
  EXPECT_FALSE(late.connect(port).ok());  // shutdown closed the listener before draining

  release_slow();
  auto answer = slow->read_response();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_FALSE(answer->keep_alive);
  EXPECT_TRUE(slow->wait_closed());
  slow.reset();  // our close ends the server's lingering close at once
  stopper.join();
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ServerTest, ShutdownGraceExpiredClosesStragglers) {
  start();
  auto stuck = connect();
  // Half a request: the connection is mid-read, not idle, and never completes.
  ASSERT_TRUE(stuck->write_raw("POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nab").ok());
  server_->shutdown(50ms);
  EXPECT_TRUE(stuck->wait_closed());
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(ServerTest, StreamingResponseWritesChunksFromAnotherThread) {
  std::promise<std::shared_ptr<ResponseStream>> handed;
  router_->add("GET", "/events", [&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.body = "retry: 1000\n\n";
    response.on_stream = [&](std::shared_ptr<ResponseStream> s) { handed.set_value(s); };
    return response;
  });
  start();
  auto client = connect();
  ASSERT_TRUE(client->write_raw(raw_request("GET", "/events", {}, "")).ok());
  auto future = handed.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  std::shared_ptr<ResponseStream> stream = future.get();
  std::thread writer([stream] {
    for (int i = 0; i < 3; ++i) stream->write("data: " + std::to_string(i) + "\n\n");
    stream->close();
  });
  writer.join();
  EXPECT_FALSE(stream->is_open());
  EXPECT_FALSE(stream->write("late"));
  auto response = client->read_response();
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->header("Content-Type"), "text/event-stream");
  EXPECT_EQ(response->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(response->body, "retry: 1000\n\ndata: 0\n\ndata: 1\n\ndata: 2\n\n");
}

TEST_F(ServerTest, StreamClosesWhenTheClientLeavesAndOnShutdown) {
  std::vector<std::shared_ptr<ResponseStream>> streams;
  std::mutex mu;
  router_->add("GET", "/events", [&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.on_stream = [&](std::shared_ptr<ResponseStream> s) {
      std::lock_guard lock(mu);
      streams.push_back(std::move(s));
    };
    return response;
  });
  start();
  auto count = [&] {
    std::lock_guard lock(mu);
    return streams.size();
  };
  auto leaving = connect();
  ASSERT_TRUE(leaving->write_raw(raw_request("GET", "/events", {}, "")).ok());
  auto staying = connect();
  ASSERT_TRUE(staying->write_raw(raw_request("GET", "/events", {}, "")).ok());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (count() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(count(), 2u);

  leaving.reset();  // which stream is whose does not matter: wait for either to close
  while (streams[0]->is_open() && streams[1]->is_open() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_NE(streams[0]->is_open(), streams[1]->is_open());

  server_->shutdown(10s);  // would wait the whole grace if streams were not closed on drain
  EXPECT_FALSE(streams[0]->is_open());
  EXPECT_FALSE(streams[1]->is_open());
  EXPECT_TRUE(staying->wait_closed());
}

TEST_F(ServerTest, HealthReadinessAndMetricsRoutes) {
  std::atomic<bool> ready{false};
  add_health_routes(*router_, [&] { return ready.load(); });
  add_metrics_route(*router_, metrics_);
  start();
  auto client = connect();
  EXPECT_EQ(client->request("GET", "/healthz")->status, 200);
  EXPECT_EQ(client->request("GET", "/readyz")->status, 503);
  ready = true;
  EXPECT_EQ(client->request("GET", "/readyz")->status, 200);
  EXPECT_EQ(client->request("POST", "/api/v1/runs/9/retry")->status, 200);
  EXPECT_EQ(client->request("GET", "/nope")->status, 404);

  auto scrape = client->request("GET", "/metrics");
  ASSERT_TRUE(scrape.ok());
  EXPECT_EQ(scrape->header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = scrape->body;
  EXPECT_NE(text.find(R"(baton_http_requests_total{code="200",method="POST",route="retry"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(baton_http_requests_total{code="503",method="GET",route="/readyz"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(baton_http_requests_total{code="404",method="GET",route="unmatched"} 1)"),
            std::string::npos);
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(baton_http_request_duration_seconds_count\{route="retry"\} 1\n)")));
}

}  // namespace
}  // namespace baton::api::testing

namespace baton::api::testing {
namespace {

// A client that does not read is dropped once its queue passes stream_buffer_limit, instead of
// the server buffering without bound.
TEST_F(ServerTest, StreamOverItsBufferLimitIsDropped) {
  std::promise<std::shared_ptr<ResponseStream>> handed;
  router_->add("GET", "/events", [&](const HttpRequest&) {
    HttpResponse response;
    response.on_stream = [&](std::shared_ptr<ResponseStream> s) { handed.set_value(s); };
    return response;
  });
  ServerOptions options;
  options.stream_buffer_limit = 64;
  start(options);
  auto client = connect();
  ASSERT_TRUE(client->write_raw(raw_request("GET", "/events", {}, "")).ok());
  auto future = handed.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  std::shared_ptr<ResponseStream> stream = future.get();
  EXPECT_TRUE(stream->write(std::string(64, 'a')));  // at the limit: queued
  EXPECT_FALSE(stream->write(std::string(65, 'b')));
  EXPECT_FALSE(stream->is_open());
  EXPECT_TRUE(client->wait_closed());
}

}  // namespace
}  // namespace baton::api::testing
