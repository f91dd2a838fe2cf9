#pragma once
// Request-target parsing. Paths are decoded per segment and refused (400) when decoding would
// let a request reach a route other than the one its raw bytes name:
//  - a dot-segment ("." or "..", also when percent-encoded): "/runs/1/../2/retry" is refused
//    rather than normalised to "/runs/2/retry";
//  - an encoded slash ("%2F") or backslash ("%5C") inside a segment;
//  - a malformed escape ("%G1", "%4") or an encoded NUL.
// Only origin-form targets ("/path?query") are accepted; absolute-form and "*" are refused.

#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace baton::api {

/// A request-target split into its decoded path and raw query.
struct ParsedTarget {
  std::string path;   // decoded
  std::string query;  // raw, without '?'
};

/// Splits and decodes `target`; an Error (code "bad_target") says why it was refused.
Result<ParsedTarget> parse_target(std::string_view target);

/// ASCII case-insensitive equality (header names).
bool iequals(std::string_view a, std::string_view b);

}  // namespace baton::api
