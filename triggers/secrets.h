#pragma once
// Secrets for interceptors (`secretRef {secretName, secretKey}`) and CEL's compareSecret().
// Lookup goes through a callback so the server can back it with its own configuration.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "engine/common/diagnostic.h"

namespace baton::triggers {

/// A reference to one key of a Kubernetes-style Secret.
struct SecretRef {
  std::string secret_name;
  std::string secret_key;
};

/// Returns the value of key `key` of secret `name`, or nullopt when absent.
using SecretLookup =
    std::function<std::optional<std::string>(const std::string& name, const std::string& key)>;

/// Secrets collected from `kind: Secret` documents (`data` is base64, `stringData` plain; as in
/// Kubernetes, stringData wins over data for the same key).
class SecretStore {
 public:
  /// Adds every `apiVersion: v1, kind: Secret` document of `text` (named `file` in errors);
  /// other documents are ignored. Returns the errors (bad base64, non-string values, ...).
  Diagnostics add_yaml(const std::string& text, const std::string& file);
  /// Reads `path` and adds its Secrets.
  Diagnostics add_file(const std::string& path);
  /// Sets one value directly.
  void set(const std::string& name, const std::string& key, std::string value);
  /// A lookup backed by this store; the store must outlive it.
  SecretLookup lookup() const;
  std::size_t size() const { return values_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, std::string> values_;
};

/// Decodes standard base64 with padding (Kubernetes Secret `data`); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace baton::triggers
