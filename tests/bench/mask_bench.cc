// Secret masking throughput: SecretMasker over 64 MiB of log text (fed in 64 KiB chunks, as a
// runner delivers it) with 0, 10 and 100 secrets, beside a plain memcpy of the same bytes in the
// same run. The text carries a few occurrences of the first secret so the masking path runs too.
// Usage: mask_bench [MiB]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/events/masker.h"

namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string random_token(std::mt19937_64& rng, std::size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(n, 'x');
  for (char& ch : s) ch = kChars[rng() % (sizeof(kChars) - 1)];
  return s;
}

std::string make_log(std::size_t total, const std::string& secret, std::mt19937_64& rng) {
  std::string log;
  log.reserve(total + 256);
  for (std::size_t n = 0; log.size() < total; ++n) {
    log += "2024-05-01T12:00:00.000Z step build: compiling module ";
    log += std::to_string(n);
    log += n % 1000 == 0 ? " token=" + secret : " cache=hit id=" + random_token(rng, 12);
    log += " warnings=0\n";
  }
  log.resize(total);
  return log;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 64;
  const std::size_t total = mib * 1024 * 1024;
  std::mt19937_64 rng(42);
  std::vector<std::string> secrets;
  for (int i = 0; i < 100; ++i) secrets.push_back(random_token(rng, 16 + rng() % 25));
  const std::string log = make_log(total, secrets[0], rng);
  const double mb = static_cast<double>(total) / 1e6;

  // memcpy of the same bytes, chunk by chunk into a reused buffer.
  std::vector<char> dst(kChunk);
  std::size_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::size_t at = 0; at < log.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, log.size() - at);
    std::memcpy(dst.data(), log.data() + at, n);
    sink += static_cast<unsigned char>(dst[n - 1]);
  }
  const double copy_s = seconds_since(start);
  std::printf("mask_bench: %zu MiB of log text, %zu KiB chunks\n", mib, kChunk / 1024);
  std::printf("  %-22s %9.1f MB/s\n", "memcpy", mb / copy_s);

  for (std::size_t count : {0, 10, 100}) {
    const std::vector<std::string> some(secrets.begin(),
                                        secrets.begin() + static_cast<std::ptrdiff_t>(count));
    baton::events::SecretMasker masker(some);
    std::size_t out_bytes = 0;
    start = std::chrono::steady_clock::now();
    for (std::size_t at = 0; at < log.size(); at += kChunk) {
      out_bytes += masker.feed(std::string_view(log).substr(at, kChunk)).size();
    }
    out_bytes += masker.flush().size();
    const double s = seconds_since(start);
    std::printf("  %3zu secrets (%3zu pats) %9.1f MB/s  (%.2fx memcpy time, out %zu bytes)\n",
                count, masker.patterns().size(), mb / s, s / copy_s, out_bytes);
  }
  return sink == 0 ? 1 : 0;  // keeps the copy loop from being optimized away
}
