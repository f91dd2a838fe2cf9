#pragma once
// Shared libgit2 plumbing of the native tasks (git-clone, gitops-update): RAII handles,
// credentials read from a Tekton secret workspace, and fetch/push with those credentials.

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace baton::builtin {

template <typename T, void (*Free)(T*)>
struct GitFreer {
  void operator()(T* p) const { Free(p); }
};
using GitRepo = std::unique_ptr<git_repository, GitFreer<git_repository, git_repository_free>>;
using GitRemote = std::unique_ptr<git_remote, GitFreer<git_remote, git_remote_free>>;
using GitObject = std::unique_ptr<git_object, GitFreer<git_object, git_object_free>>;
using GitCommit = std::unique_ptr<git_commit, GitFreer<git_commit, git_commit_free>>;
using GitTree = std::unique_ptr<git_tree, GitFreer<git_tree, git_tree_free>>;
using GitIndex = std::unique_ptr<git_index, GitFreer<git_index, git_index_free>>;
using GitSignature = std::unique_ptr<git_signature, GitFreer<git_signature, git_signature_free>>;
using GitReference = std::unique_ptr<git_reference, GitFreer<git_reference, git_reference_free>>;

/// Initialises libgit2 once per process; false (with the reason) if it cannot.
Status ensure_libgit2();

/// The message of libgit2's last error, or a fallback.
std::string git_last_error();

/// Credentials from a Tekton secret workspace (the catalog git-clone's `basic-auth` and
/// `ssh-directory` layouts): `token` (or `password`, with optional `username`) becomes HTTP
/// basic auth; `id_rsa`/`id_ed25519`/`ssh-privatekey` an SSH key. Empty dir: no credentials.
struct GitCredentials {
  std::string username;
  std::string password;      // token or password, for http(s)
  std::string ssh_key_path;  // private key file, for ssh
  std::string ssh_pub_path;  // may be empty
  bool empty() const { return password.empty() && ssh_key_path.empty(); }
};

/// Reads credentials from `dir` (may be empty: none).
Result<GitCredentials> read_credentials(const std::string& dir);

/// Whether this libgit2 was built with SSH transport.
bool libgit2_has_ssh();

/// Remote callbacks that answer credential requests from `creds` (kept alive by the caller).
git_remote_callbacks remote_callbacks(const GitCredentials* creds);

/// Fetches `refspecs` from `remote`.
Status fetch_refspecs(git_remote* remote, const std::vector<std::string>& refspecs,
                      const GitCredentials& creds);

/// Lists the refs the remote advertises: (name, oid hex, symref target).
struct RemoteRef {
  std::string name, oid, symref_target;
};
Result<std::vector<RemoteRef>> list_remote(git_remote* remote, const GitCredentials& creds);

/// Pushes one refspec; a ref the server refuses is an error with code "push".
Status push_refspec(git_remote* remote, const std::string& refspec, const GitCredentials& creds);

/// Hex of an oid.
std::string oid_hex(const git_oid* id);

}  // namespace baton::builtin
