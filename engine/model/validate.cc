#include "engine/model/validate.h"

namespace baton::model {
// Placeholder until validation rules land in this file's siblings (validate_*.cc).
Diagnostics validate(const ObjectSet&, const ValidationLimits&) { return {}; }
}  // namespace baton::model
