// The embedded dashboard page: the bytes served are the files in dashboard-api/web/, with the
// right types, a strict CSP and revalidation.
#include "dashboard-api/web_routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace baton::api {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

HttpResponse get(const Router& router, const std::string& path, const std::string& inm = {}) {
  HttpRequest req;
  req.method = "GET";
  req.target = req.path = path;
  if (!inm.empty()) req.headers.emplace_back("If-None-Match", inm);
  std::string route;
  return router.dispatch(req, route);
}

TEST(WebRoutes, ServesTheEmbeddedFilesWithTypesAndSecurityHeaders) {
  Router router;
  add_web_routes(router);
  const std::string dir = std::string(BATON_SOURCE_DIR) + "/dashboard-api/web/";
  struct Case {
    const char* url;
    const char* file;
    const char* type;
  } cases[] = {{"/", "index.html", "text/html; charset=utf-8"},
               {"/index.html", "index.html", "text/html; charset=utf-8"},
               {"/app.js", "app.js", "text/javascript; charset=utf-8"},
               {"/app.css", "app.css", "text/css; charset=utf-8"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    HttpResponse r = get(router, c.url);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, c.type);
    const std::string source = slurp(dir + c.file);
    ASSERT_FALSE(source.empty());
    EXPECT_EQ(r.body, source);  // embedded at build time, byte for byte
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);

    const std::string etag = header(r, "ETag");
    ASSERT_EQ(etag.size(), 18u);
    EXPECT_EQ(get(router, c.url, etag).status, 304);
    EXPECT_TRUE(get(router, c.url, etag).body.empty());
    EXPECT_EQ(get(router, c.url, "\"0000000000000000\"").status, 200);
  }
}

TEST(WebRoutes, PageHasNoInlineScriptOrStyle) {
  // The CSP forbids inline code; an inline <script> or style= would silently not run.
  const std::string html = slurp(std::string(BATON_SOURCE_DIR) + "/dashboard-api/web/index.html");
  EXPECT_NE(html.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("style="), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}

TEST(WebRoutes, OtherPathsAreNotThePage) {
  Router router;
  add_web_routes(router);
  EXPECT_EQ(get(router, "/app.jsx").status, 404);
  EXPECT_EQ(get(router, "/web/app.js").status, 404);
}

}  // namespace
}  // namespace baton::api
