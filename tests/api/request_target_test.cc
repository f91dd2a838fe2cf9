// parse_target and Router::dispatch without sockets: the tables behind the server's answers.
#include "dashboard-api/request_target.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "dashboard-api/router.h"

namespace baton::api {
namespace {

TEST(ParseTarget, AcceptsAndDecodes) {
  struct Case {
    const char* target;
    const char* path;
    const char* query;
  };
  const Case kCases[] = {
      {"/", "/", ""},
      {"/api/v1/runs/1/retry", "/api/v1/runs/1/retry", ""},
      {"/a%20b/c?x=%2F&y", "/a b/c", "x=%2F&y"},     // the query stays encoded
      {"/runs/a..b/.x/x.", "/runs/a..b/.x/x.", ""},  // dots inside names are fine
      {"/a//b/", "/a//b/", ""},
      {"/%41%62", "/Ab", ""},
      {"/a?", "/a", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.target);
    auto parsed = parse_target(c.target);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->path, c.path);
    EXPECT_EQ(parsed->query, c.query);
  }
}

TEST(ParseTarget, RefusesWhatCouldReachAnotherRoute) {
  struct Case {
    const char* target;
    const char* why;
  };
  const Case kCases[] = {
      {"/runs/1/../2", "dot-segment"},  {"/runs/..", "dot-segment"},
      {"/./runs", "dot-segment"},       {"/runs/%2e%2E/2", "dot-segment"},
      {"/runs/%2E", "dot-segment"},     {"/runs/1%2F2", "encoded slash"},
      {"/runs/1%2f2", "encoded slash"}, {"/runs/1%5c2", "encoded slash"},
      {"/runs/%G1", "malformed"},       {"/runs/%4", "malformed"},
      {"/runs/%", "malformed"},         {"/runs/%00", "NUL"},
      {"runs/1", "must start"},         {"*", "must start"},
      {"http://x/runs", "must start"},  {"", "must start"},
      {"/runs#frag", "fragment"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.target);
    auto parsed = parse_target(c.target);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find(c.why), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().code, "bad_target");
  }
}

HttpResponse named(std::string name) { return json_response(200, std::move(name)); }

TEST(Router, PicksTheMostLiteralMatchAndFillsParams) {
  Router router;
  router.add("GET", "/runs/{id}",
             [](const HttpRequest& r) { return named("id=" + r.path_params.at("id")); });
  router.add("GET", "/runs/stats", [](const HttpRequest&) { return named("stats"); });
  router.add("GET", "/runs/{id}/tasks/{task}", [](const HttpRequest& r) {
    return named(r.path_params.at("id") + "," + r.path_params.at("task"));
  });
  router.add(
      "POST", "/runs/{id}", [](const HttpRequest&) { return named("post"); }, "create");
  struct Case {
    const char* method;
    const char* path;
    int status;
    const char* body_or_allow;
    const char* route;
  };
  const Case kCases[] = {
      {"GET", "/runs/7", 200, "id=7", "/runs/{id}"},
      {"GET", "/runs/stats", 200, "stats", "/runs/stats"},
      {"GET", "/runs/7/tasks/build", 200, "7,build", "/runs/{id}/tasks/{task}"},
      {"POST", "/runs/7", 200, "post", "create"},
      {"GET", "/runs/", 404, "", "unmatched"},  // {id} needs a non-empty segment
      {"GET", "/runs/7/tasks", 404, "", "unmatched"},
      {"PUT", "/runs/7", 405, "GET, POST", "unmatched"},
      {"PUT", "/runs/7/tasks/x", 405, "GET", "unmatched"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    HttpRequest request;
    request.method = c.method;
    request.path = c.path;
    std::string route;
    HttpResponse response = router.dispatch(request, route);
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(route, c.route);
    if (c.status == 200) {
      EXPECT_EQ(response.body, c.body_or_allow);
    }
    if (c.status == 405) {
      ASSERT_EQ(response.headers.size(), 1u);
      EXPECT_EQ(response.headers[0].first, "Allow");
      EXPECT_EQ(response.headers[0].second, c.body_or_allow);
    }
  }
}

TEST(Router, HandlerExceptionBecomes500) {
  Router router;
  router.add("GET", "/boom",
             [](const HttpRequest&) -> HttpResponse { throw std::logic_error("x"); });
  router.add("GET", "/int", [](const HttpRequest&) -> HttpResponse { throw 42; });
  for (const char* path : {"/boom", "/int"}) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    std::string route;
    EXPECT_EQ(router.dispatch(request, route).status, 500);
    EXPECT_EQ(route, path);
  }
}

TEST(HttpRequest, HeaderLookupIsCaseInsensitive) {
  HttpRequest request;
  request.headers = {{"X-GitHub-Event", "push"}, {"x-github-event", "second"}};
  EXPECT_EQ(request.header("x-github-event"), "push");
  EXPECT_EQ(request.header("X-GITHUB-EVENT"), "push");
  EXPECT_EQ(request.header("X-Missing"), "");
}

}  // namespace
}  // namespace baton::api
