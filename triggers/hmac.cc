#include "triggers/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace baton::triggers {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // HMAC() with an empty key needs a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* k = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());  // NOLINT
  if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), data.empty() ? &kEmpty : d, data.size(),
           md.data(), &len) == nullptr) {
    return {};  // only on allocation failure; an empty digest never matches a signature
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string check_sha256_signature(std::string_view header_value, std::string_view body,
                                   std::string_view secret) {
  constexpr std::string_view kPrefix = "sha256=";
  if (header_value.substr(0, kPrefix.size()) != kPrefix) {
    return "signature must start with \"sha256=\"";
  }
  std::string given(header_value.substr(kPrefix.size()));
  for (char& c : given) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string expected = hmac_sha256_hex(secret, body);
  if (expected.empty() || !constant_time_equal(given, expected)) {
    return "signature does not match the body (HMAC-SHA256 with the configured secret)";
  }
  return {};
}

}  // namespace baton::triggers
