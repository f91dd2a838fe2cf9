#pragma once
// Hostile YAML inputs, shared by the hostile-input test (asserts the errors) and the benchmark
// (prints time and memory per input).

#include <string>
#include <vector>

namespace baton::testing {

/// One hostile input and the error the loader must give for it.
struct HostileInput {
  std::string name;
  std::string text;
  std::string expected_error;  // a substring of the first diagnostic's text
};

/// All hostile inputs. The 100 MB scalar is included; generating it takes ~100 MB.
std::vector<HostileInput> hostile_inputs();

}  // namespace baton::testing
