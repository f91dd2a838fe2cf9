#pragma once
// Sortable unique ids: a prefix, 10 Crockford base32 characters of milliseconds, 16 of randomness
// (a ULID), so ids created later sort later and two processes never collide in practice.

#include <cstdint>
#include <string>
#include <string_view>

namespace baton::store {

/// "<prefix>-<ulid>" for the given time in ms since the epoch, lowercase.
std::string new_id(std::string_view prefix, std::int64_t now_ms);

}  // namespace baton::store
