#include "dashboard-api/serve_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "engine/exec/runner.h"
#include "tests/api/config_fixture.h"

namespace baton::api {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_file;

const std::string kHead = "apiVersion: baton.dev/v1alpha1\nkind: ServeConfig\n";  // lines 1-2

// "line:col path: message" of every error, with the temp dir written as $DIR.
std::vector<std::string> errors_of(const ConfigLoad& load, const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& d : load.errors) {
    std::string msg = d.message;
    for (auto at = msg.find(dir); at != std::string::npos; at = msg.find(dir)) {
      msg.replace(at, dir.size(), "$DIR");
    }
    EXPECT_EQ(d.pos.file, dir + "/conf/baton.yaml");
    out.push_back(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) + " " + d.path +
                  ": " + msg);
  }
  return out;
}

class ServeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_.path() + "/tasks");
    fs::create_directories(tmp_.path() + "/repo");
    write_file(tmp_.path() + "/conf/secrets.yaml", "kind: Secret\n");
  }
  ConfigLoad parse(const std::string& text) {
    return parse_serve_config(text, tmp_.path() + "/conf/baton.yaml");
  }
  TempDir tmp_;
};

struct BadCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> errors;
};

TEST_F(ServeConfigTest, RejectsBadConfigsWithPositionsAndPaths) {
  const std::vector<BadCase> cases = {
      {"unknown top-level key",
       kHead + "listn: 127.0.0.1:80\n",
       {"3:1 listn: unknown field \"listn\" (did you mean \"listen\"?)"}},
      {"listen without port",
       kHead + "listen: localhost\n",
       {"3:9 listen: want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got \"localhost\""}},
      {"listen port too big",
       kHead + "listen: 127.0.0.1:65536\n",
       {"3:9 listen: want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got "
        "\"127.0.0.1:65536\""}},
      {"IPv6 without brackets",
       kHead + "listen: \"::1:8080\"\n",
       {"3:9 listen: want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got \"::1:8080\""}},
      {"listen as a list", kHead + "listen: [a]\n", {"3:9 listen: expected a string, got a list"}},
      {"zero limit",
       kHead + "limits: {runs: 0}\n",
       {"3:16 limits.runs: must be between 1 and 4096, got 0"}},
      {"limit not a number",
       kHead + "limits:\n  bodyBytes: lots\n",
       {"4:14 limits.bodyBytes: expected an integer, got \"lots\""}},
      {"unknown limit",
       kHead + "limits: {taskRun: 4}\n",
       {"3:10 limits.taskRun: unknown field \"taskRun\" (did you mean \"taskRuns\"?)"}},
      {"bad duration",
       kHead + "reload: {interval: 5 seconds}\n",
       {"3:20 reload.interval: invalid duration \"5 seconds\" (use Go syntax such as \"1h30m\", "
        "\"90s\" or \"0\")"}},
      {"negative duration",
       kHead + "shutdown: {grace: -1s}\n",
       {"3:19 shutdown.grace: invalid duration \"-1s\" (use Go syntax such as \"1h30m\", \"90s\" "
        "or \"0\")"}},
      {"missing directory",
       kHead + "sources:\n  - directory: ../nope\n",
       {"4:16 sources[0].directory: no such directory: $DIR/nope"}},
      {"empty source",
       kHead + "sources:\n  - {}\n",
       {"4:5 sources[0]: a source is either `directory: DIR` or `git: {url, ref, path}`"}},
      {"both kinds of source",
       kHead + "sources:\n  - directory: ../tasks\n    git: {url: ../repo}\n",
       {"4:5 sources[0]: a source is either `directory: DIR` or `git: {url, ref, path}`"}},
      {"source not a mapping",
       kHead + "sources:\n  - ../tasks\n",
       {"4:5 sources[0]: expected a mapping, got a string"}},
      {"sources not a list",
       kHead + "sources: {directory: ../tasks}\n",
       {"3:10 sources: expected a list, got a mapping"}},
      {"git without url",
       kHead + "sources:\n  - git: {ref: main}\n",
       {"4:10 sources[0].git.url: missing required field"}},
      {"git unknown scheme",
       kHead + "sources:\n  - git: {url: \"ftp://example.com/r.git\"}\n",
       {"4:16 sources[0].git.url: unsupported URL scheme in \"ftp://example.com/r.git\"; use "
        "file://, http://, https://, git:// or a local path"}},
      {"git missing local repository",
       kHead + "sources:\n  - git: {url: ../gone}\n",
       {"4:16 sources[0].git.url: no such directory: $DIR/gone"}},
      {"git missing file:// repository",
       kHead + "sources:\n  - git: {url: \"file:///nonexistent/r.git\"}\n",
       {"4:16 sources[0].git.url: no such directory: /nonexistent/r.git"}},
      {"git path escapes",
       kHead + "sources:\n  - git: {url: ../repo, path: ../x}\n",
       {"4:31 sources[0].git.path: want a directory inside the repository, got \"../x\""}},
      {"git empty ref",
       kHead + "sources:\n  - git: {url: ../repo, ref: \"\"}\n",
       {"4:30 sources[0].git.ref: want a branch, tag or commit id"}},
      {"git unknown key",
       kHead + "sources:\n  - git: {url: ../repo, branch: main}\n",
       {"4:25 sources[0].git.branch: unknown field \"branch\""}},
      {"missing secret file",
       kHead + "secrets:\n  - file: nope.yaml\n",
       {"4:11 secrets[0].file: no such file: $DIR/conf/nope.yaml"}},
      {"secret without file",
       kHead + "secrets:\n  - {path: x}\n",
       {"4:5 secrets[0].file: missing required field",
        "4:6 secrets[0].path: unknown field \"path\""}},
      {"unknown runner",
       kHead + "runner: docker\n",
       {"3:9 runner: unknown runner \"docker\"; this build has: " + exec::known_runner_list()}},
      {"image map that is not a mapping of strings",
       kHead + "images: [ubuntu]\n",
       {"3:9 images: expected a mapping of strings, got a list"}},
      {"OTLP over gRPC",
       kHead + "telemetry: {otlpEndpoint: \"grpc://127.0.0.1:4317\"}\n",
       {"3:27 telemetry.otlpEndpoint: want an http:// or https:// URL (OTLP/HTTP), got "
        "\"grpc://127.0.0.1:4317\""}},
      {"wrong kind",
       "apiVersion: baton.dev/v1alpha1\nkind: Pipeline\n",
       {"2:7 kind: want \"ServeConfig\", got \"Pipeline\""}},
      {"missing header",
       "listen: 127.0.0.1:80\n",
       {"1:1 apiVersion: missing required field", "1:1 kind: missing required field"}},
      {"every error at once",
       kHead + "listen: nope\nlimits: {runs: 0, httpThreads: 999}\nrunner: k8s\nextra: 1\n",
       {"3:9 listen: want HOST:PORT (port 0-65535, [::1]:PORT for IPv6), got \"nope\"",
        "4:16 limits.runs: must be between 1 and 4096, got 0",
        "4:32 limits.httpThreads: must be between 1 and 256, got 999",
        "5:9 runner: unknown runner \"k8s\"; this build has: " + exec::known_runner_list(),
        "6:1 extra: unknown field \"extra\""}},
      {"not a mapping",
       "- a\n- b\n",
       {"1:1 : want one YAML mapping with kind: ServeConfig in the config file"}},
      {"empty file", "", {"1:1 : want one YAML mapping with kind: ServeConfig in the config file"}},
      {"duplicate key",
       kHead + "runner: host\nrunner: host\n",
       {"4:1 : duplicate key \"runner\" (first at line 3:1)"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(errors_of(parse(c.yaml), tmp_.path()), c.errors);
  }
}

TEST_F(ServeConfigTest, ReadsEveryFieldOfTheDocumentedExample) {
  ConfigLoad load = parse(kHead +
                          "listen: \"[::1]:0\"\n"
                          "home: /var/lib/baton\n"
                          "store: /srv/baton.db\n"
                          "sources:\n"
                          "  - directory: ../tasks\n"
                          "  - git: {url: \"file://" +
                          tmp_.path() +
                          "/repo\", ref: v1.2.0, path: tekton/}\n"
                          "  - git: {url: \"https://example.com/ci.git\"}\n"
                          "secrets:\n"
                          "  - file: ./secrets.yaml\n"
                          "limits: {taskRuns: 4, runs: 8, queuedRuns: 100, bodyBytes: 1048576, "
                          "httpThreads: 2}\n"
                          "reload: {interval: 1m30s}\n"
                          "shutdown: {grace: 0}\n"
                          "telemetry: {otlpEndpoint: http://127.0.0.1:4318}\n"
                          "runner: podman\n"
                          "images: {ubuntu: localhost/base:latest, \"*\": localhost/any}\n");
  ASSERT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  const ServeConfig& c = load.config;
  EXPECT_EQ(c.file, tmp_.path() + "/conf/baton.yaml");
  EXPECT_EQ(c.address, "::1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.home, "/var/lib/baton");
  EXPECT_EQ(c.store, "/srv/baton.db");
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_EQ(c.sources[0].directory, tmp_.path() + "/tasks");
  EXPECT_EQ(c.sources[0].git_url, "");
  EXPECT_EQ(c.sources[1].directory, "");
  EXPECT_EQ(c.sources[1].git_url, "file://" + tmp_.path() + "/repo");
  EXPECT_EQ(c.sources[1].git_ref, "v1.2.0");
  EXPECT_EQ(c.sources[1].git_path, "tekton");
  EXPECT_EQ(c.sources[2].git_url, "https://example.com/ci.git");
  EXPECT_EQ(c.sources[2].git_ref, "main");
  EXPECT_EQ(c.sources[2].git_path, "");
  EXPECT_EQ(c.secret_files, std::vector<std::string>{tmp_.path() + "/conf/secrets.yaml"});
  EXPECT_EQ(c.limits.task_runs, 4u);
  EXPECT_EQ(c.limits.runs, 8u);
  EXPECT_EQ(c.limits.queued_runs, 100u);
  EXPECT_EQ(c.limits.body_bytes, 1048576u);
  EXPECT_EQ(c.limits.http_threads, 2);
  EXPECT_EQ(c.reload_interval, std::chrono::milliseconds(90'000));
  EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(0));
  EXPECT_EQ(c.otlp_endpoint, "http://127.0.0.1:4318");
  EXPECT_EQ(c.runner, "podman");
  EXPECT_EQ(c.images, (std::map<std::string, std::string>{{"ubuntu", "localhost/base:latest"},
                                                          {"*", "localhost/any"}}));
}

TEST_F(ServeConfigTest, DefaultsComeFromBatonHome) {
  ::setenv("BATON_HOME", "/tmp/baton-home-for-test", 1);
  ConfigLoad load = parse(kHead);
  ::unsetenv("BATON_HOME");
  ASSERT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  const ServeConfig& c = load.config;
  const ServeLimits defaults;
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.home, "/tmp/baton-home-for-test");
  EXPECT_EQ(c.store, "/tmp/baton-home-for-test/baton.db");
  EXPECT_TRUE(c.sources.empty());
  EXPECT_TRUE(c.secret_files.empty());
  EXPECT_EQ(c.limits.task_runs, 0u);
  EXPECT_EQ(c.limits.runs, defaults.runs);
  EXPECT_EQ(c.limits.queued_runs, 10000u);
  EXPECT_EQ(c.limits.body_bytes, 25u << 20);
  EXPECT_EQ(c.limits.http_threads, 16);
  EXPECT_EQ(c.reload_interval, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.shutdown_grace, std::chrono::milliseconds(30000));
  EXPECT_EQ(c.otlp_endpoint, "");
  EXPECT_EQ(c.runner, "host");
}

TEST_F(ServeConfigTest, RelativePathsResolveAgainstTheConfigDirectory) {
  ConfigLoad load = parse(kHead +
                          "home: state/../var\n"
                          "sources:\n"
                          "  - directory: ../tasks/\n"
                          "  - git: {url: ../repo}\n"
                          "secrets:\n"
                          "  - file: secrets.yaml\n");
  ASSERT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  const ServeConfig& c = load.config;
  EXPECT_EQ(c.home, tmp_.path() + "/conf/var");
  EXPECT_EQ(c.store, tmp_.path() + "/conf/var/baton.db");
  EXPECT_EQ(c.sources[0].directory, tmp_.path() + "/tasks");
  EXPECT_EQ(c.sources[1].git_url, tmp_.path() + "/repo");
  EXPECT_EQ(c.secret_files[0], tmp_.path() + "/conf/secrets.yaml");
}

TEST_F(ServeConfigTest, RelativeConfigFileResolvesAgainstTheWorkingDirectory) {
  const fs::path cwd = fs::current_path();
  fs::current_path(tmp_.path());
  ConfigLoad load =
      parse_serve_config(kHead + "store: db/x.db\nsources: [{directory: tasks}]\n", "baton.yaml");
  fs::current_path(cwd);
  ASSERT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  EXPECT_EQ(load.config.store, tmp_.path() + "/db/x.db");
  EXPECT_EQ(load.config.sources[0].directory, tmp_.path() + "/tasks");
}

TEST_F(ServeConfigTest, AuthAnonymousReadDefaultsOffAndIsChecked) {
  EXPECT_FALSE(parse_serve_config(kHead, "baton.yaml").config.anonymous_read);
  ConfigLoad on = parse_serve_config(kHead + "auth: {anonymousRead: true}\n", "baton.yaml");
  ASSERT_TRUE(on.errors.empty()) << on.errors.front().to_string();
  EXPECT_TRUE(on.config.anonymous_read);
  ConfigLoad bad =
      parse_serve_config(kHead + "auth: {anonymousRead: maybe, tokens: x}\n", "baton.yaml");
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].path, "auth.anonymousRead");
  EXPECT_EQ(bad.errors[0].pos.line, 3);
}

TEST_F(ServeConfigTest, KubernetesKeepPodsAndTimeouts) {
  const ServeConfig defaults = parse_serve_config(kHead, "baton.yaml").config;
  EXPECT_FALSE(defaults.kubernetes.keep_pods);
  EXPECT_EQ(defaults.kubernetes.connect_timeout.count(), 0);  // the runner's 10 s
  EXPECT_EQ(defaults.kubernetes.request_timeout.count(), 0);  // the runner's 30 s
  ConfigLoad on = parse_serve_config(
      kHead + "kubernetes: {keepPods: true, connectTimeout: 2s, requestTimeout: 1m}\n",
      "baton.yaml");
  ASSERT_TRUE(on.errors.empty()) << on.errors.front().to_string();
  EXPECT_TRUE(on.config.kubernetes.keep_pods);
  EXPECT_EQ(on.config.kubernetes.connect_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(on.config.kubernetes.request_timeout, std::chrono::milliseconds(60000));
  ConfigLoad bad = parse_serve_config(
      kHead + "kubernetes: {keepPods: sometimes, requestTimeout: soon}\n", "baton.yaml");
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].path, "kubernetes.keepPods");
  EXPECT_EQ(bad.errors[1].path, "kubernetes.requestTimeout");
}

