#pragma once
// Bearer-token auth of the dashboard API: roles viewer < operator < admin, tokens stored as a
// SHA-256 only, and the audit row every action attempt leaves (allowed or refused).

#include <functional>
#include <string>

#include "dashboard-api/api_context.h"
#include "dashboard-api/http_types.h"

namespace baton::api {

/// Roles in order; kNone is an anonymous caller without read access.
enum class Role { kNone = 0, kViewer = 1, kOperator = 2, kAdmin = 3 };

/// "viewer", "operator", "admin" ("" for kNone).
const char* to_string(Role role);
/// Parses a role name; kNone when unknown.
Role parse_role(const std::string& text);

/// Who is calling.
struct Caller {
  std::string actor = "anonymous";  // "token:<name>", "anonymous"
  Role role = Role::kNone;
  bool authenticated = false;  // a valid token was given
};

/// A handler that is told who calls.
using ApiHandler = std::function<HttpResponse(const HttpRequest&, const Caller&)>;

/// Hex SHA-256 of `text`.
std::string sha256_hex(const std::string& text);
/// A new random token ("bt_" + 43 base62-ish characters of 256 random bits).
std::string new_token();

/// Wraps a read: anonymous callers pass when anonymous_read is on; otherwise 401/403.
Handler guard_read(const ApiContext& ctx, Role needed, ApiHandler handler);
/// Wraps an action: a valid token of role >= `needed` is required (401 without or with a wrong
/// token, 403 for a low role); every attempt is audited with `action` and the path param
/// `target_param` as target, and its outcome.
Handler guard_action(const ApiContext& ctx, Role needed, std::string action,
                     std::string target_param, ApiHandler handler);

}  // namespace baton::api
