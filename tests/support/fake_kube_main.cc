// fake_kube_api DIR: serves the fake cluster over TLS (a throwaway certificate in DIR), writes
// DIR/kubeconfig pointing at it (CA file + token), prints the URL, and runs until stdin closes.
// For tests that drive the `baton` binary against the Kubernetes runner.

#include <fstream>
#include <iostream>
#include <string>

#include "tests/support/fake_kube_cluster.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fake_kube_api DIR\n";
    return 2;
  }
  std::string dir = argv[1];
  baton::testing::FakeKubeOptions o;
  o.work_dir = dir + "/kubelet";
  std::string cert, key;
  if (!baton::testing::make_test_certificate(dir, cert, key)) return 1;
  o.cert_pem_file = cert;
  o.key_pem_file = key;
  baton::testing::FakeKubeApi api(o);
  std::ofstream(dir + "/kubeconfig") << "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
                                        "clusters:\n- name: fake\n  cluster:\n    server: "
                                     << api.url()
                                     << "\n    certificate-authority: server.crt\n"
                                        "users:\n- name: ci\n  user: {token: "
                                     << o.token
                                     << "}\ncontexts:\n- name: fake\n  context: {cluster: fake, "
                                        "user: ci, namespace: ci}\n";
  std::cout << api.url() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  std::lock_guard<std::mutex> l(api.cluster().mu);
  std::cout << "creates=" << api.cluster().creates << " pods=" << api.cluster().pods.size()
            << std::endl;
  return 0;
}
