#pragma once
// A real HttpServer on 127.0.0.1, port 0, with the routes the API tests talk to.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "dashboard-api/http_server.h"
#include "engine/telemetry/metrics.h"
#include "tests/api/test_client.h"

namespace baton::api::testing {

class ServerTest : public ::testing::Test {
 protected:
  // Routes:  GET  /api/v1/runs/{id}          {"id": id}
  //          GET  /api/v1/runs/stats         literal beats {id}
  //          POST /api/v1/runs/{id}/retry    counts calls per id
  //          POST /echo                      body back, header/query/remote in X- headers
  //          GET  /throw                     throws
  //          GET  /slow                      blocks until release_slow()
  void SetUp() override {
    router_->add("GET", "/api/v1/runs/{id}", [](const HttpRequest& r) {
      return json_response(200, R"({"id":")" + r.path_params.at("id") + R"("})");
    });
    router_->add("GET", "/api/v1/runs/stats",
                 [](const HttpRequest&) { return json_response(200, R"({"stats":true})"); });
    router_->add(
        "POST", "/api/v1/runs/{id}/retry",
        [this](const HttpRequest& r) {
          std::lock_guard lock(mu_);
          ++retries_[r.path_params.at("id")];
          return json_response(200, R"({"retried":")" + r.path_params.at("id") + R"("})");
        },
        "retry");
    router_->add("POST", "/echo", [](const HttpRequest& r) {
      HttpResponse response;
      response.content_type = "text/plain";
      response.body = r.body;
      response.headers = {{"X-Custom", std::string(r.header("x-CUSTOM"))},
                          {"X-Query", r.query},
                          {"X-Path", r.path},
                          {"X-Remote", r.remote}};
      return response;
    });
    router_->add("GET", "/throw", [](const HttpRequest&) -> HttpResponse {
      throw std::runtime_error("handler failed");
    });
    router_->add("GET", "/slow", [this](const HttpRequest&) {
      slow_entered_.set_value();
      slow_released_.wait();
      return json_response(200, R"({"slow":true})");
    });
  }

  void TearDown() override {
    if (!released_) release_slow();
    server_.reset();
  }

  void start(ServerOptions options = {}) {
    auto started = HttpServer::start(std::move(options), router_, &metrics_);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_ = std::move(started).value();
  }

  std::unique_ptr<TestClient> connect() {
    auto client = std::make_unique<TestClient>();
    Status connected = client->connect(server_->port());
    EXPECT_TRUE(connected.ok()) << connected.error().message;
    return client;
  }

  int retries(const std::string& id) {
    std::lock_guard lock(mu_);
    return retries_[id];
  }

  void release_slow() {
    released_ = true;
    slow_release_.set_value();
  }

  std::shared_ptr<Router> router_ = std::make_shared<Router>();
  telemetry::Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::promise<void> slow_entered_;
  std::promise<void> slow_release_;
  std::shared_future<void> slow_released_ = slow_release_.get_future().share();
  bool released_ = false;
  std::mutex mu_;
  std::map<std::string, int> retries_;
};

}  // namespace baton::api::testing
