// HttpServer over real loopback sockets: routing, path parameters and every refusal.
#include <nlohmann/json.hpp>

#include "tests/api/server_fixture.h"

namespace baton::api::testing {
namespace {

using Json = nlohmann::json;

std::string error_of(const ClientResponse& response) {
  return Json::parse(response.body).at("error").get<std::string>();
}

TEST_F(ServerTest, RoutesByMethodAndPathWithParams) {
  start();
  auto client = connect();
  auto run = client->request("GET", "/api/v1/runs/r-42");
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->status, 200);
  EXPECT_EQ(run->header("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(run->body).at("id"), "r-42");

  auto stats = client->request("GET", "/api/v1/runs/stats");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->body, R"({"stats":true})");

  auto retry = client->request("POST", "/api/v1/runs/7/retry");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(Json::parse(retry->body).at("retried"), "7");
  EXPECT_EQ(retries("7"), 1);
}

TEST_F(ServerTest, HandlerSeesBodyHeadersDecodedPathAndRawQuery) {
  start();
  auto client = connect();
  auto echo = client->request("POST", "/ec%68o?a=1&b=%20", "payload", {{"X-Custom", "v1"}});
  ASSERT_TRUE(echo.ok()) << echo.error().message;
  EXPECT_EQ(echo->status, 200);
  EXPECT_EQ(echo->body, "payload");
  EXPECT_EQ(echo->header("X-Custom"), "v1");  // looked up as "x-CUSTOM"
  EXPECT_EQ(echo->header("X-Path"), "/echo");
  EXPECT_EQ(echo->header("X-Query"), "a=1&b=%20");
  EXPECT_EQ(echo->header("X-Remote").rfind("127.0.0.1:", 0), 0u) << echo->header("X-Remote");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  auto client = connect();
  auto missing = client->request("GET", "/api/v1/nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_FALSE(error_of(*missing).empty());
  EXPECT_TRUE(missing->keep_alive);

  auto wrong = client->request("DELETE", "/api/v1/runs/3/retry");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "POST");
  EXPECT_FALSE(error_of(*wrong).empty());
  EXPECT_EQ(retries("3"), 0);
}

// Each target would reach POST /api/v1/runs/2/retry (or another route) if the server
// normalised it; it must be refused instead, and the connection closed.
TEST_F(ServerTest, DotSegmentsAndEncodedSlashesAre400) {
  start();
  const char* const kTargets[] = {
      "/api/v1/runs/1/../2/retry",
      "/api/v1/runs/1/%2E%2E/2/retry",
      "/api/v1/runs/2/./retry",
      "/api/v1/runs/1%2F..%2F2/retry",
      "/api/v1/runs/2%2fretry",
      "/api/v1/runs/2%5Cx/retry",
      "/api/v1/runs/%zz/retry",
      "/api/v1/runs/2%/retry",
      "/api/v1/runs/%00/retry",
      "http://evil/api/v1/runs/2/retry",
      "*",
  };
  for (const char* target : kTargets) {
    SCOPED_TRACE(target);
    auto client = connect();
    auto refused = client->request("POST", target);
    ASSERT_TRUE(refused.ok()) << refused.error().message;
    EXPECT_EQ(refused->status, 400);
    EXPECT_FALSE(error_of(*refused).empty());
    EXPECT_FALSE(refused->keep_alive);
    EXPECT_TRUE(client->wait_closed());
  }
  EXPECT_EQ(retries("2"), 0);
  EXPECT_EQ(retries("1"), 0);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  const char* const kRequests[] = {
      "GARBAGE\r\n\r\n",
      "GET /echo HTTP/1.1\r\nContent-Length: x\r\n\r\n",
      "POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
  };
  for (const char* bytes : kRequests) {
    SCOPED_TRACE(bytes);
    auto client = connect();
    ASSERT_TRUE(client->write_raw(bytes).ok());
    auto refused = client->read_response();
    ASSERT_TRUE(refused.ok()) << refused.error().message;
    EXPECT_EQ(refused->status, 400);
    EXPECT_FALSE(error_of(*refused).empty());
    EXPECT_TRUE(client->wait_closed());
  }
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  start(options);
  auto client = connect();
  auto at_limit = client->request("POST", "/echo", std::string(1024, 'a'));
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.size(), 1024u);

  auto over = client->request("POST", "/echo", std::string(1025, 'a'));
  ASSERT_TRUE(over.ok()) << over.error().message;
  EXPECT_EQ(over->status, 413);
  EXPECT_NE(error_of(*over).find("1024"), std::string::npos);
  EXPECT_FALSE(over->keep_alive);
  EXPECT_TRUE(client->wait_closed());
}

// A Content-Length of 1 GiB with no body behind it: the answer comes from the header alone.
TEST_F(ServerTest, ContentLengthOverLimitIsRefusedBeforeTheBody) {
  start();  // default limit: 25 MiB
  auto client = connect();
  ASSERT_TRUE(
      client->write_raw(raw_request("POST", "/echo", {{"Content-Length", "1073741824"}}, "")).ok());
  auto refused = client->read_response();
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 413);
}

TEST_F(ServerTest, DefaultLimitIs25MiB) {
  start();
  auto client = connect();
  auto over = client->request("POST", "/echo", std::string((25 << 20) + 1, 'x'));
  ASSERT_TRUE(over.ok()) << over.error().message;  // the lingering close lets us read it
  EXPECT_EQ(over->status, 413);
  auto again = connect();
  auto at = again->request("POST", "/echo", std::string(25 << 20, 'x'));
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_EQ(at->status, 200);
  EXPECT_EQ(at->body.size(), std::size_t{25} << 20);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  start(options);
  auto client = connect();
  std::string body;
  for (int i = 0; i < 3; ++i) body += "200\r\n" + std::string(512, 'c') + "\r\n";
  body += "0\r\n\r\n";
  ASSERT_TRUE(
      client->write_raw(raw_request("POST", "/echo", {{"Transfer-Encoding", "chunked"}}, body))
          .ok());
  auto refused = client->read_response();
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 413);
}

// Content-Length says 5 but 25 bytes follow: the server takes 5, and the rest is parsed as the
// next request, which is garbage, so 400 — never a body bigger than declared.
TEST_F(ServerTest, UnderstatedContentLengthDoesNotSmuggleBytes) {
  start();
  auto client = connect();
  ASSERT_TRUE(client
                  ->write_raw(raw_request("POST", "/echo", {{"Content-Length", "5"}},
                                          "hello, this is smuggled\r\n\r\n"))
                  .ok());
  auto first = client->read_response();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  auto second = client->read_response();
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->status, 400);
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  ServerOptions options;
  options.header_limit = 1024;
  start(options);
  auto client = connect();
  auto refused = client->request("GET", "/api/v1/runs/1", "", {{"X-Big", std::string(2048, 'h')}});
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 431);
}

TEST_F(ServerTest, TooManyConnectionsGet503) {
  ServerOptions options;
  options.max_connections = 1;
  start(options);
  auto first = connect();
  auto ok = first->request("GET", "/api/v1/runs/1");  // the first is registered by now
  ASSERT_TRUE(ok.ok());
  auto second = connect();
  auto refused = second->read_response();
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 503);
  EXPECT_TRUE(second->wait_closed());
  EXPECT_EQ(first->request("GET", "/api/v1/runs/2")->status, 200);
}

}  // namespace
}  // namespace baton::api::testing
