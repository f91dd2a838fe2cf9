// The native git-clone against a real `git daemon` and file:// repositories made by the test.

#include "tasks/builtin/git_clone.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/builtin/git_fixture.h"

namespace baton::builtin {
namespace {

namespace fs = std::filesystem;
using testing::must;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GitCloneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("baton-clone-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "srv");
    // A repository with main (2 commits), a branch, an annotated tag and a pull-request ref.
    must(
        "git init -q -b main work && cd work && echo one > f && git add f && git commit -qm one "
        "&& git tag -a v1 -m v1 && echo two > f && git commit -qam two && git checkout -qb feature "
        "&& echo feat > f && git commit -qam feat && git checkout -q main && "
        "git clone -q --bare . ../srv/app.git && cd ../srv/app.git && "
        "git update-ref refs/pull/7/head feature~0",
        dir_.string());
    daemon_ = std::make_unique<testing::GitDaemon>((dir_ / "srv").string());
    ASSERT_TRUE(daemon_->running()) << daemon_->error();
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(dir_);
  }
  std::string rev(const std::string& what) {
    return must("git rev-parse " + what, (dir_ / "work").string());
  }
  CloneOptions opts(const std::string& revision) {
    CloneOptions o;
    o.url = daemon_->url("app.git");
    o.revision = revision;
    o.dest = (dir_ / "out").string();
    return o;
  }

  fs::path dir_;
  std::unique_ptr<testing::GitDaemon> daemon_;
};

TEST_F(GitCloneTest, DefaultBranchOverGitDaemon) {
  auto r = git_clone(opts(""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->commit, rev("main"));
  EXPECT_EQ(r->ref, "refs/heads/main");
  EXPECT_EQ(slurp(dir_ / "out/f"), "two\n");
  // The checkout is a real repository at a detached HEAD on that commit.
  EXPECT_EQ(must("git rev-parse HEAD", (dir_ / "out").string()), rev("main"));
  EXPECT_EQ(must("git status --porcelain", (dir_ / "out").string()), "");
}

TEST_F(GitCloneTest, BranchTagShaAndPullRequestRef) {
  struct Case {
    std::string revision, want_commit, want_file;
  };
  const std::vector<Case> cases = {
      {"feature", rev("feature"), "feat\n"},
      {"v1", rev("v1^{commit}"), "one\n"},  // an annotated tag is peeled to its commit
      {rev("main~1"), rev("main~1"), "one\n"},
      {rev("main~1").substr(0, 8), rev("main~1"), "one\n"},  // abbreviated SHA
      {"refs/pull/7/head", rev("feature"), "feat\n"},
  };
  for (const auto& c : cases) {
    auto r = git_clone(opts(c.revision));
    ASSERT_TRUE(r.ok()) << c.revision << ": " << r.error().message;
    EXPECT_EQ(r->commit, c.want_commit) << c.revision;
    EXPECT_EQ(slurp(dir_ / "out/f"), c.want_file) << c.revision;
  }
}

TEST_F(GitCloneTest, FileUrlAndSubmodules) {
  must(
      "git init -q -b main lib && cd lib && echo lib > l && git add l && git commit -qm lib && "
      "cd .. && git init -q -b main super && cd super && "
      "git -c protocol.file.allow=always submodule add -q file://" +
          (dir_ / "lib").string() + " vendor/lib && git commit -qm sub",
      dir_.string());
  CloneOptions o;
  o.url = "file://" + (dir_ / "super").string();
  o.dest = (dir_ / "out").string();
  auto r = git_clone(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(slurp(dir_ / "out/vendor/lib/l"), "lib\n");
  o.submodules = false;
  r = git_clone(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "out/vendor/lib/l"));
}

TEST_F(GitCloneTest, DeleteExistingEmptiesTheOutput) {
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "out/stale") << "x";
  ASSERT_TRUE(git_clone(opts("main")).ok());
  EXPECT_FALSE(fs::exists(dir_ / "out/stale"));
}

TEST_F(GitCloneTest, ClearErrors) {
  auto r = git_clone(opts("no-such-branch"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no branch, tag or ref named \"no-such-branch\""),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(daemon_->url("app.git")), std::string::npos);

  auto missing = opts("main");
  missing.url = daemon_->url("nope.git");
  r = git_clone(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nope.git"), std::string::npos) << r.error().message;

  auto sha = opts("0123456789abcdef0123456789abcdef01234567");
  r = git_clone(sha);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("reachable"), std::string::npos) << r.error().message;
}

TEST_F(GitCloneTest, CredentialsWorkspace) {
  fs::create_directories(dir_ / "creds");
  auto o = opts("main");
  o.credentials_dir = (dir_ / "creds").string();
  // An empty secret is allowed (anonymous remotes need none).
  ASSERT_TRUE(git_clone(o).ok());
  o.credentials_dir = (dir_ / "missing").string();
  auto r = git_clone(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a directory"), std::string::npos) << r.error().message;
}

TEST_F(GitCloneTest, TokenBecomesBasicAuthOverHttp) {
  testing::GitHttpServer http((dir_ / "srv").string(), "ci-bot", "s3cret-token");
  ASSERT_TRUE(http.running());
  auto o = opts("main");
  o.url = http.url("app.git");
  // No credentials: the server's 401 becomes a clear error.
  auto r = git_clone(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("none were given"), std::string::npos) << r.error().message;
  // A wrong token is refused.
  fs::create_directories(dir_ / "creds");
  std::ofstream(dir_ / "creds/username") << "ci-bot\n";
  std::ofstream(dir_ / "creds/token") << "wrong\n";
  o.credentials_dir = (dir_ / "creds").string();
  EXPECT_FALSE(git_clone(o).ok());
  // The right one (trailing newline of a Secret file trimmed) clones.
  std::ofstream(dir_ / "creds/token") << "s3cret-token\n";
  r = git_clone(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->commit, rev("main"));
}

}  // namespace
}  // namespace baton::builtin
