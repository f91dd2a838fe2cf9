#pragma once
// Tekton `$(…)` substitution: one pass, left to right, no recursion (a substituted value is
// never scanned again), no escaping. References the Context does not know stay literal.

#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/param.h"
#include "engine/subst/context.h"

namespace baton::subst {

/// Substitutes every reference in `s`. A whole array or object in string position is an error.
Result<std::string> substitute_string(std::string_view s, const Context& ctx);

/// Substitutes a list (args, command, when values, array params): an item that is exactly one
/// array reference (`$(params.a[*])` or `$(params.a)`) expands into that array's items in place.
Result<std::vector<std::string>> substitute_array(const std::vector<std::string>& items,
                                                  const Context& ctx);

/// Substitutes a param value passed on: a string that is exactly one array or object reference
/// becomes that array or object; arrays expand as in substitute_array; objects per key.
Result<model::ParamValue> substitute_value(const model::ParamValue& v, const Context& ctx);

}  // namespace baton::subst
