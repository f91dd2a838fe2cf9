// A dependency-free unit test: `greeting_test CASE` exits 0 when CASE holds.
#include "greeting.h"

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  bool ok = false;
  if (std::strcmp(argv[1], "hello") == 0) ok = greeting("") == "hello, world";
  if (std::strcmp(argv[1], "name") == 0) ok = greeting("baton") == "hello, baton";
  std::printf("%s: %s\n", argv[1], ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
