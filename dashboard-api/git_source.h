#pragma once
// The libgit2 adapter behind git sources of `baton serve`: keeps one working tree per
// (URL, ref) in the cache and moves it to the ref's current commit.

#include <string>

#include "engine/common/result.h"

namespace baton::api {

/// Makes `dir` a checkout of `url` at `ref` (branch, tag or full commit id): initialises and
/// fetches on first use, fetches and force-checks-out (detached HEAD) afterwards. Returns the
/// commit id; errors name the URL and the ref.
Result<std::string> checkout_git(const std::string& url, const std::string& ref,
                                 const std::string& dir);

}  // namespace baton::api
