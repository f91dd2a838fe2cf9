#include "dashboard-api/web_routes.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "dashboard-api/web_assets.h"
#include "engine/common/check.h"

namespace baton::api {
namespace {

struct Page {
  const char* url;
  const char* file;
  const char* content_type;
};

constexpr Page kPages[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/index.html", "index.html", "text/html; charset=utf-8"},
    {"/app.js", "app.js", "text/javascript; charset=utf-8"},
    {"/app.css", "app.css", "text/css; charset=utf-8"},
};

// A strong validator from the bytes (FNV-1a 64): the page changes only with the binary, so one
// hash per file at start-up is enough.
std::string etag_of(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool etag_matches(std::string_view if_none_match, const std::string& etag) {
  // The header may list several tags or "*"; a substring test of the quoted tag is exact enough
  // because our tags are fixed-width hex.
  return if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

void add_web_routes(Router& router) {
  for (const Page& page : kPages) {
    const WebAsset* asset = nullptr;
    for (const WebAsset& a : web_assets()) {
      if (a.name == page.file) asset = &a;
    }
    BATON_CHECK(asset != nullptr, std::string("web asset not embedded: ") + page.file);
    std::string body(reinterpret_cast<const char*>(asset->data), asset->size);
    std::string etag = etag_of(body);
    router.add(
        "GET", page.url,
        [body = std::move(body), etag = std::move(etag),
         type = std::string(page.content_type)](const HttpRequest& request) {
          HttpResponse response;
          // Revalidate every time: the files have fixed names, and a stale app.js against a
          // newer API is worse than one conditional request.
          response.headers = {
              {"Cache-Control", "no-cache"},        {"ETag", etag},
              {"Content-Security-Policy", kWebCsp}, {"X-Content-Type-Options", "nosniff"},
              {"Referrer-Policy", "no-referrer"},   {"X-Frame-Options", "DENY"}};
          if (etag_matches(request.header("If-None-Match"), etag)) {
            response.status = 304;  // Beast sends no body for 304
            response.content_type = type;
            return response;
          }
          response.status = 200;
          response.content_type = type;
          response.body = body;
          return response;
        },
        page.url);
  }
}

}  // namespace baton::api
