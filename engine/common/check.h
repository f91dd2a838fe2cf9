#pragma once
// BATON_CHECK: for programmer errors only (broken invariants). Expected failures use Result<T>.

#include <string_view>

namespace baton::detail {
[[noreturn]] void check_failed(const char* file, int line, const char* expr, std::string_view msg);
}  // namespace baton::detail

#define BATON_CHECK(cond, msg)                                                    \
  do {                                                                            \
    if (!(cond)) ::baton::detail::check_failed(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)
