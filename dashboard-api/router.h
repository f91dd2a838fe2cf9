#pragma once
// Router: method + path pattern → Handler. Patterns are literal segments and `{name}` segments
// that match one whole non-empty segment ("/api/v1/runs/{id}/retry"). When several patterns
// match, the one with a literal segment at the first position where they differ wins, so
// "/runs/stats" beats "/runs/{id}". Routes are added before the server starts; dispatch() is
// const and safe from many threads.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dashboard-api/http_types.h"

namespace baton::api {

/// Route label for requests that matched no route (keeps metric label values bounded).
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

/// Maps requests to handlers and turns routing failures into 404/405 JSON answers.
class Router {
 public:
  /// Adds a route. `route_name` labels its metrics (defaults to `pattern`). A malformed pattern
  /// or a duplicate (method, pattern) is a programmer error (BATON_CHECK).
  void add(std::string method, std::string_view pattern, Handler handler,
           std::string route_name = {});

  /// Runs the matching handler with `request.path_params` filled in; 404 when no pattern
  /// matches, 405 with Allow when patterns match but not for this method, 500 when the handler
  /// throws. `route_name` receives the matched route's name or kUnmatchedRoute.
  HttpResponse dispatch(HttpRequest& request, std::string& route_name) const;

  /// (method, pattern) of every route, in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
    return out;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" kept verbatim
    Handler handler;
    std::string name;
  };
  std::vector<Route> routes_;
};

}  // namespace baton::api
