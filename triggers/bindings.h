#pragma once
// TriggerBinding values: `$(body.a.b)`, `$(body.a[0])`, `$(body)`, `$(header.X-Name)`,
// `$(header)`, `$(extensions.x)`, `$(context.eventID)`, mixed with literal text.

#include <cstddef>
#include <string>
#include <string_view>

namespace baton::triggers {

/// Checks the syntax of every `$(...)` of a binding value. Returns "" when valid, else the reason,
/// with `*offset` set to the byte offset of the bad expression in `value`.
std::string check_binding_value(std::string_view value, std::size_t* offset);

}  // namespace baton::triggers
