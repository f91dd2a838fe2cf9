#include "engine/common/check.h"

#include <cstdio>
#include <cstdlib>

namespace baton::detail {
void check_failed(const char* file, int line, const char* expr, std::string_view msg) {
  std::fprintf(stderr, "%s:%d: BATON_CHECK(%s) failed: %.*s\n", file, line, expr,
               static_cast<int>(msg.size()), msg.data());
  std::abort();
}
}  // namespace baton::detail
