// In-place YAML edits: only the target scalar's bytes change; comments, quoting, blank lines,
// key order and other documents stay byte-for-byte.

#include "tasks/builtin/yaml_edit.h"

#include <gtest/gtest.h>

namespace baton::builtin {
namespace {

const char kKustomization[] =
    "# overlay: prod — managed by baton, édité à la main aussi\n"
    "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\n"
    "resources:\n"
    "  - ../../base   # the shared Deployment\n"
    "\n"
    "images:\n"
    "  - name: demo-app        # matches the base's container image\n"
    "    newName: 127.0.0.1:5000/demo-app\n"
    "    newTag: \"0.1.0\"       # set by the pipeline\n"
    "  - name: sidecar\n"
    "    newTag: v2\n";

TEST(YamlEditTest, KustomizeTagKeepsEveryOtherByte) {
  auto r = set_kustomize_image(kKustomization, "demo-app", "abc1234", "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->old_value, "0.1.0");
  std::string want = kKustomization;
  want.replace(want.find("\"0.1.0\""), 7, "\"abc1234\"");  // still double-quoted
  EXPECT_EQ(r->text, want);
}

TEST(YamlEditTest, KustomizeNoOpWhenAlreadySet) {
  auto r = set_kustomize_image(kKustomization, "sidecar", "v2", "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->text, kKustomization);
}

TEST(YamlEditTest, KustomizeInsertsAMissingKeyUnderName) {
  const std::string in = "images:\n- name: app # c\n  newName: r/app\nresources: [a.yaml]\n";
  auto r = set_kustomize_image(in, "app", "", "sha256:0123");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      r->text,
      "images:\n- name: app # c\n  digest: sha256:0123\n  newName: r/app\nresources: [a.yaml]\n");
}

TEST(YamlEditTest, KustomizeErrors) {
  auto r = set_kustomize_image(kKustomization, "nope", "1", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no images entry named \"nope\""), std::string::npos);
  r = set_kustomize_image("images:\n- {name: a, digest: sha256:1}\n", "a", "v1", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("2:3: images entry \"a\" pins a digest"), std::string::npos)
      << r.error().message;
  r = set_kustomize_image("images: [\n", "a", "v1", "");
  ASSERT_FALSE(r.ok());
}

TEST(YamlEditTest, HelmValuesPath) {
  const std::string in =
      "replicaCount: 2\n"
      "image:\n"
      "  repository: registry/app  # where\n"
      "  tag: 'v1'   # single-quoted stays single-quoted\n"
      "  pullPolicy: IfNotPresent\n";
  auto r = set_yaml_path(in, "image.tag", "it's-v2");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      r->text,
      "replicaCount: 2\nimage:\n  repository: registry/app  # where\n"
      "  tag: 'it''s-v2'   # single-quoted stays single-quoted\n  pullPolicy: IfNotPresent\n");
  auto missing = set_yaml_path(in, "image.digest", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("image.digest"), std::string::npos);
  // A plain scalar that would change type gets quotes; others stay plain.
  r = set_yaml_path("a:\n  b: x # c\n", "a.b", "1.10");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "a:\n  b: \"1.10\" # c\n");
  r = set_yaml_path("a:\n  b: x # c\n", "a.b", "v1.10");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "a:\n  b: v1.10 # c\n");
  auto block = set_yaml_path("a: |\n  x\n", "a", "y");
  ASSERT_FALSE(block.ok());
  EXPECT_NE(block.error().message.find("block scalar"), std::string::npos);
}

TEST(YamlEditTest, DeploymentContainerImageInAMultiDocumentFile) {
  const std::string in =
      "apiVersion: v1\nkind: Service\nmetadata: {name: app}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
      "      initContainers:\n        - name: init\n          image: busybox:1\n"
      "      containers:\n        - name: app\n          image: registry/app:old  # pipeline\n";
  auto r = set_container_image(in, "app", "registry/app", "new", "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::string want = in;
  want.replace(want.find("registry/app:old"), 16, "registry/app:new");
  EXPECT_EQ(r->text, want);
  r = set_container_image(in, "init", "busybox", "", "sha256:ab");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->text.find("image: busybox@sha256:ab\n"), std::string::npos);
  auto none = set_container_image(in, "web", "x", "1", "");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no container named \"web\""), std::string::npos);
}

}  // namespace
}  // namespace baton::builtin