TEST_F(ServeConfigTest, LoadsFromFileAndReportsAnUnreadableOne) {
  write_file(tmp_.path() + "/conf/baton.yaml", kHead + "listen: 0.0.0.0:9000\n");
  ConfigLoad ok = load_serve_config(tmp_.path() + "/conf/baton.yaml");
  ASSERT_TRUE(ok.errors.empty()) << ok.errors.front().to_string();
  EXPECT_EQ(ok.config.address, "0.0.0.0");
  EXPECT_EQ(ok.config.port, 9000);

  ConfigLoad missing = load_serve_config(tmp_.path() + "/nope.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].pos.file, tmp_.path() + "/nope.yaml");
  EXPECT_EQ(missing.errors[0].message, "cannot read the config file");
}

TEST(ParseListen, SplitsHostAndPort) {
  struct Case {
    const char* text;
    bool ok;
    const char* host;
    unsigned short port;
  };
  const Case cases[] = {
      {"127.0.0.1:8080", true, "127.0.0.1", 8080},
      {"localhost:0", true, "localhost", 0},
      {"[::1]:65535", true, "::1", 65535},
      {"[::]:80", true, "::", 80},
      {"0.0.0.0:65536", false, "", 0},
      {":80", false, "", 0},
      {"host:", false, "", 0},
      {"host:8a", false, "", 0},
      {"::1:80", false, "", 0},
      {"[1.2.3.4]:80", false, "", 0},
      {"[::1]80", false, "", 0},
      {"host:-1", false, "", 0},
      {"host:123456", false, "", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto got = parse_listen(c.text);
    ASSERT_EQ(got.has_value(), c.ok);
    if (!got) continue;
    EXPECT_EQ(got->host, c.host);
    EXPECT_EQ(got->port, c.port);
  }
}

}  // namespace
}  // namespace baton::api
