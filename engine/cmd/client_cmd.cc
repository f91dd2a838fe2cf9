// `baton runs|logs|retry|cancel|approve --server URL`: the client side of `baton serve`'s API
// (docs/design/dashboard-api.md). The token comes from --token or $BATON_TOKEN.

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "dashboard-api/http_client.h"
#include "engine/cmd/commands.h"

namespace baton::cmd {

namespace {

using Json = nlohmann::json;

const char kHelp[] =
    "usage: baton runs   --server URL [--pipeline P] [--status S] [--limit N]\n"
    "       baton logs   --server URL [-f] RUN\n"
    "       baton retry  --server URL [--failed] RUN\n"
    "       baton cancel --server URL [--mode Cancelled|CancelledRunFinally|StoppedRunFinally] "
    "RUN\n"
    "       baton approve --server URL [--reject] [--message M] RUN TASK\n"
    "\n"
    "Talks to a `baton serve` at URL (http://HOST:PORT). The bearer token is --token T or\n"
    "$BATON_TOKEN. `retry --failed` reruns only what failed and what depends on it, reusing the\n"
    "results of tasks that succeeded; without --failed every task runs again. `logs -f` follows\n"
    "the run's step logs live until it ends. Exit status 0 on success, 1 when the server refuses\n"
    "(its error is printed), 2 on bad usage.\n";

struct ClientArgs {
  std::string server, token, pipeline, status, mode, message;
  int limit = 20;
  bool follow = false, failed = false, reject = false;
  std::vector<std::string> rest;
};

bool parse(const std::vector<std::string>& args, ClientArgs& out) {
  if (const char* t = std::getenv("BATON_TOKEN")) out.token = t;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--server" || a == "--token" || a == "--pipeline" || a == "--status" ||
        a == "--mode" || a == "--message") {
      std::string& into = a == "--server"     ? out.server
                          : a == "--token"    ? out.token
                          : a == "--pipeline" ? out.pipeline
                          : a == "--status"   ? out.status
                          : a == "--mode"     ? out.mode
                                              : out.message;
      if (!value(into)) return false;
    } else if (a == "--limit") {
      std::string n;
      if (!value(n)) return false;
      out.limit = std::atoi(n.c_str());
    } else if (a == "-f" || a == "--follow") {
      out.follow = true;
    } else if (a == "--failed") {
      out.failed = true;
    } else if (a == "--reject") {
      out.reject = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return false;
    } else {
      out.rest.push_back(a);
    }
  }
  return !out.server.empty();
}

