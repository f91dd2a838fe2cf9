// SecretMasker: a table of cases, each checked whole, at every 2- and 3-way split and byte by
// byte; base64 at each alignment; randomized agreement with a brute-force masker.
#include "engine/events/masker.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/events/mask_reference.h"

namespace baton::events {
namespace {

using testing::base64;
using testing::naive_mask;

using namespace std::string_literals;

std::string feed_split(SecretMasker m, std::string_view text,
                       const std::vector<std::size_t>& cuts) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    out += m.feed(text.substr(pos, cut - pos));
    pos = cut;
  }
  out += m.feed(text.substr(pos));
  out += m.flush();
  return out;
}

struct Case {
  const char* name;
  std::vector<std::string> secrets;
  std::string text;
  std::string want;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"at_start", {"s3cr3tval"}, "s3cr3tval and more\n", "*** and more\n"},
      {"in_middle", {"s3cr3tval"}, "token=s3cr3tval;next\n", "token=***;next\n"},
      {"at_end", {"s3cr3tval"}, "the token is s3cr3tval", "the token is ***"},
      {"twice_touching", {"abc"}, "abcabc\n", "******\n"},
      {"overlapping_secrets", {"abcd", "cdef"}, "xabcdefy", "x***y"},
      {"prefix_of_another", {"pass", "password"}, "my password is pass.", "my *** is ***."},
      {"self_overlap_chain", {"aaa"}, "baaaaaaab", "b***b"},
      {"late_longer_match_joins_two", {"ab1", "cd2", "b1xcd2e"}, "<ab1xcd2e>", "<***>"},
      {"near_miss_not_masked",
       {"s3cr3tval"},
       "s3cr3tva s3cr3tvaL 3cr3tval",
       "s3cr3tva s3cr3tvaL 3cr3tval"},
      {"binary_with_nul", {"\0k\xffy\0"s}, "\x01\0k\xffy\0\0\n\r\0"s, "\x01***\0\n\r\0"s},
      {"no_secret_bytes_unchanged", {}, "a\0b\r\n\xff\xfe\n"s, "a\0b\r\n\xff\xfe\n"s},
      {"short_secrets_ignored", {"", "x", "ab", "\n"}, "abxab\nx", "abxab\nx"},
      {"trailing_newline_stripped", {"tok123\n"}, "got tok123 ok\n", "got *** ok\n"},
      {"trailing_crlf_stripped", {"tok123\r\n"}, "got tok123\r\n", "got ***"},
      {"crlf_kept_around_mask", {"pw-xyz"}, "a pw-xyz\r\nb\r\n", "a ***\r\nb\r\n"},
      {"many_secrets",
       {"alpha1", "bravo2", "charlie3", "delta4"},
       "alpha1 bravo2 charlie3 delta4 echo5",
       "*** *** *** *** echo5"},
  };
  return kCases;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MaskTable : public ::testing::TestWithParam<Case> {};

TEST_P(MaskTable, WholeAndEverySplit) {
  const Case& c = GetParam();
  const SecretMasker masker(c.secrets);
  // The reference agrees with the expectation, so it may judge random chunkings below.
  ASSERT_EQ(naive_mask(c.text, masker.patterns()), c.want);
  EXPECT_EQ(masker.mask(c.text), c.want);
  const std::size_t n = c.text.size();
  for (std::size_t i = 0; i <= n; ++i) {
    EXPECT_EQ(feed_split(masker.fresh(), c.text, {i}), c.want) << "split at " << i;
    for (std::size_t j = i; j <= n; ++j) {
      EXPECT_EQ(feed_split(masker.fresh(), c.text, {i, j}), c.want) << "splits " << i << "," << j;
    }
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < n; ++i) every.push_back(i);
  EXPECT_EQ(feed_split(masker.fresh(), c.text, every), c.want) << "byte by byte";
}

