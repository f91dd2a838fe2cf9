// Secrets from `kind: Secret` documents, and base64 decoding (OpenSSL's EVP_DecodeBlock, which
// needs the padding handled by the caller).

#include "triggers/secrets.h"

#include <openssl/evp.h>

#include "engine/spec/decode_util.h"
#include "engine/spec/yaml_tree.h"

namespace baton::triggers {

std::optional<std::string> base64_decode(std::string_view in) {
  std::string s;
  s.reserve(in.size());
  for (char c : in) {
    if (c != '\n' && c != '\r' && c != ' ') s += c;
  }
  if (s.size() % 4 != 0) return std::nullopt;
  if (s.empty()) return std::string();
  std::size_t pad = 0;
  if (s.back() == '=') ++pad;
  if (s.size() >= 2 && s[s.size() - 2] == '=') ++pad;
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),      // NOLINT
                          reinterpret_cast<const unsigned char*>(s.data()),  // NOLINT
                          static_cast<int>(s.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

void SecretStore::set(const std::string& name, const std::string& key, std::string value) {
  values_[{name, key}] = std::move(value);
}

SecretLookup SecretStore::lookup() const {
  return [this](const std::string& name, const std::string& key) -> std::optional<std::string> {
    auto it = values_.find({name, key});
    if (it == values_.end()) return std::nullopt;
    return it->second;
  };
}

namespace {

Diagnostics add_documents(Result<std::vector<spec::Document>> docs, SecretStore& store) {
  Diagnostics diags;
  if (!docs.ok()) {
    diags = docs.error().diagnostics;
    if (diags.empty()) diags.push_back(Diagnostic{{}, "", docs.error().message});
    return diags;
  }
  for (const auto& d : *docs) {
    const spec::Node& root = d.root;
    const spec::Node* api = root.is_map() ? root.find("apiVersion") : nullptr;
    const spec::Node* kind = root.is_map() ? root.find("kind") : nullptr;
    if (!api || !kind || api->scalar != "v1" || kind->scalar != "Secret") continue;
    spec::DecodeCtx c{*d.file, false, &diags};
    const spec::Node* name = root.find("metadata") ? root.find("metadata")->find("name") : nullptr;
    if (!name || !name->is_scalar()) {
      c.error(root.mark, "metadata.name", "missing required field");
      continue;
    }
    if (const spec::Node* data = root.find("data")) {
      for (const auto& [k, v] : spec::read_string_map(c, *data, "data")) {
        auto decoded = base64_decode(v);
        if (!decoded) {
          c.error(data->find(k)->mark, "data." + k, "not valid base64");
          continue;
        }
        store.set(name->scalar, k, std::move(*decoded));
      }
    }
    if (const spec::Node* sd = root.find("stringData")) {
      for (const auto& [k, v] : spec::read_string_map(c, *sd, "stringData")) {
        store.set(name->scalar, k, v);
      }
    }
  }
  return diags;
}

}  // namespace

Diagnostics SecretStore::add_yaml(const std::string& text, const std::string& file) {
  return add_documents(spec::parse_yaml(text, file), *this);
}

Diagnostics SecretStore::add_file(const std::string& path) {
  return add_documents(spec::parse_yaml_file(path), *this);
}

}  // namespace baton::triggers