std::string when(const Json& ms) {
  if (!ms.is_number()) return "-";
  std::time_t t = static_cast<std::time_t>(ms.get<std::int64_t>() / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// The JSON of a 2xx answer, or nullopt after printing why not.
std::optional<Json> call(const api::ServerUrl& url, const ClientArgs& a, const std::string& method,
                         const std::string& target, const std::string& body = {}) {
  auto r = api::http_call(url, method, target, a.token, body);
  if (!r.ok()) {
    std::fprintf(stderr, "baton: %s\n", r.error().message.c_str());
    return std::nullopt;
  }
  Json j = Json::parse(r->body, nullptr, false);
  if (r->status / 100 != 2) {
    std::string why = j.is_object() && j.contains("error") ? j["error"].dump() : r->body;
    std::fprintf(stderr, "baton: the server answered %d: %s\n", r->status, why.c_str());
    return std::nullopt;
  }
  return j.is_discarded() ? Json::object() : j;
}

void print_lines(const std::string& prefix, const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::printf(
        "%s%s\n", prefix.c_str(),
        text.substr(start, nl == std::string::npos ? std::string::npos : nl - start).c_str());
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::fflush(stdout);
}

int runs(const api::ServerUrl& url, const ClientArgs& a) {
  std::string q = "/api/v1/runs?limit=" + std::to_string(a.limit);
  if (!a.pipeline.empty()) q += "&pipeline=" + a.pipeline;
  if (!a.status.empty()) q += "&status=" + a.status;
  auto j = call(url, a, "GET", q);
  if (!j) return 1;
  std::printf("%-30s %-24s %-12s %-8s %-19s %s\n", "ID", "PIPELINE", "STATUS", "TRIGGER", "CREATED",
              "RETRY OF");
  for (const auto& r : (*j)["runs"]) {
    std::printf("%-30s %-24s %-12s %-8s %-19s %s\n", r["id"].get<std::string>().c_str(),
                r["pipeline"].get<std::string>().c_str(), r["status"].get<std::string>().c_str(),
                r["trigger"]["type"].get<std::string>().c_str(), when(r["created_at"]).c_str(),
                r["retry_of"].is_string() ? r["retry_of"].get<std::string>().c_str() : "-");
  }
  return 0;
}

bool terminal(const Json& run) {
  const std::string s = run.value("status", "");
  return s != "queued" && s != "running";
}

int logs(const api::ServerUrl& url, const ClientArgs& a) {
  if (a.rest.size() != 1) return 2;
  const std::string run = a.rest[0];
  std::set<std::string> printed;  // "<attempt>/<step>" whose whole log was shown
  for (;;) {
    auto detail = call(url, a, "GET", "/api/v1/runs/" + run);
    if (!detail) return 1;
    const bool over = terminal(*detail);
    bool any = false;
    for (const auto& t : (*detail)["tasks"]) {
      for (const auto& at : t["attempts"]) {
        for (const auto& st : at["steps"]) {
          const std::string id = at["id"];
          const std::string key = id + "/" + std::to_string(st["index"].get<int>());
          if (printed.count(key)) continue;
          const std::string prefix =
              "[" + t["name"].get<std::string>() + ":" + st["name"].get<std::string>() + "] ";
          const std::string target = "/api/v1/runs/" + run + "/taskruns/" + id + "/steps/" +
                                     std::to_string(st["index"].get<int>()) + "/logs";
          if (a.follow) {
            std::string partial;
            auto s = api::http_follow(url, target, a.token, "", [&](const api::SseEvent& e) {
              if (e.event != "log") return e.event != "end";
              Json c = Json::parse(e.data, nullptr, false);
              if (!c.is_object()) return true;
              partial += c["data"].get<std::string>();
              auto nl = partial.rfind('\n');
              if (nl != std::string::npos) {
                print_lines(prefix, partial.substr(0, nl + 1));
                partial.erase(0, nl + 1);
              }
              return true;
            });
            if (!partial.empty()) print_lines(prefix, partial);
            if (!s.ok()) {
              std::fprintf(stderr, "baton: %s\n", s.error().message.c_str());
              return 1;
            }
          } else {
            auto r = api::http_call(url, "GET", target, a.token);
            if (!r.ok() || r->status != 200) {
              std::fprintf(stderr, "baton: cannot read %s\n", target.c_str());
              return 1;
            }
            print_lines(prefix, r->body);
          }
          printed.insert(key);
          any = true;
        }
      }
    }
    if (!a.follow || (over && !any)) break;
    if (!any) {
      // Nothing new to follow yet (a task is starting): ask again shortly.
      struct timespec ts {
        0, 200'000'000
      };
      nanosleep(&ts, nullptr);
    }
  }
  return 0;
}

int print_run(const std::optional<Json>& j, const char* what) {
  if (!j) return 1;
  const Json& r = (*j)["run"];
  std::printf("%s\n", r["id"].get<std::string>().c_str());
  std::fprintf(stderr, "baton: %s %s (%s)\n", what, r["id"].get<std::string>().c_str(),
               r["status"].get<std::string>().c_str());
  return 0;
}

}  // namespace

int run_client(const std::string& command, const std::vector<std::string>& args) {
  ClientArgs a;
  for (const auto& s : args) {
    if (s == "-h" || s == "--help") {
      std::fputs(kHelp, stdout);
      return 0;
    }
  }
  if (!parse(args, a)) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  auto url = api::parse_server_url(a.server);
  if (!url.ok()) {
    std::fprintf(stderr, "baton: %s\n", url.error().message.c_str());
    return 2;
  }
  int rc = 2;
  if (command == "runs" && a.rest.empty()) {
    rc = runs(*url, a);
  } else if (command == "logs") {
    rc = logs(*url, a);
  } else if (command == "retry" && a.rest.size() == 1) {
    rc = print_run(call(*url, a, "POST", "/api/v1/runs/" + a.rest[0] + "/retry",
                        Json{{"failed_only", a.failed}}.dump()),
                   "queued retry");
  } else if (command == "cancel" && a.rest.size() == 1) {
    Json body = Json::object();
    if (!a.mode.empty()) body["mode"] = a.mode;
    rc = print_run(call(*url, a, "POST", "/api/v1/runs/" + a.rest[0] + "/cancel", body.dump()),
                   "cancelling");
  } else if (command == "approve" && a.rest.size() == 2) {
    Json body = {{"decision", a.reject ? "reject" : "approve"}, {"message", a.message}};
    auto j =
        call(*url, a, "POST", "/api/v1/runs/" + a.rest[0] + "/approvals/" + a.rest[1], body.dump());
    if (!j) return 1;
    std::printf("%s %s\n", a.rest[1].c_str(), (*j)["task"]["state"].get<std::string>().c_str());
    rc = 0;
  }
  if (rc == 2) std::fputs(kHelp, stderr);
  return rc;
}

}  // namespace baton::cmd
