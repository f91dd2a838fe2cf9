#pragma once
// HMAC-SHA256 and constant-time comparison (OpenSSL), for webhook signatures and tokens.

#include <string>
#include <string_view>

namespace baton::triggers {

/// Lowercase hex HMAC-SHA256 of `data` keyed with `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Compares two strings in time independent of where they differ (CRYPTO_memcmp); a length
/// difference is not hidden, which is fine for fixed-length digests and leaks only the length
/// of a token.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Checks a `sha256=<hex>` signature header (GitHub `X-Hub-Signature-256`) over the raw body.
/// Returns "" when valid, else the reason. No SHA-1 fallback.
std::string check_sha256_signature(std::string_view header_value, std::string_view body,
                                   std::string_view secret);

}  // namespace baton::triggers
