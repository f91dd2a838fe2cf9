#pragma once
// Secret masking for step logs. What is masked, for every secret of at least kMinSecretLength
// bytes:
//   1. the secret's bytes exactly;
//   2. the secret with trailing '\n' / '\r' bytes removed (a secret read from a file usually
//      ends with a newline the program never prints);
//   3. for each of (1) and (2), the standard base64 (RFC 4648, '+' '/') text of the secret at
//      each of the three alignments: a secret starting at byte offset k (mod 3) of a larger
//      base64-encoded stream yields base64 characters that depend only on the secret's own bits
//      exactly for characters j with 6j >= 8k and 6j + 6 <= 8(k + n). Those inner characters
//      are the pattern; the one or two edge characters that mix in neighbouring bytes (and any
//      '=' padding) stay visible, so "***" may be flanked by a stray base64 character.
// A secret whose newline-stripped form is shorter than kMinSecretLength bytes is ignored
// entirely (as is a base64 variant that short): masking every "ab" in a log would destroy the
// log and hide nothing worth hiding.
//
// Every occurrence of a pattern is replaced by "***"; occurrences that overlap are merged into
// one "***" (occurrences that merely touch give "******"). All other bytes pass through exactly:
// binary-safe, no newline translation.
//
// Matching is one Aho–Corasick automaton over all patterns (a dense DFA over byte classes), so
// the cost per byte does not grow with the number of secrets.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baton::events {

/// Patterns shorter than this are never masked.
inline constexpr std::size_t kMinSecretLength = 3;
/// What a masked occurrence is replaced with.
inline constexpr std::string_view kMaskText = "***";

/// The immutable automaton built from a set of secrets; shared by all maskers of a TaskRun.
class MaskAutomaton;

/// Streaming secret masker: feed chunks in order, then flush at end of stream.
class SecretMasker {
 public:
  /// Builds the automaton for `secrets` (duplicates and short secrets are fine).
  explicit SecretMasker(const std::vector<std::string>& secrets);

  /// Masks the next chunk; returns what can be emitted now. Holds back at most
  /// (longest pattern - 1) unmasked bytes so a secret split across chunks is still masked.
  std::string feed(std::string_view chunk);
  /// End of stream: returns everything still held, and resets for a new stream.
  std::string flush();

  /// Masks a complete text in one go (notices, messages); does not touch the stream state.
  std::string mask(std::string_view whole) const;
  /// A masker for another stream sharing this one's automaton, with empty stream state.
  SecretMasker fresh() const;

  /// The patterns actually searched for (for tests and diagnostics), sorted, unique.
  std::vector<std::string> patterns() const;
  /// Longest pattern length, 0 without patterns.
  std::size_t longest_pattern() const;
  /// Unmasked bytes currently held back.
  std::size_t held_bytes() const { return raw_.size(); }

 private:
  explicit SecretMasker(std::shared_ptr<const MaskAutomaton> automaton);

  /// A merged masked interval [start, end) of the stream; "***" sits at raw_[raw_pos].
  struct Mask {
    std::uint64_t start = 0, end = 0;
    std::size_t raw_pos = 0;
  };

  void add_match(std::string_view chunk, std::uint64_t base, std::uint64_t start,
                 std::uint64_t end);
  void emit(std::string_view chunk, std::uint64_t base, std::uint64_t safe, std::string& out);

  std::shared_ptr<const MaskAutomaton> automaton_;
  std::uint32_t state_ = 0;
  std::uint64_t total_ = 0;     // stream bytes seen
  std::uint64_t emitted_ = 0;   // stream offset up to which output was produced
  std::uint64_t appended_ = 0;  // stream offset up to which raw_ (plus masks) is filled
  std::string raw_;             // unmasked, unemitted bytes of [emitted_, appended_)
  std::vector<Mask> masks_;     // pending masks inside [emitted_, appended_), sorted, disjoint
};

}  // namespace baton::events
