// Every hostile input is rejected with a clear error, never a crash. (Speed and memory figures
// come from tests/bench/load_bench, not from timed assertions here.)

#include <gtest/gtest.h>

#include "engine/spec/loader.h"
#include "tests/spec/hostile_inputs.h"

namespace baton {
namespace {

TEST(Hostile, EachInputIsRejectedWithAClearError) {
  auto inputs = testing::hostile_inputs();
  ASSERT_GE(inputs.size(), 10u);
  for (const auto& in : inputs) {
    SCOPED_TRACE(in.name);
    spec::LoadOutput out = spec::load_text(in.make(), "hostile.yaml");
    ASSERT_FALSE(out.errors.empty()) << "accepted";
    std::string first = out.errors[0].to_string();
    EXPECT_NE(first.find(in.expected_error), std::string::npos) << first;
    EXPECT_EQ(out.objects.size(), 0u);
  }
}

TEST(Hostile, OversizeFileIsRefusedBeforeReading) {
  char tmpl[] = "/tmp/baton-hostile-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  // A sparse 100 MB file: refusing it must not need reading it.
  ASSERT_EQ(ftruncate(fd, 100 << 20), 0);
  close(fd);
  spec::LoadOutput out = spec::load_file(tmpl);
  unlink(tmpl);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].message.find("over the limit"), std::string::npos)
      << out.errors[0].message;
}

TEST(Hostile, DirectoryIsNotAFile) {
  spec::LoadOutput out = spec::load_file("/tmp");
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].to_string(), "/tmp: error: not a regular file");
}

TEST(Hostile, ManyErrorsAreCapped) {
  std::string text =
      "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n";
  for (int i = 0; i < 1000; ++i) text += "  - {name: s" + std::to_string(i) + ", bogus: 1}\n";
  spec::LoadOutput out = spec::load_text(text, "many.yaml");
  ASSERT_EQ(out.errors.size(), 201u);
  EXPECT_EQ(out.errors.back().message, "too many errors: 800 more not shown");
}

}  // namespace
}  // namespace baton
