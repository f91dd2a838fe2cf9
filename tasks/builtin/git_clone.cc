#include "tasks/builtin/git_clone.h"

#include <cctype>
#include <filesystem>

#include "tasks/builtin/git_repo.h"

namespace baton::builtin {

namespace fs = std::filesystem;

namespace {

bool is_hex(const std::string& s, std::size_t min_len) {
  if (s.size() < min_len || s.size() > GIT_OID_HEXSZ) return false;
  for (char ch : s) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

// The remote ref `revision` names, or "" when it names none (then it may be a SHA).
std::string find_ref(const std::vector<RemoteRef>& refs, const std::string& revision) {
  auto has = [&](const std::string& name) {
    for (const auto& r : refs) {
      if (r.name == name) return true;
    }
    return false;
  };
  if (revision.empty()) {
    for (const auto& r : refs) {
      if (r.name == "HEAD") return r.symref_target.empty() ? "HEAD" : r.symref_target;
    }
    return "";
  }
  if (revision.rfind("refs/", 0) == 0 && has(revision)) return revision;
  for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
    if (has(prefix + revision)) return std::string(prefix) + revision;
  }
  return "";
}

// Where a fetched ref lands locally: branches as remote-tracking refs, the rest by name.
std::string local_name(const std::string& ref) {
  if (ref.rfind("refs/heads/", 0) == 0) return "refs/remotes/origin/" + ref.substr(11);
  if (ref == "HEAD") return "refs/remotes/origin/HEAD";
  return ref;
}

Status empty_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail("cannot create " + dir + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    fs::remove_all(entry.path(), ec);
    if (ec) return Fail("cannot empty " + dir + ": " + ec.message());
  }
  if (ec) return Fail("cannot list " + dir + ": " + ec.message());
  return {};
}

struct SubmoduleCtx {
  const GitCredentials* creds;
  std::string error;
};

Status update_submodules(git_repository* repo, const GitCredentials& creds);

int each_submodule(git_submodule* sm, const char* name, void* payload) {
  auto* ctx = static_cast<SubmoduleCtx*>(payload);
  git_submodule_update_options opts = GIT_SUBMODULE_UPDATE_OPTIONS_INIT;
  opts.fetch_opts.callbacks = remote_callbacks(ctx->creds);
  opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_submodule_update(sm, 1, &opts) != 0) {
    ctx->error = std::string("submodule ") + name + ": " + git_last_error();
    return -1;
  }
  git_repository* sub = nullptr;
  if (git_submodule_open(&sub, sm) != 0) {
    ctx->error = std::string("submodule ") + name + ": " + git_last_error();
    return -1;
  }
  GitRepo owned(sub);
  if (auto st = update_submodules(sub, *ctx->creds); !st) {
    ctx->error = st.error().message;
    return -1;
  }
  return 0;
}

Status update_submodules(git_repository* repo, const GitCredentials& creds) {
  SubmoduleCtx ctx{&creds, {}};
  if (git_submodule_foreach(repo, each_submodule, &ctx) != 0) {
    return Fail(ctx.error.empty() ? "submodules: " + git_last_error() : ctx.error);
  }
  return {};
}

Result<GitObject> lookup_commit(git_repository* repo, const std::string& spec) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, (spec + "^{commit}").c_str()) != 0) {
    return Fail(git_last_error());
  }
  return GitObject(raw);
}

}  // namespace

Result<CloneResult> git_clone(const CloneOptions& opts) {
  const std::string where = "git-clone " + opts.url +
                            (opts.revision.empty() ? "" : " (revision " + opts.revision + ")") +
                            ": ";
  if (auto st = ensure_libgit2(); !st) return Fail(where + st.error().message);
  if (opts.url.empty()) return Fail(where + "url is empty");
  auto creds = read_credentials(opts.credentials_dir);
  if (!creds) return Fail(where + creds.error().message);
  const bool scp_like = opts.url.find("://") == std::string::npos &&
                        opts.url.find('@') != std::string::npos &&
                        opts.url.find(':') != std::string::npos;
  if ((opts.url.rfind("ssh://", 0) == 0 || scp_like) && !libgit2_has_ssh()) {
    return Fail(where + "SSH URLs need libgit2 with SSH support, which this build lacks");
  }
  if (opts.delete_existing) {
    if (auto st = empty_dir(opts.dest); !st) return Fail(where + st.error().message);
  }
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, opts.dest.c_str(), 0) != 0) {
    return Fail(where + "init " + opts.dest + ": " + git_last_error());
  }
  GitRepo repo(raw);
  git_remote* rraw = nullptr;
  if (git_remote_create(&rraw, repo.get(), "origin", opts.url.c_str()) != 0) {
    return Fail(where + "remote: " + git_last_error());
  }
  GitRemote remote(rraw);

  auto refs = list_remote(remote.get(), *creds);
  if (!refs) return Fail(where + refs.error().message);
  CloneResult out;
  out.url = opts.url;
  out.ref = find_ref(*refs, opts.revision);
  std::string spec_to_check_out;
  if (!out.ref.empty()) {
    const std::string local = local_name(out.ref);
    if (auto st = fetch_refspecs(remote.get(), {"+" + out.ref + ":" + local}, *creds); !st) {
      return Fail(where + st.error().message);
    }
    spec_to_check_out = local;
  } else if (is_hex(opts.revision, 4)) {
    // A commit id: fetch what the remote advertises and look the commit up among it
    // (git daemon and most forges do not serve unadvertised objects by id).
    if (auto st = fetch_refspecs(
            remote.get(), {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"},
            *creds);
        !st) {
      return Fail(where + st.error().message);
    }
    spec_to_check_out = opts.revision;
  } else {
    return Fail(where + "no branch, tag or ref named \"" + opts.revision + "\" on the remote");
  }
  auto commit = lookup_commit(repo.get(), spec_to_check_out);
  if (!commit) {
    return Fail(where + "cannot find commit " + spec_to_check_out +
                " (a SHA must be reachable from a branch or tag): " + commit.error().message);
  }
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_tree(repo.get(), commit->get(), &co) != 0) {
    return Fail(where + "checkout: " + git_last_error());
  }
  const git_oid* id = git_object_id(commit->get());
  if (git_repository_set_head_detached(repo.get(), id) != 0) {
    return Fail(where + "set HEAD: " + git_last_error());
  }
  out.commit = oid_hex(id);
  if (opts.submodules) {
    if (auto st = update_submodules(repo.get(), *creds); !st) {
      return Fail(where + st.error().message);
    }
  }
  if (opts.depth > 0) {
    out.notes.push_back("depth " + std::to_string(opts.depth) +
                        ": libgit2 1.5 cannot fetch shallow; fetched only the requested ref, "
                        "with its full history");
  }
  return out;
}

}  // namespace baton::builtin
