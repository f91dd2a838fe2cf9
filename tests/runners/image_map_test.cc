// The podman runner's image map: short-name normalisation and which key wins.
#include "runners/podman/image_map.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

TEST(ImageMapTest, NormalisesShortNamesLikePodman) {
  EXPECT_EQ(normalize_image("alpine"), "docker.io/library/alpine:latest");
  EXPECT_EQ(normalize_image("bash:5.2"), "docker.io/library/bash:5.2");
  EXPECT_EQ(normalize_image("gcr.io/x/y"), "gcr.io/x/y:latest");
  EXPECT_EQ(normalize_image("localhost:5000/a/b:1"), "localhost:5000/a/b:1");
  EXPECT_EQ(normalize_image("me/tool"), "docker.io/me/tool:latest");
  EXPECT_EQ(normalize_image("ubuntu@sha256:abc"), "docker.io/library/ubuntu@sha256:abc");
}

TEST(ImageMapTest, MostSpecificKeyWins) {
  ImageMap map{{"ubuntu", "local/ubuntu"},
               {"ubuntu:22.04", "local/jammy"},
               {"docker.io/library/*", "local/library"},
               {"gcr.io/*", "local/gcr"},
               {"*", "local/any"}};
  EXPECT_EQ(map_image(map, "ubuntu"), "local/ubuntu");
  EXPECT_EQ(map_image(map, "docker.io/library/ubuntu:20.04"), "local/ubuntu");  // any tag
  EXPECT_EQ(map_image(map, "ubuntu:22.04"), "local/jammy");
  EXPECT_EQ(map_image(map, "alpine:3.19"), "local/library");  // prefix after normalisation
  EXPECT_EQ(map_image(map, "gcr.io/distroless/base"), "local/gcr");
  EXPECT_EQ(map_image(map, "quay.io/x/y"), "local/any");
  EXPECT_EQ(map_image({{"ubuntu", "u"}}, "quay.io/x/y"), "quay.io/x/y");  // unmapped: as is
  EXPECT_EQ(map_image(map, ""), "");
}

TEST(ImageMapTest, LoadsAYamlMappingAndReportsWhereItIsWrong) {
  testing::TempDir tmp;
  const std::string good = tmp.path() + "/good.yaml";
  std::ofstream(good) << "ubuntu: localhost/base:latest\n\"docker.io/library/*\": localhost/b\n";
  auto map = load_image_map_file(good);
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(map->at("ubuntu"), "localhost/base:latest");
  EXPECT_EQ(map->at("docker.io/library/*"), "localhost/b");

  const std::string bad = tmp.path() + "/bad.yaml";
  std::ofstream(bad) << "ubuntu: [a, b]\n";
  auto err = load_image_map_file(bad);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().message.find("bad.yaml:1:"), std::string::npos) << err.error().message;
}

}  // namespace
}  // namespace baton::runners
