#pragma once
// Where the Kubernetes API is and how to authenticate: a kubeconfig file (a context, or its
// current-context) or the in-cluster service account (token + ca.crt, KUBERNETES_SERVICE_*).

#include <string>

#include "engine/common/result.h"

namespace baton::runners::kube {

/// A resolved connection: everything the REST client needs.
struct KubeConfig {
  std::string server;  // https://host:port or http://host:port
  std::string namespace_ = "default";
  std::string token;       // bearer token
  std::string token_file;  // re-read on each request when set (rotated service account tokens)
  std::string ca_pem;      // CA bundle; empty: the system's default paths
  std::string client_cert_pem, client_key_pem;
  bool insecure_skip_tls_verify = false;
};

/// Reads `path` and resolves `context` (empty: current-context). File references
/// (certificate-authority, client-certificate, client-key, tokenFile) are relative to the file.
Result<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context = {});

/// The in-cluster config from `sa_dir` (default /var/run/secrets/kubernetes.io/serviceaccount)
/// and KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT; POD_NAMESPACE overrides the namespace.
Result<KubeConfig> in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace baton::runners::kube
