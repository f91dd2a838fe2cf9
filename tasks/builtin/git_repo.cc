#include "tasks/builtin/git_repo.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace baton::builtin {

namespace fs = std::filesystem;

namespace {

// One init for the process; shutdown with the static destructors.
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

std::string read_trimmed(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

int credentials_cb(git_credential** out, const char* /*url*/, const char* username_from_url,
                   unsigned int allowed, void* payload) {
  const auto* creds = static_cast<const GitCredentials*>(payload);
  if (creds == nullptr || creds->empty()) {
    git_error_set_str(GIT_ERROR_NET,
                      "the remote asks for credentials and none were given "
                      "(bind a secret workspace with `token` or an SSH key)");
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0 && !creds->password.empty()) {
    // Token auth: GitHub and GitLab accept any non-empty user name with a token.
    const std::string user = creds->username.empty() ? "x-access-token" : creds->username;
    return git_credential_userpass_plaintext_new(out, user.c_str(), creds->password.c_str());
  }
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) != 0 && !creds->ssh_key_path.empty()) {
    const char* user = username_from_url ? username_from_url : "git";
    return git_credential_ssh_key_new(
        out, user, creds->ssh_pub_path.empty() ? nullptr : creds->ssh_pub_path.c_str(),
        creds->ssh_key_path.c_str(), nullptr);
  }
  git_error_set_str(GIT_ERROR_NET,
                    "the credentials in the secret workspace do not fit what the remote asks for "
                    "(a token for http(s), an SSH key for ssh)");
  return GIT_EAUTH;
}

// The server may refuse a single ref of a push (a concurrent update, a hook) while the push
// itself "succeeds"; the status message is the only sign of it.
int push_update_cb(const char* refname, const char* status, void* payload) {
  if (status != nullptr) {
    auto* msg = static_cast<std::string*>(payload);
    *msg = std::string(refname) + ": " + status;
  }
  return 0;
}

}  // namespace

Status ensure_libgit2() {
  static Libgit2 lib;
  if (!lib.ok()) return Fail("libgit2 failed to initialise: " + git_last_error());
  return {};
}

std::string git_last_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

bool libgit2_has_ssh() { return (git_libgit2_features() & GIT_FEATURE_SSH) != 0; }

Result<GitCredentials> read_credentials(const std::string& dir) {
  GitCredentials c;
  if (dir.empty()) return c;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Fail("credentials workspace " + dir + " is not a directory");
  const fs::path d(dir);
  if (fs::exists(d / "username", ec)) c.username = read_trimmed(d / "username");
  if (fs::exists(d / "token", ec)) {
    c.password = read_trimmed(d / "token");
  } else if (fs::exists(d / "password", ec)) {
    c.password = read_trimmed(d / "password");
  }
  for (const char* key : {"ssh-privatekey", "id_ed25519", "id_ecdsa", "id_rsa"}) {
    if (fs::exists(d / key, ec)) {
      c.ssh_key_path = (d / key).string();
      if (fs::exists(d / (std::string(key) + ".pub"), ec)) {
        c.ssh_pub_path = (d / (std::string(key) + ".pub")).string();
      }
      break;
    }
  }
  if (!c.ssh_key_path.empty() && !libgit2_has_ssh()) {
    return Fail("an SSH key was given but this libgit2 has no SSH transport");
  }
  return c;
}

git_remote_callbacks remote_callbacks(const GitCredentials* creds) {
  git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
  cb.credentials = credentials_cb;
  cb.payload = const_cast<GitCredentials*>(creds);  // NOLINT: libgit2's payload is void*
  return cb;
}

Status fetch_refspecs(git_remote* remote, const std::vector<std::string>& refspecs,
                      const GitCredentials& creds) {
  std::vector<char*> specs;
  std::vector<std::string> copy = refspecs;
  specs.reserve(copy.size());
  for (auto& s : copy) specs.push_back(s.data());
  git_strarray arr{specs.data(), specs.size()};
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.callbacks = remote_callbacks(&creds);
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  if (git_remote_fetch(remote, &arr, &opts, "baton: fetch") != 0) {
    return Fail("fetch " + std::string(git_remote_url(remote)) + ": " + git_last_error());
  }
  return {};
}

Result<std::vector<RemoteRef>> list_remote(git_remote* remote, const GitCredentials& creds) {
  git_remote_callbacks cb = remote_callbacks(&creds);
  if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, nullptr, nullptr) != 0) {
    return Fail("connect " + std::string(git_remote_url(remote)) + ": " + git_last_error());
  }
  const git_remote_head** heads = nullptr;
  size_t n = 0;
  if (git_remote_ls(&heads, &n, remote) != 0) {
    git_remote_disconnect(remote);
    return Fail("list refs of " + std::string(git_remote_url(remote)) + ": " + git_last_error());
  }
  std::vector<RemoteRef> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({heads[i]->name, oid_hex(&heads[i]->oid),
                   heads[i]->symref_target ? heads[i]->symref_target : ""});
  }
  git_remote_disconnect(remote);
  return out;
}

std::string oid_hex(const git_oid* id) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, id);
  return hex;
}

Status push_refspec(git_remote* remote, const std::string& refspec, const GitCredentials& creds) {
  std::string copy = refspec;
  char* one = copy.data();
  git_strarray arr{&one, 1};
  std::string refused;
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks = remote_callbacks(&creds);
  // The credentials callback and the update callback share one payload pointer in libgit2;
  // keep credentials reachable through a small bundle.
  struct Bundle {
    const GitCredentials* creds;
    std::string* refused;
  };
  Bundle bundle{&creds, &refused};
  opts.callbacks.payload = &bundle;
  opts.callbacks.credentials = [](git_credential** out, const char* url, const char* user,
                                  unsigned int allowed, void* payload) {
    return credentials_cb(out, url, user, allowed,
                          const_cast<GitCredentials*>(static_cast<Bundle*>(payload)->creds));
  };
  opts.callbacks.push_update_reference = [](const char* ref, const char* status, void* payload) {
    return push_update_cb(ref, status, static_cast<Bundle*>(payload)->refused);
  };
  if (git_remote_push(remote, &arr, &opts) != 0) {
    return Fail("push " + refspec + ": " + git_last_error(), "push");
  }
  if (!refused.empty()) return Fail("push refused: " + refused, "push");
  return {};
}

}  // namespace baton::builtin
