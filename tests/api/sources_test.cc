#include "dashboard-api/sources.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/api/config_fixture.h"

namespace baton::api {
namespace {

namespace fs = std::filesystem;
using testing::git;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

SourceConfig directory(const std::string& dir) {
  SourceConfig s;
  s.directory = dir;
  return s;
}

SourceConfig git_source(const std::string& url, const std::string& ref,
                        const std::string& path = "") {
  SourceConfig s;
  s.git_url = url;
  s.git_ref = ref;
  s.git_path = path;
  return s;
}

class SourcesTest : public ::testing::Test {
 protected:
  std::string fingerprint(const std::vector<SourceConfig>& sources) {
    auto snap = materialise_sources(sources, cache());
    EXPECT_TRUE(snap.ok()) << snap.error().message;
    return snap.ok() ? snap->fingerprint : "";
  }
  SourceSnapshot snapshot(const std::vector<SourceConfig>& sources) {
    auto snap = materialise_sources(sources, cache());
    if (!snap.ok()) {
      ADD_FAILURE() << snap.error().message;
      return {};
    }
    return std::move(snap).value();
  }
  std::string cache() const { return tmp_.path() + "/cache"; }
  std::string repo() const { return tmp_.path() + "/repo"; }
  // A repository with tekton/task.yaml = `text` on main, committed; returns the commit id.
  std::string commit(const std::string& text, const std::string& message) {
    write_file(repo() + "/tekton/task.yaml", text);
    git(repo(), "add -A");
    git(repo(), "commit -q -m '" + message + "'");
    return git(repo(), "rev-parse HEAD");
  }
  void init_repo() {
    fs::create_directories(repo());
    git(repo(), "init -q");
  }
  TempDir tmp_;
};

TEST_F(SourcesTest, DirectoryFingerprintFollowsYamlFiles) {
  const std::string dir = tmp_.path() + "/tasks";
  write_file(dir + "/a.yaml", "kind: Task\n");
  const std::vector<SourceConfig> sources{directory(dir)};
  SourceSnapshot first = snapshot(sources);
  EXPECT_EQ(first.directories, std::vector<std::string>{dir});
  EXPECT_EQ(fingerprint(sources), first.fingerprint) << "stable while nothing changes";

  std::string last = first.fingerprint;
  auto expect_change = [&](const char* what) {
    std::string now = fingerprint(sources);
    EXPECT_NE(now, last) << what;
    last = now;
  };
  write_file(dir + "/a.yaml", "kind: Task # edited\n");
  expect_change("a file edited");
  write_file(dir + "/nested/deeper/b.yml", "kind: Pipeline\n");
  expect_change("a .yml file added in a subdirectory");
  // Same size, only the mtime moves: what an editor saving identical-length text looks like.
  const auto t = fs::last_write_time(dir + "/a.yaml");
  fs::last_write_time(dir + "/a.yaml", t + std::chrono::seconds(1));
  expect_change("an mtime changed");
  fs::rename(dir + "/nested/deeper/b.yml", dir + "/nested/b.yml");
  expect_change("a file moved");
  fs::remove(dir + "/a.yaml");
  expect_change("a file removed");

  write_file(dir + "/notes.txt", "not YAML");
  fs::create_directories(dir + "/empty");
  EXPECT_EQ(fingerprint(sources), last) << "other files do not count";
}

TEST_F(SourcesTest, MissingDirectoryIsAnErrorNamingIt) {
  auto snap = materialise_sources({directory(tmp_.path() + "/gone")}, cache());
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().message, "source directory " + tmp_.path() + "/gone: no such directory");
}

TEST_F(SourcesTest, GitSourceFollowsBranchTagAndCommit) {
  init_repo();
  const std::string v1 = commit("version: 1\n", "first");
  write_file(repo() + "/tekton/old.yaml", "kind: Task\n");
  git(repo(), "add -A");
  git(repo(), "commit -q -m old");
  const std::string v1b = git(repo(), "rev-parse HEAD");
  git(repo(), "tag -a v1 -m 'release 1'");  // annotated: must peel to the commit

  SourceSnapshot at_main = snapshot({git_source(repo(), "main", "tekton")});
  ASSERT_EQ(at_main.directories.size(), 1u);
  const std::string main_dir = at_main.directories[0];
  EXPECT_EQ(fs::path(main_dir).parent_path().parent_path(), fs::path(cache()));
  EXPECT_EQ(fs::path(main_dir).filename(), "tekton");
  EXPECT_EQ(read_file(main_dir + "/task.yaml"), "version: 1\n");
  EXPECT_EQ(at_main.fingerprint, "git:" + v1b + ";");

  // A new commit on main: the fetch moves the same checkout, deleted files disappear, local
  // edits in the cache are overwritten.
  git(repo(), "rm -q tekton/old.yaml");
  const std::string v2 = commit("version: 2\n", "second");
  write_file(main_dir + "/stray.yaml", "left behind\n");
  SourceSnapshot moved = snapshot({git_source(repo(), "main", "tekton")});
  EXPECT_EQ(moved.directories, at_main.directories);
  EXPECT_EQ(moved.fingerprint, "git:" + v2 + ";");
  EXPECT_EQ(read_file(main_dir + "/task.yaml"), "version: 2\n");
  EXPECT_FALSE(fs::exists(main_dir + "/old.yaml"));
  EXPECT_FALSE(fs::exists(main_dir + "/stray.yaml"));

  SourceSnapshot at_tag = snapshot({git_source(repo(), "v1", "tekton/")});
  EXPECT_EQ(at_tag.fingerprint, "git:" + v1b + ";");
  ASSERT_EQ(at_tag.directories.size(), 1u);
  EXPECT_NE(at_tag.directories[0], main_dir) << "one work tree per ref";
  EXPECT_TRUE(fs::exists(at_tag.directories[0] + "/old.yaml"));

  SourceSnapshot at_sha = snapshot({git_source("file://" + repo(), v1, "")});
  EXPECT_EQ(at_sha.fingerprint, "git:" + v1 + ";");
  ASSERT_EQ(at_sha.directories.size(), 1u);
  EXPECT_EQ(read_file(at_sha.directories[0] + "/tekton/task.yaml"), "version: 1\n");
  EXPECT_FALSE(fs::exists(at_sha.directories[0] + "/tekton/old.yaml"));

  // A moved tag moves the checkout (tags are fetched forced).
  git(repo(), "tag -f -a v1 -m 'release 1 again'");
  EXPECT_EQ(fingerprint({git_source(repo(), "v1", "tekton")}), "git:" + v2 + ";");
}

TEST_F(SourcesTest, MixesDirectoriesAndGitInOrder) {
  init_repo();
  const std::string sha = commit("kind: Task\n", "one");
  const std::string dir = tmp_.path() + "/local";
  write_file(dir + "/p.yaml", "kind: Pipeline\n");
  SourceSnapshot snap = snapshot({directory(dir), git_source(repo(), "main")});
  ASSERT_EQ(snap.directories.size(), 2u);
  EXPECT_EQ(snap.directories[0], dir);
  EXPECT_TRUE(fs::exists(snap.directories[1] + "/tekton/task.yaml"));
  EXPECT_EQ(snap.fingerprint.substr(0, 4), "dir:");
  EXPECT_NE(snap.fingerprint.find(";git:" + sha + ";"), std::string::npos) << snap.fingerprint;
}

TEST_F(SourcesTest, GitErrorsNameTheUrlAndRef) {
  init_repo();
  commit("kind: Task\n", "one");
  struct Case {
    const char* name;
    SourceConfig source;
    std::string prefix;
    std::string contains;
  };
  const std::string missing = tmp_.path() + "/no-such-repo";
  const std::vector<Case> cases = {
      {"unknown branch", git_source(repo(), "nope"),
       "git source " + repo() + " (ref nope): ", "unknown ref"},
      {"unknown commit", git_source(repo(), std::string(40, 'a')),
       "git source " + repo() + " (ref " + std::string(40, 'a') + "): ", "unknown ref"},
      {"unreachable repository", git_source(missing, "main"),
       "git source " + missing + " (ref main): ", "fetch failed"},
      {"unreachable server", git_source("http://127.0.0.1:1/x.git", "main"),
       "git source http://127.0.0.1:1/x.git (ref main): ", "fetch failed"},
      {"missing path", git_source(repo(), "main", "deploy"),
       "git source " + repo() + " (ref main): ", "no directory \"deploy\" at commit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto snap = materialise_sources({c.source}, cache());
    ASSERT_FALSE(snap.ok());
    EXPECT_EQ(snap.error().message.rfind(c.prefix, 0), 0u) << snap.error().message;
    EXPECT_NE(snap.error().message.find(c.contains), std::string::npos) << snap.error().message;
  }
  // A branch deleted upstream is gone after the next fetch (pruned), not served stale.
  git(repo(), "branch topic");
  EXPECT_TRUE(materialise_sources({git_source(repo(), "topic")}, cache()).ok());
  git(repo(), "branch -q -D topic");
  EXPECT_FALSE(materialise_sources({git_source(repo(), "topic")}, cache()).ok());
}

}  // namespace
}  // namespace baton::api
