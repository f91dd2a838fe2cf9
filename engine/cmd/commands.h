#pragma once
// Entry points of the `baton` subcommands; each returns the process exit code.

#include <string>
#include <vector>

namespace baton::cmd {

/// `baton validate FILE... [--output text|json]`
int run_validate(const std::vector<std::string>& args);

/// `baton run FILE... [-p n=v] [-w ws=DIR] [--output yaml|json] ...`
int run_run(const std::vector<std::string>& args);

/// `baton runs [--store PATH] [--limit N]`
int run_runs(const std::vector<std::string>& args);

/// `baton logs [--store PATH] RUN`
int run_logs(const std::vector<std::string>& args);

/// `baton token create --role R [--name N] [--store PATH | --config FILE]`
int run_token(const std::vector<std::string>& args);

/// `baton retry|cancel|approve ... --server URL`: client commands against `baton serve`.
int run_client(const std::string& command, const std::vector<std::string>& args);

/// `baton serve --config FILE [--listen HOST:PORT]`
int run_serve(const std::vector<std::string>& args);

/// `baton builtin NAME --key=value...`: the native tasks (git-clone, gitops-update, ...)
int run_builtin(const std::vector<std::string>& args);

/// `baton trivy-summary REPORT.json [--fail-on SEVERITY] [--results DIR]`
int run_trivy_summary(const std::vector<std::string>& args);

}  // namespace baton::cmd
