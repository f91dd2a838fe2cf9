#include "tasks/builtin/gitops_update.h"

#include <filesystem>

#include "tasks/builtin/git_repo.h"
#include "tasks/builtin/yaml_edit.h"

namespace baton::builtin {

namespace fs = std::filesystem;

namespace {

Result<GitObject> revparse(git_repository* repo, const std::string& spec) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, spec.c_str()) != 0) return Fail(git_last_error());
  return GitObject(raw);
}

Result<YamlEdit> edit(const GitopsOptions& o, std::string_view text) {
  const std::string value = o.digest.empty() ? o.tag : o.digest;
  if (o.mode == "kustomize") return set_kustomize_image(text, o.image, o.tag, o.digest);
  if (o.mode == "helm") return set_yaml_path(text, o.helm_path, value);
  return set_container_image(text, o.image, o.repository, o.tag, o.digest);
}

std::string message(const GitopsOptions& o) {
  const std::string what = o.digest.empty() ? o.tag : o.digest;
  const std::string name = o.mode == "helm" ? o.helm_path : o.image;
  std::string m = "baton: set " + name + " to " + what + " in " + o.file + "\n";
  if (!o.source_commit.empty()) m += "\nSource commit: " + o.source_commit + "\n";
  return m;
}

// One attempt on the freshly fetched head: (new commit, changed) or the current head.
Result<GitopsResult> commit_edit(git_repository* repo, const GitopsOptions& o,
                                 const std::string& base_ref, const std::string& target_ref) {
  auto head = revparse(repo, base_ref + "^{commit}");
  if (!head)
    return Fail("branch " + o.branch + " not found on the remote: " + head.error().message);
  auto* head_commit = reinterpret_cast<git_commit*>(head->get());
  auto blob_obj = revparse(repo, base_ref + ":" + o.file);
  if (!blob_obj) return Fail(o.file + ": not in " + o.branch + ": " + blob_obj.error().message);
  if (git_object_type(blob_obj->get()) != GIT_OBJECT_BLOB) return Fail(o.file + ": not a file");
  auto* blob = reinterpret_cast<git_blob*>(blob_obj->get());
  const std::string_view text(static_cast<const char*>(git_blob_rawcontent(blob)),
                              static_cast<std::size_t>(git_blob_rawsize(blob)));
  auto edited = edit(o, text);
  if (!edited) return Fail(o.file + ":" + edited.error().message);
  GitopsResult out;
  if (!edited->changed) {
    out.commit = oid_hex(git_commit_id(head_commit));
    return out;
  }
  git_oid blob_id, tree_id, commit_id;
  if (git_blob_create_from_buffer(&blob_id, repo, edited->text.data(), edited->text.size()) != 0) {
    return Fail("write blob: " + git_last_error());
  }
  git_tree* base_tree_raw = nullptr;
  if (git_commit_tree(&base_tree_raw, head_commit) != 0) return Fail("tree: " + git_last_error());
  GitTree base_tree(base_tree_raw);
  git_tree_update upd{};
  upd.action = GIT_TREE_UPDATE_UPSERT;
  upd.id = blob_id;
  upd.filemode = GIT_FILEMODE_BLOB;
  upd.path = o.file.c_str();
  if (git_tree_create_updated(&tree_id, repo, base_tree.get(), 1, &upd) != 0) {
    return Fail("update tree: " + git_last_error());
  }
  git_tree* tree_raw = nullptr;
  if (git_tree_lookup(&tree_raw, repo, &tree_id) != 0) return Fail("tree: " + git_last_error());
  GitTree tree(tree_raw);
  git_signature* sig_raw = nullptr;
  if (git_signature_now(&sig_raw, o.author_name.c_str(), o.author_email.c_str()) != 0) {
    return Fail("signature: " + git_last_error());
  }
  GitSignature sig(sig_raw);
  const git_commit* parents[] = {head_commit};
  const std::string msg = message(o);
  if (git_commit_create(&commit_id, repo, target_ref.c_str(), sig.get(), sig.get(), nullptr,
                        msg.c_str(), tree.get(), 1, parents) != 0) {
    // The local target ref may hold an older attempt's commit: move it, then retry once.
    git_reference* ref = nullptr;
    if (git_reference_create(&ref, repo, target_ref.c_str(), git_commit_id(head_commit), 1,
                             "baton: reset") != 0) {
      return Fail("commit: " + git_last_error());
    }
    git_reference_free(ref);
    if (git_commit_create(&commit_id, repo, target_ref.c_str(), sig.get(), sig.get(), nullptr,
                          msg.c_str(), tree.get(), 1, parents) != 0) {
      return Fail("commit: " + git_last_error());
    }
  }
  out.commit = oid_hex(&commit_id);
  out.changed = true;
  return out;
}

}  // namespace

