// schemas/openapi.yaml describes exactly the routes `baton serve` mounts: every (method, path)
// of the router is in the file, every operation of the file is a route, and every route that
// needs a token documents its 401 (and, for actions and admin routes, 403).

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>

#include "dashboard-api/serve_routes.h"
#include "engine/spec/yaml_tree.h"
#include "engine/telemetry/metrics.h"

namespace baton::api {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Operation {
  std::set<std::string> responses;
  bool public_route = false;  // security: []
};

std::map<std::pair<std::string, std::string>, Operation> openapi_operations() {
  auto docs = spec::parse_yaml_file(std::string(BATON_SOURCE_DIR) + "/schemas/openapi.yaml");
  EXPECT_TRUE(docs.ok()) << (docs.ok() ? "" : docs.error().message);
  std::map<std::pair<std::string, std::string>, Operation> out;
  if (!docs.ok()) return out;
  const spec::Node* paths = docs->front().root.find("paths");
  EXPECT_TRUE(paths && paths->is_map());
  if (!paths) return out;
  for (const auto& p : paths->entries) {
    for (const auto& m : p.value.entries) {
      if (m.key == "parameters" || m.key == "summary") continue;
      Operation op;
      if (const spec::Node* r = m.value.find("responses")) {
        for (const auto& code : r->entries) op.responses.insert(code.key);
      }
      const spec::Node* sec = m.value.find("security");
      op.public_route = sec && sec->is_seq() && sec->items.empty();
      out[{lower(m.key), p.key}] = op;
    }
  }
  return out;
}

TEST(OpenApi, EveryRouteIsDescribedAndEveryDescribedPathIsARoute) {
  Router router;
  telemetry::Metrics metrics;
  WebhookContext webhook;
  ApiContext api;
  add_serve_routes(
      router, [] { return true; }, metrics, webhook, api);
  auto ops = openapi_operations();
  ASSERT_FALSE(ops.empty());
  std::set<std::pair<std::string, std::string>> mounted;
  for (const auto& [method, pattern] : router.routes()) {
    mounted.insert({lower(method), pattern});
    auto it = ops.find({lower(method), pattern});
    if (it == ops.end()) {
      ADD_FAILURE() << method << " " << pattern << " is mounted but not in schemas/openapi.yaml";
      continue;
    }
    EXPECT_FALSE(it->second.responses.empty()) << pattern;
    const bool api_route = pattern.rfind("/api/v1/", 0) == 0;
    EXPECT_EQ(it->second.public_route, !api_route) << method << " " << pattern;
    if (api_route) {
      EXPECT_TRUE(it->second.responses.count("401")) << method << " " << pattern;
    }
    const bool action = api_route && method != "GET";
    const bool admin = pattern == "/api/v1/tokens" || pattern == "/api/v1/audit";
    if (action || admin) {
      EXPECT_TRUE(it->second.responses.count("403")) << method << " " << pattern;
    }
  }
  for (const auto& [key, op] : ops) {
    EXPECT_TRUE(mounted.count(key))
        << key.first << " " << key.second << " is in schemas/openapi.yaml but no route serves it";
  }
  EXPECT_GE(mounted.size(), 24u);
}

}  // namespace
}  // namespace baton::api
