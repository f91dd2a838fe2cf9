#pragma once
// The native gitops-update task: set an image tag or digest in a manifest repository and push
// the commit, retrying on a concurrent push; a no-op when the value is already set.

#include <string>
#include <vector>

#include "engine/common/result.h"

namespace baton::builtin {

/// What to change and where to push it.
struct GitopsOptions {
  std::string url;
  std::string branch = "main";  // the branch the edit is based on
  std::string push_branch;      // "" = push to `branch`; else a review branch (force-pushed)
  std::string file;             // path inside the repository
  std::string mode;             // kustomize | helm | deployment
  std::string image;            // kustomize: images[].name; deployment: container name
  std::string repository;       // deployment: the image repository (registry/name)
  std::string helm_path;        // helm: dotted path of the value, e.g. image.tag
  std::string tag, digest;      // exactly one
  std::string source_commit;    // named in the commit message
  int retries = 3;              // extra attempts after a refused push
  std::string author_name = "baton";
  std::string author_email = "baton@localhost";
  std::string credentials_dir;
  std::string work_dir;  // scratch (a bare repository is made here)
};

/// The commit now at the pushed branch, and whether this run made it.
struct GitopsResult {
  std::string commit;
  bool changed = false;
  int attempts = 0;
  std::vector<std::string> notes;
};

/// Checks the options (all errors at once, joined by newlines).
Status check_gitops_options(const GitopsOptions& opts);

/// Runs the update.
Result<GitopsResult> gitops_update(const GitopsOptions& opts);

}  // namespace baton::builtin
