// HMAC vectors from ../shared/corpus/github-webhooks/HEADERS.md and the tekton README body.

#include "triggers/hmac.h"

#include <gtest/gtest.h>

namespace baton::triggers {
namespace {

struct Vector {
  const char* secret;
  const char* body;
  const char* signature;
};

// 1. github/docs validating-webhook-deliveries; 2. tektoncd/triggers examples/v1beta1/github
// (the curl -d body of its README, byte for byte).
const Vector kVectors[] = {
    {"It's a Secret to Everybody", "Hello, World!",
     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
    {"1234567",
     R"({"action": "opened", "pull_request":{"head":{"sha": "28911bbb5a3e2ea034daf1f6be0a822d50e31e73"}},"repository":{"clone_url": "https://github.com/tektoncd/triggers.git"}})",
     "sha256=c26dd919ebe335852219c49f74c4b24f1c62c93c77294be3ac6d8f2e4691a023"},
};

TEST(Hmac, CorpusVectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ("sha256=" + hmac_sha256_hex(v.secret, v.body), v.signature) << v.body;
    EXPECT_EQ(check_sha256_signature(v.signature, v.body, v.secret), "") << v.body;
  }
}

TEST(Hmac, RejectsWrongMissingPrefixAndSha1) {
  const Vector& v = kVectors[0];
  std::string sig = v.signature;
  EXPECT_EQ(check_sha256_signature(sig, v.body, "wrong secret"),
            "signature does not match the body (HMAC-SHA256 with the configured secret)");
  EXPECT_NE(check_sha256_signature(sig, std::string(v.body) + " ", v.secret), "");
  EXPECT_EQ(check_sha256_signature(sig.substr(7), v.body, v.secret),
            "signature must start with \"sha256=\"");
  EXPECT_EQ(
      check_sha256_signature("sha1=7d38cdd689735b008b3c702edd92eea23791c5f6", v.body, v.secret),
      "signature must start with \"sha256=\"");
  EXPECT_NE(check_sha256_signature("sha256=", v.body, v.secret), "");
  // Uppercase hex is the same digest.
  std::string upper = sig;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(check_sha256_signature(upper, v.body, v.secret), "");
}

TEST(Hmac, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("1234567", "1234567"));
  EXPECT_FALSE(constant_time_equal("1234567", "1234568"));
  EXPECT_FALSE(constant_time_equal("1234567", "123456"));
}

}  // namespace
}  // namespace baton::triggers