Status check_gitops_options(const GitopsOptions& o) {
  std::string errs;
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) errs += (errs.empty() ? "" : "\n") + what;
  };
  need(!o.url.empty(), "url: required");
  need(!o.branch.empty(), "branch: required");
  need(!o.file.empty() && o.file.front() != '/' && o.file.find("..") == std::string::npos,
       "file: required, a path inside the repository (no leading / or ..)");
  need(o.mode == "kustomize" || o.mode == "helm" || o.mode == "deployment",
       "mode: want kustomize, helm or deployment, got \"" + o.mode + "\"");
  need(o.tag.empty() != o.digest.empty(), "tag / digest: set exactly one");
  need(o.digest.empty() || o.digest.rfind("sha256:", 0) == 0, "digest: want sha256:<hex>");
  need(o.mode != "helm" || !o.helm_path.empty(), "helm-path: required in helm mode");
  need(o.mode == "helm" || !o.image.empty(),
       "image: required (kustomize images[].name, or the container name)");
  need(o.mode != "deployment" || !o.repository.empty(), "repository: required in deployment mode");
  need(o.retries >= 0 && o.retries <= 100, "retries: 0-100");
  need(!o.work_dir.empty(), "work dir: required");
  if (!errs.empty()) return Fail(errs);
  return {};
}

Result<GitopsResult> gitops_update(const GitopsOptions& o) {
  const std::string where = "gitops-update " + o.url + " (" + o.branch + ", " + o.file + "): ";
  if (auto st = check_gitops_options(o); !st) return Fail(where + st.error().message);
  if (auto st = ensure_libgit2(); !st) return Fail(where + st.error().message);
  auto creds = read_credentials(o.credentials_dir);
  if (!creds) return Fail(where + creds.error().message);
  std::error_code ec;
  fs::remove_all(o.work_dir, ec);
  fs::create_directories(o.work_dir, ec);
  if (ec) return Fail(where + "cannot create " + o.work_dir + ": " + ec.message());
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, o.work_dir.c_str(), 1) != 0) {
    return Fail(where + "init: " + git_last_error());
  }
  GitRepo repo(raw);
  git_remote* rraw = nullptr;
  if (git_remote_create(&rraw, repo.get(), "origin", o.url.c_str()) != 0) {
    return Fail(where + "remote: " + git_last_error());
  }
  GitRemote remote(rraw);
  const std::string base_ref = "refs/remotes/origin/" + o.branch;
  const std::string target = o.push_branch.empty() ? o.branch : o.push_branch;
  const std::string target_ref = "refs/heads/" + target;
  // A review branch belongs to the bot: it is rewritten on every update (force push).
  const std::string refspec = (o.push_branch.empty() ? "" : "+") + target_ref + ":" + target_ref;
  std::string last_refusal;
  for (int attempt = 0; attempt <= o.retries; ++attempt) {
    if (auto st =
            fetch_refspecs(remote.get(), {"+refs/heads/" + o.branch + ":" + base_ref}, *creds);
        !st) {
      return Fail(where + st.error().message);
    }
    auto res = commit_edit(repo.get(), o, base_ref, target_ref);
    if (!res) return Fail(where + res.error().message);
    res->attempts = attempt + 1;
    if (!last_refusal.empty()) res->notes.push_back("retried after: " + last_refusal);
    if (!res->changed) return res;
    auto pushed = push_refspec(remote.get(), refspec, *creds);
    if (pushed) return res;
    // A refused push usually means someone pushed first: fetch and re-apply on the new head
    // (re-applying is a rebase of our one-file change, without conflicts to resolve).
    last_refusal = pushed.error().message;
  }
  return Fail(where + "gave up after " + std::to_string(o.retries + 1) +
              " attempts; last refusal: " + last_refusal);
}

}  // namespace baton::builtin
