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
  BATON_CHECK(states * classes_ <= UINT32_MAX, "secret set too large for the mask automaton");

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

  // Renumber so that states where a pattern ends come last: the hot loop then tests
  // "state >= first_output_" off the critical path instead of masking a flag bit on it.
  std::vector<std::size_t> order;  // new id -> old id
  order.reserve(states);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t s = 0; s < states; ++s) {
      if ((longest_[s] != 0) == (pass == 1)) order.push_back(s);
    }
  }
  std::vector<std::size_t> new_id(states);
  for (std::size_t n = 0; n < states; ++n) new_id[order[n]] = n;
  std::vector<std::uint32_t> longest(states), depth(states);
  delta_.resize(go.size());
  first_output_ = static_cast<State>(states * classes_);
  for (std::size_t n = 0; n < states; ++n) {
    const std::size_t old = order[n];
    longest[n] = longest_[old];
    depth[n] = depth_[old];
    if (longest[n] != 0) first_output_ = std::min(first_output_, static_cast<State>(n * classes_));
    for (std::size_t c = 0; c < classes_; ++c) {
      const auto target = static_cast<std::size_t>(go[old * classes_ + c]);
      delta_[n * classes_ + c] = static_cast<State>(new_id[target] * classes_);
    }
  }
  longest_ = std::move(longest);
  depth_ = std::move(depth);
}

}  // namespace baton::events
