#pragma once
// The dashboard web page: GET / (index.html), /app.js, /app.css, served from bytes embedded in
// the binary, with a strict Content-Security-Policy (no inline script or style, same-origin
// connections only) and revalidated caching (ETag + If-None-Match -> 304).

#include "dashboard-api/router.h"

namespace baton::api {

/// The Content-Security-Policy every page response carries.
inline constexpr const char* kWebCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds GET /, /index.html, /app.js and /app.css.
void add_web_routes(Router& router);

}  // namespace baton::api
