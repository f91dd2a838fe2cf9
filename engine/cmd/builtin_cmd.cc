// `baton builtin NAME --key=value...`: the native tasks. A step whose image is
// baton.dev/builtin/NAME runs this (docs/design/builtin-tasks.md); results are written as
// files into --results (a Task's /tekton/results).

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cmd/commands.h"
#include "tasks/builtin/git_clone.h"
#include "tasks/builtin/gitops_update.h"
#include "tasks/builtin/trivy_report.h"

namespace baton::cmd {

namespace {

const char kHelp[] =
    "usage: baton builtin NAME --key=value...\n"
    "\n"
    "  git-clone      --url= --revision= --depth= --submodules=true|false --output=DIR\n"
    "                 [--credentials=DIR] [--delete-existing=true|false] [--results=DIR]\n"
    "  gitops-update  --url= --branch= --file= --mode=kustomize|helm|deployment\n"
    "                 --image= [--repository=] [--helm-path=] --tag=|--digest=\n"
    "                 [--source-commit=] [--push-branch=] [--retries=N] [--credentials=DIR]\n"
    "                 [--work-dir=DIR] [--results=DIR]\n"
    "  git-init       -url= -revision= -path= [-depth=] [-submodules=]   Tekton's git-init\n"
    "                 flags; also run as /ko-app/git-init (a symlink to baton)\n"
    "  trivy-summary  --report=FILE [--fail-on=SEVERITY|NONE] [--fail-if-skipped=true|false]\n"
    "                 [--results=DIR]   (also: baton trivy-summary FILE --fail-on HIGH)\n";

using Flags = std::map<std::string, std::string>;

bool parse_flags(const std::vector<std::string>& args, std::size_t from, Flags& out) {
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "baton builtin: want --key=value, got \"%s\"\n", a.c_str());
      return false;
    }
    out[a.substr(2, eq - 2)] = a.substr(eq + 1);
  }
  return true;
}

std::string take(Flags& f, const std::string& key, const std::string& fallback = {}) {
  auto it = f.find(key);
  if (it == f.end()) return fallback;
  std::string v = it->second;
  f.erase(it);
  return v;
}

bool truthy(const std::string& v) { return v == "true" || v == "yes" || v == "1"; }

bool no_leftovers(const Flags& f, const char* name) {
  for (const auto& [k, v] : f) {
    std::fprintf(stderr, "baton builtin %s: unknown option --%s\n", name, k.c_str());
  }
  return f.empty();
}

// Writes a result file; results are bytes, so no trailing newline.
bool write_result(const std::string& dir, const std::string& name, const std::string& value) {
  if (dir.empty()) return true;
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out << value;
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write result %s/%s\n", dir.c_str(), name.c_str());
    return false;
  }
  return true;
}

int to_int(const std::string& s, int fallback) {
  if (s.empty()) return fallback;
  try {
    return std::stoi(s);
  } catch (...) {
    return -1;
  }
}

int git_clone_cmd(Flags f) {
  builtin::CloneOptions o;
  o.url = take(f, "url");
  o.revision = take(f, "revision");
  o.depth = to_int(take(f, "depth"), 1);
  o.submodules = truthy(take(f, "submodules", "true"));
  o.delete_existing = truthy(take(f, "delete-existing", "true"));
  o.dest = take(f, "output");
  o.credentials_dir = take(f, "credentials");
  const std::string results = take(f, "results");
  if (!no_leftovers(f, "git-clone")) return 2;
  if (o.dest.empty() || o.depth < 0) {
    std::fputs("baton builtin git-clone: --output=DIR is required; --depth must be >= 0\n", stderr);
    return 2;
  }
  auto r = builtin::git_clone(o);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  for (const auto& n : r->notes) std::printf("note: %s\n", n.c_str());
  std::printf("cloned %s %s at %s into %s\n", r->url.c_str(), r->ref.c_str(), r->commit.c_str(),
              o.dest.c_str());
  return write_result(results, "commit", r->commit) && write_result(results, "url", r->url) ? 0 : 1;
}

int gitops_update_cmd(Flags f) {
  builtin::GitopsOptions o;
  o.url = take(f, "url");
  o.branch = take(f, "branch", "main");
  o.push_branch = take(f, "push-branch");
  o.file = take(f, "file");
  o.mode = take(f, "mode", "kustomize");
  o.image = take(f, "image");
  o.repository = take(f, "repository");
  o.helm_path = take(f, "helm-path");
  o.tag = take(f, "tag");
  o.digest = take(f, "digest");
  o.source_commit = take(f, "source-commit");
  o.retries = to_int(take(f, "retries"), 3);
  o.author_name = take(f, "author-name", o.author_name);
  o.author_email = take(f, "author-email", o.author_email);
  o.credentials_dir = take(f, "credentials");
  o.work_dir = take(f, "work-dir", "/tekton/home/gitops-update");
  const std::string results = take(f, "results");
  if (!no_leftovers(f, "gitops-update")) return 2;
  if (auto st = builtin::check_gitops_options(o); !st) {
    std::fprintf(stderr, "baton builtin gitops-update:\n%s\n", st.error().message.c_str());
    return 2;
  }
  auto r = builtin::gitops_update(o);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  for (const auto& n : r->notes) std::printf("note: %s\n", n.c_str());
  const std::string branch = o.push_branch.empty() ? o.branch : o.push_branch;
  if (r->changed) {
    std::printf("pushed %s to %s %s (attempt %d)\n", r->commit.c_str(), o.url.c_str(),
                branch.c_str(), r->attempts);
  } else {
    std::printf("no change: %s already set in %s at %s\n",
                (o.digest.empty() ? o.tag : o.digest).c_str(), o.file.c_str(), r->commit.c_str());
  }
  return write_result(results, "commit", r->commit) &&
                 write_result(results, "changed", r->changed ? "true" : "false")
             ? 0
             : 1;
}

