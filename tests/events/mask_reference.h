#pragma once
// Test helpers: a naive masker (every occurrence of every pattern, overlapping ones merged) to
// compare the streaming automaton against, and a plain base64 encoder.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::events::testing {

/// Masks `text` by brute force with the same merge rule as SecretMasker.
inline std::string naive_mask(std::string_view text, const std::vector<std::string>& patterns) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& p : patterns) {
    if (p.empty()) continue;
    for (auto at = text.find(p); at != std::string_view::npos; at = text.find(p, at + 1)) {
      spans.emplace_back(at, at + p.size());
    }
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < spans.size();) {
    auto [start, end] = spans[i];
    for (++i; i < spans.size() && spans[i].first < end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(pos, start - pos));
    out += "***";
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

/// Standard base64 with '=' padding.
inline std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63U]);
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63U], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v =
        static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63U], kAlphabet[(v >> 6) & 63U], '='};
  }
  return out;
}

}  // namespace baton::events::testing
