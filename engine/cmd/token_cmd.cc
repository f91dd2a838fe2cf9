// `baton token create`: a bearer token of the dashboard API, written to the store as a SHA-256
// and printed once.

#include <cstdio>
#include <string>

#include "dashboard-api/api_auth.h"
#include "dashboard-api/serve_config.h"
#include "engine/cmd/commands.h"
#include "engine/cmd/options.h"
#include "engine/store/run_store.h"

namespace baton::cmd {

namespace {

const char kHelp[] =
    "usage: baton token create --role viewer|operator|admin [--name N]\n"
    "                          [--store PATH | --config FILE]\n"
    "\n"
    "Creates a bearer token for `baton serve`'s API and prints it once (only its SHA-256 is\n"
    "stored). Roles: viewer reads, operator also cancels/retries/approves/redelivers, admin also\n"
    "manages tokens. The store is --store PATH, the `store` of a serve config (--config FILE),\n"
    "or $BATON_HOME/baton.db.\n";

}  // namespace

int run_token(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "create") {
    std::fprintf(stderr, "baton token: unknown subcommand \"%s\"\n\n%s", args[0].c_str(), kHelp);
    return 2;
  }
  std::string role, name, store_path, config;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--role" || a == "--name" || a == "--store" || a == "--config") &&
        i + 1 < args.size()) {
      (a == "--role"    ? role
       : a == "--name"  ? name
       : a == "--store" ? store_path
                        : config) = args[++i];
      continue;
    }
    std::fprintf(stderr, "baton token: unknown argument \"%s\"\n\n%s", a.c_str(), kHelp);
    return 2;
  }
  if (api::parse_role(role) == api::Role::kNone) {
    std::fprintf(stderr, "baton token: --role must be viewer, operator or admin\n\n%s", kHelp);
    return 2;
  }
  if (!config.empty()) {
    api::ConfigLoad loaded = api::load_serve_config(config);
    if (!loaded.errors.empty()) {
      for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      return 2;
    }
    store_path = loaded.config.store;
  }
  if (store_path.empty()) store_path = baton_home() + "/baton.db";
  auto store = store::RunStore::open(store_path);
  if (!store.ok()) {
    std::fprintf(stderr, "baton token: cannot open %s: %s\n", store_path.c_str(),
                 store.error().message.c_str());
    return 1;
  }
  const std::string secret = api::new_token();
  store::TokenRecord t;
  t.name = name.empty() ? role + "-" + secret.substr(3, 6) : name;
  t.role = role;
  t.hash = api::sha256_hex(secret);
  auto created = (*store)->create_token(t);
  if (!created.ok()) {
    std::fprintf(stderr, "baton token: %s\n", created.error().message.c_str());
    return 1;
  }
  (void)(*store)->add_audit({0, 0, "cli", "token.create", created->id, "ok",
                             "{\"name\":\"" + created->name + "\",\"role\":\"" + role + "\"}"});
  std::printf("%s\n", secret.c_str());
  std::fprintf(stderr, "baton token: created %s (%s, role %s); it is shown only this once\n",
               created->id.c_str(), created->name.c_str(), role.c_str());
  return 0;
}

}  // namespace baton::cmd
