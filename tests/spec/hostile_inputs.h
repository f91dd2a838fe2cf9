#pragma once
// Hostile YAML inputs, shared by the hostile-input test (asserts the errors) and the benchmark
// (prints time and memory per input).

#include <functional>
#include <string>
#include <vector>

namespace baton::testing {

/// One hostile input and the error the loader must give for it.
struct HostileInput {
  std::string name;
  std::function<std::string()> make;  // generated on demand: one is 100 MB
  std::string expected_error;         // a substring of the first diagnostic's text
};

/// All hostile inputs, as generators.
std::vector<HostileInput> hostile_inputs();

}  // namespace baton::testing
