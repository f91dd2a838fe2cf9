#include "dashboard-api/git_source.h"

#include <git2.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <vector>

namespace baton::api {

namespace {

namespace fs = std::filesystem;

// libgit2 wants one init per process before any call; shutdown runs with static destructors.
class Libgit2 {
 public:
  Libgit2() : rc_(git_libgit2_init()) {}
  ~Libgit2() {
    if (rc_ > 0) git_libgit2_shutdown();
  }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;
  bool ok() const { return rc_ > 0; }

 private:
  int rc_;
};

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Repo = std::unique_ptr<git_repository, Freer<git_repository, git_repository_free>>;
using Remote = std::unique_ptr<git_remote, Freer<git_remote, git_remote_free>>;
using Object = std::unique_ptr<git_object, Freer<git_object, git_object_free>>;

std::string last_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

bool is_full_sha(const std::string& s) {
  if (s.size() != GIT_OID_HEXSZ) return false;
  for (char ch : s) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

// Opens the cached repository, or makes a fresh one when there is none or it is unusable (an
// interrupted first fetch must not wedge the source forever).
Result<Repo> open_cache(const std::string& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0) {
    return Repo(raw);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return Fail("cannot clear the cache " + dir + ": " + ec.message());
  fs::create_directories(dir, ec);
  if (ec) return Fail("cannot create the cache " + dir + ": " + ec.message());
  if (git_repository_init(&raw, dir.c_str(), 0) != 0) {
    return Fail("cannot create a repository in " + dir + ": " + last_error());
  }
  return Repo(raw);
}

// The "origin" remote, pointed at `url` (the config may have changed it since the last run).
Result<Remote> origin(git_repository* repo, const std::string& url) {
  git_remote* raw = nullptr;
  int rc = git_remote_lookup(&raw, repo, "origin");
  if (rc == 0) {
    Remote r(raw);
    const char* have = git_remote_url(r.get());
    if (have && url == have) return r;
    if (git_remote_set_url(repo, "origin", url.c_str()) != 0 ||
        git_remote_lookup(&raw, repo, "origin") != 0) {
      return Fail("cannot set the remote URL: " + last_error());
    }
    return Remote(raw);
  }
  if (rc != GIT_ENOTFOUND || git_remote_create(&raw, repo, "origin", url.c_str()) != 0) {
    return Fail("cannot create the remote: " + last_error());
  }
  return Remote(raw);
}

Status fetch(git_remote* remote) {
  // Tags are fetched by refspec, forced, so a moved tag moves here too.
  std::string heads = "+refs/heads/*:refs/remotes/origin/*";
  std::string tags = "+refs/tags/*:refs/tags/*";
  std::vector<char*> specs{heads.data(), tags.data()};
  git_strarray arr{specs.data(), specs.size()};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  if (git_remote_fetch(remote, &arr, &opts, "baton: fetch") != 0) {
    return Fail("fetch failed: " + last_error());
  }
  return {};
}

Result<Object> resolve(git_repository* repo, const std::string& ref) {
  std::vector<std::string> specs;
  if (is_full_sha(ref)) specs.push_back(ref + "^{commit}");
  specs.push_back("refs/remotes/origin/" + ref + "^{commit}");
  specs.push_back("refs/tags/" + ref + "^{commit}");
  for (const auto& spec : specs) {
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, repo, spec.c_str()) == 0) return Object(raw);
  }
  return Fail("unknown ref (not a branch, a tag or a full commit id of the repository)");
}

}  // namespace

Result<std::string> checkout_git(const std::string& url, const std::string& ref,
                                 const std::string& dir) {
  static Libgit2 lib;
  const std::string where = "git source " + url + " (ref " + ref + "): ";
  if (!lib.ok()) return Fail(where + "libgit2 failed to initialise: " + last_error());
  auto repo = open_cache(dir);
  if (!repo.ok()) return Fail(where + repo.error().message);
  auto remote = origin(repo->get(), url);
  if (!remote.ok()) return Fail(where + remote.error().message);
  if (auto st = fetch(remote->get()); !st.ok()) return Fail(where + st.error().message);
  auto commit = resolve(repo->get(), ref);
  if (!commit.ok()) return Fail(where + commit.error().message);

  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_REMOVE_UNTRACKED;
  if (git_checkout_tree(repo->get(), commit->get(), &co) != 0) {
    return Fail(where + "checkout failed: " + last_error());
  }
  const git_oid* id = git_object_id(commit->get());
  if (git_repository_set_head_detached(repo->get(), id) != 0) {
    return Fail(where + "cannot move HEAD: " + last_error());
  }
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, id);
  return std::string(hex);
}

}  // namespace baton::api
