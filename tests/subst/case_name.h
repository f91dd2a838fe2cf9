#pragma once
// Readable names for parameterized cases whose param has a string `input`.

#include <string>

namespace baton::subst::test_support {

/// The case index plus the input's alphanumerics, so ctest lists which input failed.
template <typename Info>
std::string case_name(const Info& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char ch : info.param.input) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
      name += ch;
  }
  return name.substr(0, 60);
}

}  // namespace baton::subst::test_support
