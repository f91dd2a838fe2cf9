// libFuzzer target: arbitrary bytes through the YAML loader and validation. Any crash, hang,
// sanitizer report or leak is a bug; errors are the expected outcome for most inputs.

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/model/validate.h"
#include "engine/spec/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  baton::spec::LoadOutput out = baton::spec::load_text(text, "fuzz.yaml");
  baton::Diagnostics d = baton::model::validate(out.objects);
  for (const auto& e : out.errors) (void)e.to_string();
  for (const auto& e : d) (void)e.to_string();
  return 0;
}
