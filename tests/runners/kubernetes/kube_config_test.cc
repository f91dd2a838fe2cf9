// kubeconfig (the corpus' real `kubectl config view` output, file references, -data fields) and
// in-cluster configuration.

#include "runners/kubernetes/kube_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace baton::runners::kube {
namespace {

namespace fs = std::filesystem;

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "baton-kubeconfig-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string dir_;
};

TEST_F(KubeConfigTest, CorpusExampleResolvesContextAndRelativeFiles) {
  fs::copy_file(std::string(BATON_CORPUS_DIR) + "/k8s/kubeconfig-example.yaml", dir_ + "/config");
  // current-context is "" in the example: a context must be named.
  auto none = load_kubeconfig(dir_ + "/config");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no current-context"), std::string::npos);
  // Its files are relative to the kubeconfig; missing, they are named in the error.
  auto missing = load_kubeconfig(dir_ + "/config", "dev-frontend");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("fake-ca-file"), std::string::npos);
  write("fake-ca-file", "CA PEM");
  write("fake-cert-file", "CERT PEM");
  write("fake-key-file", "KEY PEM");
  auto c = load_kubeconfig(dir_ + "/config", "dev-frontend");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://1.2.3.4");
  EXPECT_EQ(c->namespace_, "frontend");
  EXPECT_EQ(c->ca_pem, "CA PEM");
  EXPECT_EQ(c->client_cert_pem, "CERT PEM");
  EXPECT_EQ(c->client_key_pem, "KEY PEM");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  // exp-test uses username/password, which this client does not speak: said, not ignored.
  auto basic = load_kubeconfig(dir_ + "/config", "exp-test");
  ASSERT_FALSE(basic.ok());
  EXPECT_NE(basic.error().message.find("basic auth"), std::string::npos);
  EXPECT_FALSE(load_kubeconfig(dir_ + "/config", "nope").ok());
}

TEST_F(KubeConfigTest, DataFieldsTokenAndCurrentContext) {
  write("config", R"(apiVersion: v1
kind: Config
current-context: ci
clusters:
- name: c
  cluster: {server: "https://[::1]:6443", certificate-authority-data: Q0EgREFUQQ==}
users:
- name: u
  user: {token: abc123}
contexts:
- name: ci
  context: {cluster: c, user: u}
)");
  auto c = load_kubeconfig(dir_ + "/config");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://[::1]:6443");
  EXPECT_EQ(c->namespace_, "default");
  EXPECT_EQ(c->ca_pem, "CA DATA");
  EXPECT_EQ(c->token, "abc123");
  write("bad",
        "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: "
        "{cluster: c}\nclusters:\n- name: c\n  cluster: {server: s, "
        "certificate-authority-data: '%%%'}\n");
  auto bad = load_kubeconfig(dir_ + "/bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("certificate-authority-data"), std::string::npos);
}

TEST_F(KubeConfigTest, InCluster) {
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_FALSE(in_cluster_config(dir_).ok());
  setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  unsetenv("POD_NAMESPACE");
  EXPECT_FALSE(in_cluster_config(dir_).ok());  // no token file
  write("token", "tok\n");
  write("ca.crt", "CA");
  write("namespace", "ci\n");
  auto c = in_cluster_config(dir_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://10.0.0.1:443");
  EXPECT_EQ(c->token, "tok");
  EXPECT_EQ(c->token_file, dir_ + "/token");
  EXPECT_EQ(c->ca_pem, "CA");
  EXPECT_EQ(c->namespace_, "ci");
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
}

}  // namespace
}  // namespace baton::runners::kube
