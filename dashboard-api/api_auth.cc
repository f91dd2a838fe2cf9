#include "dashboard-api/api_auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "dashboard-api/request_target.h"
#include "engine/common/check.h"

namespace baton::api {

namespace {

using Json = nlohmann::json;

// What the Authorization header says: no token, a token we know, or one we do not.
struct Identified {
  Caller caller;
  bool token_given = false;
};

Identified identify(const ApiContext& ctx, const HttpRequest& req) {
  Identified id;
  std::string_view auth = req.header("Authorization");
  if (auth.empty()) return id;
  id.token_given = true;
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || !iequals(auth.substr(0, kBearer.size()), kBearer)) {
    return id;
  }
  auto token = ctx.store->use_token(sha256_hex(std::string(auth.substr(kBearer.size()))));
  if (!token.ok()) return id;
  id.caller.actor = "token:" + token->name;
  id.caller.role = parse_role(token->role);
  id.caller.authenticated = id.caller.role != Role::kNone;
  return id;
}

HttpResponse unauthorized(const std::string& message) {
  HttpResponse r = json_error(401, message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"baton\"");
  return r;
}

HttpResponse forbidden(Role have, Role needed) {
  return json_error(403, std::string("this needs role ") + to_string(needed) + "; the token has " +
                             to_string(have));
}

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
    case Role::kNone:
      break;
  }
  return "";
}

Role parse_role(const std::string& text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "operator") return Role::kOperator;
  if (text == "admin") return Role::kAdmin;
  return Role::kNone;
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  BATON_CHECK(EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr) == 1,
              "EVP_Digest(sha256) failed");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string new_token() {
  unsigned char bytes[32];
  BATON_CHECK(RAND_bytes(bytes, sizeof bytes) == 1, "RAND_bytes failed");
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "bt_";
  for (unsigned char b : bytes) out += kAlphabet[b & 63];
  // 6 bits of each byte: 192 bits of entropy, plenty for a bearer secret.
  return out;
}

Handler guard_read(const ApiContext& ctx, Role needed, ApiHandler handler) {
  return [&ctx, needed, handler = std::move(handler)](const HttpRequest& req) {
    Identified id = identify(ctx, req);
    if (id.token_given && !id.caller.authenticated) return unauthorized("invalid token");
    if (!id.token_given) {
      if (!ctx.anonymous_read || needed > Role::kViewer) {
        return unauthorized("a bearer token is required");
      }
      id.caller.role = Role::kViewer;
    }
    if (id.caller.role < needed) return forbidden(id.caller.role, needed);
    return handler(req, id.caller);
  };
}

Handler guard_action(const ApiContext& ctx, Role needed, std::string action,
                     std::string target_param, ApiHandler handler) {
  return [&ctx, needed, action = std::move(action), target_param = std::move(target_param),
          handler = std::move(handler)](const HttpRequest& req) {
    Identified id = identify(ctx, req);
    store::AuditRecord audit;
    audit.action = action;
    if (auto it = req.path_params.find(target_param); it != req.path_params.end()) {
      audit.target = it->second;
    }
    HttpResponse response;
    if (!id.token_given) {
      audit.actor = "anonymous";
      response = unauthorized("a bearer token is required");
    } else if (!id.caller.authenticated) {
      audit.actor = "invalid-token";
      response = unauthorized("invalid token");
    } else {
      audit.actor = id.caller.actor;
      response =
          id.caller.role < needed ? forbidden(id.caller.role, needed) : handler(req, id.caller);
    }
    const bool allowed = id.caller.authenticated && id.caller.role >= needed;
    audit.outcome = response.status < 300 ? "ok"
                    : allowed             ? "error: " + std::to_string(response.status)
                                          : "denied: " + std::to_string(response.status);
    audit.detail = Json{{"remote", req.remote}, {"status", response.status}}.dump();
    if (auto s = ctx.store->add_audit(audit); !s.ok()) {
      // An action that cannot be audited is not done silently: the caller learns of it.
      if (response.status < 300) {
        return json_error(500, "the action ran but its audit row failed: " + s.error().message);
      }
    }
    return response;
  };
}

}  // namespace baton::api
