#include "dashboard-api/http_types.h"

#include <nlohmann/json.hpp>

#include "dashboard-api/request_target.h"

namespace baton::api {

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse json_error(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  nlohmann::json body = {{"error", std::string(message)}};
  // replace: a message quoting request bytes may hold invalid UTF-8; dump must not throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace baton::api
