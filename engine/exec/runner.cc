#include "engine/exec/runner.h"

namespace baton::exec {
const char* to_string(Stream s) { return s == Stream::kStdout ? "stdout" : "stderr"; }
}  // namespace baton::exec
