#include "engine/events/mask_automaton.h"

#include <algorithm>
#include <deque>
#include <string_view>

#include "engine/common/check.h"
#include "engine/events/masker.h"

namespace baton::events {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Base64 characters of `bytes` whose 6 bits all come from `bytes` (no padding, no partial tail).
std::string base64_full_chars(std::string_view bytes) {
  std::string out;
  const std::size_t bits = bytes.size() * 8;
  out.reserve(bits / 6);
  for (std::size_t j = 0; (j + 1) * 6 <= bits; ++j) {
    unsigned value = 0;
    for (std::size_t b = j * 6; b < j * 6 + 6; ++b) {
      const auto byte = static_cast<unsigned char>(bytes[b / 8]);
      value = (value << 1) | ((byte >> (7 - b % 8)) & 1U);
    }
    out.push_back(kBase64[value]);
  }
  return out;
}

// The base64 characters that encode only `secret`'s bits when it starts at offset k (mod 3) of
// an encoded stream: characters j with 6j >= 8k, i.e. j >= ceil(8k / 6).
std::string base64_inner(std::string_view secret, std::size_t k) {
  std::string shifted(k, '\0');
  shifted.append(secret);
  std::string chars = base64_full_chars(shifted);
  const std::size_t first = (8 * k + 5) / 6;
  return first < chars.size() ? chars.substr(first) : std::string();
}

}  // namespace

std::vector<std::string> MaskAutomaton::patterns_for(const std::vector<std::string>& secrets) {
  std::vector<std::string> out;
  for (const auto& secret : secrets) {
    std::string_view stripped = secret;
    while (!stripped.empty() && (stripped.back() == '\n' || stripped.back() == '\r')) {
      stripped.remove_suffix(1);
    }
    // "ab\n" is as short a secret as "ab": judge the length without the newline.
    if (stripped.size() < kMinSecretLength) continue;
    for (std::string_view form : {std::string_view(secret), stripped}) {
      out.emplace_back(form);
      for (std::size_t k = 0; k < 3; ++k) out.push_back(base64_inner(form, k));
    }
  }
  return out;
}

MaskAutomaton::MaskAutomaton(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  std::erase_if(patterns_, [](const std::string& p) { return p.size() < kMinSecretLength; });
  std::sort(patterns_.begin(), patterns_.end());
  patterns_.erase(std::unique(patterns_.begin(), patterns_.end()), patterns_.end());

  for (const auto& p : patterns_) {
    longest_pattern_ = std::max(longest_pattern_, p.size());
    for (char ch : p) {
      auto& cls = class_[static_cast<unsigned char>(ch)];
      if (cls == 0) cls = static_cast<std::uint16_t>(classes_++);
    }
  }

  // Trie with -1 for missing edges; state 0 is the root.
  std::vector<std::int64_t> go(classes_, -1);
  std::vector<bool> terminal(1, false);
  depth_.assign(1, 0);
  for (const auto& p : patterns_) {
    std::size_t s = 0;
    for (char ch : p) {
      const std::size_t c = class_[static_cast<unsigned char>(ch)];
      if (go[s * classes_ + c] < 0) {
        go[s * classes_ + c] = static_cast<std::int64_t>(depth_.size());
        depth_.push_back(depth_[s] + 1);
        terminal.push_back(false);
        go.resize(go.size() + classes_, -1);
      }
      s = static_cast<std::size_t>(go[s * classes_ + c]);
    }
    terminal[s] = true;
  }
  const std::size_t states = depth_.size();
  BATON_CHECK(states * classes_ < kOutput, "secret set too large for the mask automaton");

  // Breadth-first: failure links and missing edges filled from the failure state, which is
  // shallower and therefore already complete.
  std::vector<std::size_t> fail(states, 0);
  longest_.assign(states, 0);
  std::deque<std::size_t> queue;
  for (std::size_t c = 0; c < classes_; ++c) {
    if (go[c] < 0) {
      go[c] = 0;
    } else {
      queue.push_back(static_cast<std::size_t>(go[c]));
    }
  }
  while (!queue.empty()) {
    const std::size_t s = queue.front();
    queue.pop_front();
    longest_[s] = terminal[s] ? depth_[s] : longest_[fail[s]];
    for (std::size_t c = 0; c < classes_; ++c) {
      auto& edge = go[s * classes_ + c];
      const auto via_fail = go[fail[s] * classes_ + c];
      if (edge < 0) {
        edge = via_fail;
      } else {
        fail[static_cast<std::size_t>(edge)] = static_cast<std::size_t>(via_fail);
        queue.push_back(static_cast<std::size_t>(edge));
      }
    }
  }

  delta_.resize(go.size());
  for (std::size_t i = 0; i < go.size(); ++i) {
    const auto target = static_cast<std::size_t>(go[i]);
    delta_[i] = static_cast<State>(target * classes_) | (longest_[target] != 0 ? kOutput : 0U);
  }
}

}  // namespace baton::events