INSTANTIATE_TEST_SUITE_P(Cases, MaskTable, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(SecretMasker, ShortSecretsProduceNoPatterns) {
  EXPECT_TRUE(SecretMasker({"", "a", "ab", "ab\n", "\r\n"}).patterns().empty());
  EXPECT_EQ(SecretMasker({"", "a"}).longest_pattern(), 0U);
}

TEST(SecretMasker, PatternsAreSecretStrippedAndInnerBase64) {
  // base64("hunter2\n") = "aHVudGVyMgo=", base64("hunter2") = "aHVudGVyMg==": at offset 0 the
  // full characters are the first floor(8n / 6): 10 and 9 of them.
  const auto patterns = SecretMasker({"hunter2\n"}).patterns();
  for (const char* want : {"hunter2\n", "hunter2", "aHVudGVyMg", "aHVudGVyM"}) {
    EXPECT_NE(std::find(patterns.begin(), patterns.end(), want), patterns.end()) << want;
  }
  EXPECT_EQ(patterns.size(), 8U);
}

// A secret inside a larger base64 stream at byte offset p: the characters that carry only the
// secret's bits, [ceil(8p/6), floor(8(p+n)/6)), become "***"; the rest stays.
TEST(SecretMasker, Base64OfSecretMaskedAtEveryAlignment) {
  const std::string secret = "correct horse battery";
  const SecretMasker masker({secret});
  for (std::size_t p = 0; p < 9; ++p) {
    for (std::size_t tail = 0; tail < 4; ++tail) {
      const std::string plain = std::string(p, 'P') + secret + std::string(tail, 'T');
      const std::string text = "data: " + base64(plain) + "\n";
      const std::size_t first = 6 + (8 * p + 5) / 6, last = 6 + 8 * (p + secret.size()) / 6;
      const std::string want = text.substr(0, first) + "***" + text.substr(last);
      EXPECT_EQ(masker.mask(text), want) << "offset " << p << " tail " << tail;
      EXPECT_EQ(feed_split(masker.fresh(), text, {first + 3, first + 7}), want);
    }
  }
}

TEST(SecretMasker, HoldsBackLessThanLongestPattern) {
  const SecretMasker proto({"0123456789abcdef", "zzz"});
  const std::size_t limit = proto.longest_pattern() - 1;
  SecretMasker m = proto.fresh();
  const std::string text = "0123456789abcdeX 0123456789abcdef 0123 zz zzz 0123456789abcde";
  std::string out;
  for (char ch : text) {
    out += m.feed(std::string_view(&ch, 1));
    EXPECT_LE(m.held_bytes(), limit);
  }
  EXPECT_EQ(m.held_bytes(), 15U);  // "0123456789abcde" may still become the secret
  out += m.flush();
  EXPECT_EQ(m.held_bytes(), 0U);
  EXPECT_EQ(out, "0123456789abcdeX *** 0123 zz *** 0123456789abcde");
}

TEST(SecretMasker, EmitsEverythingAtOnceWhenNothingCouldMatch) {
  SecretMasker m({"secret-value"});
  EXPECT_EQ(m.feed("plain line\n"), "plain line\n");
  EXPECT_EQ(m.feed("ends with secr"), "ends with ");
  EXPECT_EQ(m.feed("et-value!"), "***!");
  EXPECT_EQ(m.flush(), "");
}

TEST(SecretMasker, FlushResetsTheStream) {
  SecretMasker m({"abcdef"});
  EXPECT_EQ(m.feed("xxabc"), "xx");
  EXPECT_EQ(m.flush(), "abc");
  EXPECT_EQ(m.feed("def\n"), "def\n");  // a new stream: no match across the flush
  EXPECT_EQ(m.flush(), "");
}

TEST(SecretMasker, AgreesWithBruteForceOnRandomInput) {
  std::mt19937 rng(20240501);
  auto random_string = [&](std::size_t min, std::size_t max) {
    std::string s(std::uniform_int_distribution<std::size_t>(min, max)(rng), 'a');
    for (char& ch : s) ch = static_cast<char>('a' + std::uniform_int_distribution<>(0, 2)(rng));
    return s;
  };
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> secrets;
    const int count = std::uniform_int_distribution<>(1, 5)(rng);
    for (int i = 0; i < count; ++i) secrets.push_back(random_string(3, 7));
    const SecretMasker masker(secrets);
    const std::string text = random_string(0, 60);
    const std::string want = naive_mask(text, masker.patterns());
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0; at < text.size();) {
      at += std::uniform_int_distribution<std::size_t>(1, 5)(rng);
      if (at < text.size()) cuts.push_back(at);
    }
    ASSERT_EQ(feed_split(masker.fresh(), text, cuts), want)
        << "round " << round << " text " << text << " secret0 " << secrets[0];
  }
}

}  // namespace
}  // namespace baton::events
