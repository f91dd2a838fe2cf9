// `baton validate`: load and validate files, print compiler-style errors or JSON.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/cmd/commands.h"
#include "engine/model/validate.h"
#include "engine/spec/loader.h"

namespace baton::cmd {

namespace {

const char kHelp[] =
    "usage: baton validate [--output text|json] FILE...\n"
    "\n"
    "Loads every YAML document of each FILE (- for standard input) and validates it the way\n"
    "Tekton's admission webhook would. Prints every error as `file:line:col: error: path: msg`.\n"
    "Exit status: 0 when all files are valid, 1 when any error was found, 2 on bad usage.\n";

std::string read_stdin() {
  std::string s;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) s.append(buf, n);
  return s;
}

}  // namespace

int run_validate(const std::vector<std::string>& args) {
  std::string output = "text";
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a == "--output" || a == "-o") {
      if (i + 1 >= args.size()) {
        std::fputs("baton validate: --output needs a value (text or json)\n", stderr);
        return 2;
      }
      output = args[++i];
    } else if (a.rfind("--output=", 0) == 0) {
      output = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "baton validate: unknown option %s\n%s", a.c_str(), kHelp);
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (output != "text" && output != "json") {
    std::fprintf(stderr, "baton validate: --output must be text or json, not \"%s\"\n",
                 output.c_str());
    return 2;
  }
  if (files.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }

  nlohmann::json report = nlohmann::json::array();
  std::size_t total_errors = 0, total_objects = 0, total_files_ok = 0;
  for (const auto& f : files) {
    spec::LoadOutput out = f == "-" ? spec::load_text(read_stdin(), "<stdin>") : spec::load_file(f);
    Diagnostics errors = std::move(out.errors);
    // Validate what decoded even when decoding found problems: authors want every error at once.
    Diagnostics v = model::validate(out.objects);
    errors.insert(errors.end(), v.begin(), v.end());
    total_errors += errors.size();
    total_objects += out.objects.size();
    if (errors.empty()) ++total_files_ok;
    if (output == "json") {
      nlohmann::json fe = nlohmann::json::array();
      for (const auto& d : errors) {
        fe.push_back({{"file", d.pos.file},
                      {"line", d.pos.line},
                      {"column", d.pos.col},
                      {"path", d.path},
                      {"message", d.message}});
      }
      report.push_back({{"file", f},
                        {"objects", out.objects.size()},
                        {"valid", errors.empty()},
                        {"errors", fe}});
    } else {
      for (const auto& d : errors) std::fprintf(stdout, "%s\n", d.to_string().c_str());
    }
  }
  if (output == "json") {
    std::fprintf(stdout, "%s\n", report.dump(2).c_str());
  } else if (total_errors == 0) {
    std::fprintf(stdout, "ok: %zu file%s, %zu object%s valid\n", files.size(),
                 files.size() == 1 ? "" : "s", total_objects, total_objects == 1 ? "" : "s");
  } else {
    std::fflush(stdout);  // errors first, then the summary, even when both go to a terminal
    std::fprintf(stderr, "%zu error%s in %zu of %zu file%s\n", total_errors,
                 total_errors == 1 ? "" : "s", files.size() - total_files_ok, files.size(),
                 files.size() == 1 ? "" : "s");
  }
  return total_errors == 0 ? 0 : 1;
}

}  // namespace baton::cmd
