#include "engine/store/ids.h"

#include <unistd.h>

#include <mutex>
#include <random>

namespace baton::store {

std::string new_id(std::string_view prefix, std::int64_t now_ms) {
  static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  static std::mutex mu;
  static std::mt19937_64 rng;
  static pid_t seeded_for = -1;
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    // Seed from several random_device draws (one 32-bit seed makes collisions likely across
    // processes), and again after fork so a child never repeats its parent's ids.
    if (seeded_for != getpid()) {
      std::random_device rd;
      std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
      rng.seed(seq);
      seeded_for = getpid();
    }
    hi = rng();
    lo = rng();
  }
  std::string out(prefix);
  out += '-';
  const auto ms = static_cast<std::uint64_t>(now_ms < 0 ? 0 : now_ms);
  for (int i = 9; i >= 0; --i) out += kAlphabet[(ms >> (5 * i)) & 31U];
  // 80 random bits: 64 from `hi`, 16 from `lo`.
  for (int i = 0; i < 16; ++i) {
    const std::uint64_t bits = i < 12 ? (hi >> (5 * i)) : (lo >> (5 * (i - 12)));
    out += kAlphabet[bits & 31U];
  }
  return out;
}

}  // namespace baton::store
