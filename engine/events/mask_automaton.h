#pragma once
// The Aho–Corasick automaton behind SecretMasker: a complete DFA over byte classes (bytes that
// occur in no pattern share class 0), so one table lookup per input byte whatever the number of
// patterns. States are encoded as row offsets into the table, numbered so that the states where
// a pattern ends come last: the hot loop needs no multiply, no masking and no second lookup.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace baton::events {

class MaskAutomaton {
 public:
  /// Encoded state: the row offset of the state in the transition table.
  using State = std::uint32_t;
  static constexpr State kStart = 0;

  /// The patterns to search for `secrets`: each secret, its newline-stripped form and the
  /// stable inner base64 text at the three alignments, minus those too short (see masker.h).
  static std::vector<std::string> patterns_for(const std::vector<std::string>& secrets);

  /// Builds the automaton; patterns shorter than kMinSecretLength are dropped.
  explicit MaskAutomaton(std::vector<std::string> patterns);

  /// True when there is nothing to mask.
  bool empty() const { return patterns_.empty(); }
  /// The state after reading `byte` in `state`.
  State step(State state, unsigned char byte) const { return delta_[state + class_[byte]]; }
  /// True when some pattern ends in `state`.
  bool has_output(State state) const { return state >= first_output_; }
  /// Length of the longest pattern ending in `state` (0 if none).
  std::uint32_t longest(State state) const { return longest_[id(state)]; }
  /// Length of the longest input suffix that is a prefix of some pattern.
  std::uint32_t depth(State state) const { return depth_[id(state)]; }
  /// The patterns, sorted and unique.
  const std::vector<std::string>& patterns() const { return patterns_; }
  /// Longest pattern length (0 if none).
  std::size_t longest_pattern() const { return longest_pattern_; }

 private:
  std::size_t id(State state) const { return state / classes_; }

  std::vector<std::string> patterns_;
  std::size_t longest_pattern_ = 0;
  std::array<std::uint16_t, 256> class_{};
  std::size_t classes_ = 1;
  std::vector<State> delta_;  // states x classes_
  State first_output_ = 0;
  std::vector<std::uint32_t> longest_, depth_;
};

}  // namespace baton::events
