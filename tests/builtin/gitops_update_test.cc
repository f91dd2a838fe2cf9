// The native gitops-update against a real `git daemon` (push enabled) and bare repositories.

#include "tasks/builtin/gitops_update.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/builtin/git_fixture.h"

namespace baton::builtin {
namespace {

namespace fs = std::filesystem;
using testing::must;

const char kOverlay[] =
    "# prod overlay: the pipeline owns newTag, people own the rest\n"
    "resources:\n"
    "  - ../../base\n"
    "images:\n"
    "  - name: demo-app   # container image in the base\n"
    "    newName: 127.0.0.1:5000/demo-app\n"
    "    newTag: old      # updated by gitops-update\n";

class GitopsUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("baton-gitops-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "work/overlays/prod");
    fs::create_directories(dir_ / "srv");
    std::ofstream(dir_ / "work/overlays/prod/kustomization.yaml") << kOverlay;
    must(
        "git init -q -b main && git add -A && git commit -qm init && "
        "git clone -q --bare . ../srv/manifests.git",
        (dir_ / "work").string());
    daemon_ = std::make_unique<testing::GitDaemon>((dir_ / "srv").string());
    ASSERT_TRUE(daemon_->running()) << daemon_->error();
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(dir_);
  }
  GitopsOptions opts(const std::string& tag) {
    GitopsOptions o;
    o.url = daemon_->url("manifests.git");
    o.file = "overlays/prod/kustomization.yaml";
    o.mode = "kustomize";
    o.image = "demo-app";
    o.tag = tag;
    o.source_commit = "1234567890abcdef1234567890abcdef12345678";
    o.work_dir = (dir_ / "scratch").string();
    return o;
  }
  std::string bare(const std::string& cmd) {
    return must(cmd, (dir_ / "srv/manifests.git").string());
  }

  fs::path dir_;
  std::unique_ptr<testing::GitDaemon> daemon_;
};

TEST_F(GitopsUpdateTest, UpdatesPushesAndKeepsComments) {
  const std::string before = bare("git rev-parse main");
  auto r = gitops_update(opts("abc1234"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(bare("git rev-parse main"), r->commit);
  EXPECT_EQ(bare("git rev-parse main~1"), before);
  std::string want = kOverlay;
  want.replace(want.find("newTag: old"), 11, "newTag: abc1234");
  EXPECT_EQ(bare("git show main:overlays/prod/kustomization.yaml") + "\n", want);
  const std::string msg = bare("git log -1 --format=%B main");
  EXPECT_NE(msg.find("Source commit: 1234567890abcdef1234567890abcdef12345678"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("abc1234"), std::string::npos) << msg;
}

TEST_F(GitopsUpdateTest, NoOpWhenAlreadySet) {
  ASSERT_TRUE(gitops_update(opts("v2")).ok());
  const std::string head = bare("git rev-parse main");
  auto r = gitops_update(opts("v2"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->commit, head);
  EXPECT_EQ(bare("git rev-parse main"), head);
}

TEST_F(GitopsUpdateTest, ConcurrentPushIsRetriedOnTheNewHead) {
  // The first push races with another writer: the server's pre-receive hook lands a commit on
  // main just before our ref update, so the update is refused (the old value moved).
  const fs::path hook = dir_ / "srv/manifests.git/hooks/pre-receive";
  std::ofstream(hook)
      << "#!/bin/bash\n"
         "set -e\n"
         "[ -e ../raced ] && exit 0\n"
         "touch ../raced\n"
         "unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES\n"
         "export GIT_AUTHOR_NAME=other GIT_AUTHOR_EMAIL=o@o GIT_COMMITTER_NAME=other "
         "GIT_COMMITTER_EMAIL=o@o\n"
         "tree=$(git rev-parse main^{tree})\n"
         "c=$(echo concurrent | git commit-tree \"$tree\" -p main)\n"
         "git update-ref refs/heads/main \"$c\"\n";
  fs::permissions(hook, fs::perms::owner_all);
  const std::string before = bare("git rev-parse main");
  auto r = gitops_update(opts("raced"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->attempts, 2);
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("retried after"), std::string::npos);
  // Both writers' commits are on main: ours on top of the concurrent one.
  EXPECT_EQ(bare("git rev-parse main"), r->commit);
  EXPECT_EQ(bare("git log -1 --format=%s main~1"), "concurrent");
  EXPECT_EQ(bare("git rev-parse main~2"), before);
  EXPECT_NE(bare("git show main:overlays/prod/kustomization.yaml").find("newTag: raced "),
            std::string::npos);
}

TEST_F(GitopsUpdateTest, GivesUpAfterRetries) {
  const fs::path hook = dir_ / "srv/manifests.git/hooks/pre-receive";
  std::ofstream(hook) << "#!/bin/sh\necho 'frozen for release' >&2\nexit 1\n";
  fs::permissions(hook, fs::perms::owner_all);
  auto o = opts("never");
  o.retries = 1;
  auto r = gitops_update(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("gave up after 2 attempts"), std::string::npos)
      << r.error().message;
}

TEST_F(GitopsUpdateTest, ReviewBranchLeavesMainAlone) {
  const std::string main_before = bare("git rev-parse main");
  auto o = opts("rc1");
  o.push_branch = "baton/demo-app-rc1";
  auto r = gitops_update(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(bare("git rev-parse main"), main_before);
  EXPECT_EQ(bare("git rev-parse baton/demo-app-rc1"), r->commit);
  EXPECT_EQ(bare("git rev-parse baton/demo-app-rc1~1"), main_before);
  // Again (a rerun of the pipeline): the branch is rewritten, not refused.
  o.tag = "rc2";
  r = gitops_update(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(bare("git rev-parse baton/demo-app-rc1~1"), main_before);
}

TEST_F(GitopsUpdateTest, PushesOverHttpWithAToken) {
  testing::GitHttpServer http((dir_ / "srv").string(), "x-access-token", "t0ken");
  ASSERT_TRUE(http.running());
  bare("git config http.receivepack true");
  fs::create_directories(dir_ / "creds");
  std::ofstream(dir_ / "creds/token") << "t0ken";
  auto o = opts("via-http");
  o.url = http.url("manifests.git");
  o.credentials_dir = (dir_ / "creds").string();
  auto r = gitops_update(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(bare("git rev-parse main"), r->commit);
}

TEST_F(GitopsUpdateTest, OptionErrorsAllAtOnce) {
  GitopsOptions o;
  o.mode = "helmfile";
  auto st = check_gitops_options(o);
  ASSERT_FALSE(st.ok());
  const std::string& m = st.error().message;
  for (const char* part : {"url: required", "file: required", "mode: want kustomize",
                           "tag / digest: set exactly one"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " in\n" << m;
  }
}

}  // namespace
}  // namespace baton::builtin