// Tekton's git-init (the catalog git-clone's /ko-app/git-init) takes Go-style flags:
// -url=... -revision=... -path=...; the catalog script reads the result with the git CLI.
int git_init_cmd(const std::vector<std::string>& args) {
  Flags f;
  for (const auto& a : args) {
    std::string s = a.rfind("--", 0) == 0 ? a.substr(1) : a;
    const std::size_t eq = s.find('=');
    if (s.rfind('-', 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "git-init: want -flag=value, got \"%s\"\n", a.c_str());
      return 2;
    }
    f[s.substr(1, eq - 1)] = s.substr(eq + 1);
  }
  builtin::CloneOptions o;
  o.url = take(f, "url");
  o.revision = take(f, "revision");
  o.dest = take(f, "path");
  o.depth = to_int(take(f, "depth"), 1);
  o.submodules = truthy(take(f, "submodules", "true"));
  o.delete_existing = false;  // the catalog script empties the directory itself
  const std::string refspec = take(f, "refspec");
  const std::string ssl_verify = take(f, "sslVerify", "true");
  const std::string sparse = take(f, "sparseCheckoutDirectories");
  if (!no_leftovers(f, "git-init")) return 2;
  if (!refspec.empty() || ssl_verify != "true" || !sparse.empty()) {
    std::fputs(
        "git-init (baton): refspec, sslVerify=false and sparseCheckoutDirectories are not "
        "supported; use revision, and a CA the system trusts\n",
        stderr);
    return 2;
  }
  if (o.dest.empty()) {
    std::fputs("git-init: -path is required\n", stderr);
    return 2;
  }
  auto r = builtin::git_clone(o);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  std::printf("Successfully cloned %s @ %s in path %s\n", o.url.c_str(), r->commit.c_str(),
              o.dest.c_str());
  return 0;
}

int trivy_summary_cmd(Flags f) {
  const std::string report = take(f, "report");
  const std::string fail_on = take(f, "fail-on", "NONE");
  const bool fail_if_skipped = truthy(take(f, "fail-if-skipped", "false"));
  const std::string results = take(f, "results");
  if (!no_leftovers(f, "trivy-summary")) return 2;
  if (auto bad = builtin::exceeds({}, fail_on); !bad) {
    std::fprintf(stderr, "baton trivy-summary: %s\n", bad.error().message.c_str());
    return 2;
  }
  std::ifstream in(report, std::ios::binary);
  if (report.empty() || !in) {
    // No report: the scan step found no scanner. The pipeline decides whether that fails.
    const std::string why = "skipped: scanner not installed";
    std::printf("%s%s\n", why.c_str(), fail_if_skipped ? " (fail-if-skipped=true)" : "");
    if (!write_result(results, "summary", why)) return 1;
    for (const char* sev : builtin::kSeverities) {
      if (!write_result(results, sev, "")) return 1;
    }
    return fail_if_skipped ? 1 : 0;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = builtin::parse_trivy_report(ss.str());
  if (!s) {
    std::fprintf(stderr, "%s: %s\n", report.c_str(), s.error().message.c_str());
    return 2;
  }
  const bool failed = *builtin::exceeds(*s, fail_on);
  std::printf("%s\n", s->line().c_str());
  if (!write_result(results, "summary", s->line())) return 1;
  for (const char* sev : builtin::kSeverities) {
    if (!write_result(results, sev, std::to_string(s->count(sev)))) return 1;
  }
  if (failed) {
    std::printf("FAILED: findings at %s or above\n", fail_on.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int run_builtin(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "git-init") return git_init_cmd({args.begin() + 1, args.end()});
  Flags flags;
  if (!parse_flags(args, 1, flags)) return 2;
  if (args[0] == "git-clone") return git_clone_cmd(std::move(flags));
  if (args[0] == "gitops-update") return gitops_update_cmd(std::move(flags));
  if (args[0] == "trivy-summary") return trivy_summary_cmd(std::move(flags));
  std::fprintf(stderr, "baton builtin: unknown task \"%s\"\n\n%s", args[0].c_str(), kHelp);
  return 2;
}

int run_trivy_summary(const std::vector<std::string>& args) {
  // The shorthand `baton trivy-summary REPORT.json [--fail-on SEVERITY] [--results DIR]`.
  std::vector<std::string> flags{"trivy-summary"};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return run_builtin({"--help"});
    if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos && i + 1 < args.size()) {
      flags.push_back(a + "=" + args[++i]);
    } else if (a.rfind("--", 0) == 0) {
      flags.push_back(a);
    } else {
      flags.push_back("--report=" + a);
    }
  }
  return run_builtin(flags);
}

}  // namespace baton::cmd
