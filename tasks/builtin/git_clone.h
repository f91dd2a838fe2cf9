#pragma once
// The native git-clone task: libgit2 fetches exactly the requested revision into a
// workspace directory and checks it out as a detached HEAD (what Tekton's catalog task does
// with the git CLI).

#include <string>
#include <vector>

#include "engine/common/result.h"

namespace baton::builtin {

/// What to clone and where.
struct CloneOptions {
  std::string url;
  std::string
      revision;      // branch, tag, full or abbreviated SHA, any ref (refs/pull/N/head); "" = HEAD
  std::string dest;  // checkout directory
  int depth = 1;     // requested history depth (libgit2 1.5 cannot fetch shallow: noted)
  bool submodules = true;
  bool delete_existing = true;  // empty `dest` first, as the catalog task does
  std::string credentials_dir;  // a secret workspace's path, or ""
};

/// The checkout: the commit id, the URL, and remarks to print (e.g. depth not honoured).
struct CloneResult {
  std::string commit;
  std::string url;
  std::string ref;  // the ref that was fetched ("" for a bare SHA)
  std::vector<std::string> notes;
};

/// Clones per `opts`; every failure names the URL and revision.
Result<CloneResult> git_clone(const CloneOptions& opts);

}  // namespace baton::builtin
