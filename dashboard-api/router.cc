#include "dashboard-api/router.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "engine/common/check.h"

namespace baton::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// '1' per literal segment, '0' per parameter: the greater string is the more literal match.
std::string shape(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments) out += is_param(s) ? '0' : '1';
  return out;
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler,
                 std::string route_name) {
  BATON_CHECK(!pattern.empty() && pattern.front() == '/', "route pattern must start with '/'");
  BATON_CHECK(handler != nullptr, "route handler is empty");
  Route route;
  for (std::string_view s : split_path(pattern)) {
    BATON_CHECK(is_param(s) || s.find_first_of("{}") == std::string_view::npos,
                "route pattern has a malformed {param}: " + std::string(pattern));
    route.segments.emplace_back(s);
  }
  for (const Route& other : routes_) {
    BATON_CHECK(!(other.method == method && other.pattern == pattern),
                "duplicate route " + method + " " + std::string(pattern));
  }
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  route.name = route_name.empty() ? route.pattern : std::move(route_name);
  routes_.push_back(std::move(route));
}

HttpResponse Router::dispatch(HttpRequest& request, std::string& route_name) const {
  const std::vector<std::string_view> segments = split_path(request.path);
  const Route* best = nullptr;
  std::string best_shape;
  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      match = is_param(route.segments[i]) ? !segments[i].empty() : route.segments[i] == segments[i];
    }
    if (!match) continue;
    if (route.method != request.method) {
      if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
        allowed.push_back(route.method);
      }
      continue;
    }
    std::string route_shape = shape(route.segments);
    if (best == nullptr || route_shape > best_shape) {
      best = &route;
      best_shape = std::move(route_shape);
    }
  }
  if (best == nullptr) {
    route_name = std::string(kUnmatchedRoute);
    if (allowed.empty()) return json_error(404, "no route for " + request.path);
    std::string allow;
    for (std::string_view m : allowed) (allow += allow.empty() ? "" : ", ") += m;
    HttpResponse response = json_error(405, "method " + request.method + " not allowed");
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  route_name = best->name;
  request.path_params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& s = best->segments[i];
    if (is_param(s)) request.path_params[s.substr(1, s.size() - 2)] = std::string(segments[i]);
  }
  try {
    return best->handler(request);
  } catch (const std::exception& e) {
    // The daemon must outlive a faulty handler; the cause goes to the log, not to the client.
    std::fprintf(stderr, "baton api: handler %s threw: %s\n", best->name.c_str(), e.what());
  } catch (...) {
    std::fprintf(stderr, "baton api: handler %s threw a non-exception\n", best->name.c_str());
  }
  return json_error(500, "internal error");
}

}  // namespace baton::api
