#pragma once
// `--output yaml|json` of baton run.

#include <string>

#include "engine/sched/plan.h"
#include "engine/sched/report.h"

namespace baton::cmd {

/// The run as a Tekton object with status, in `format` (yaml: a `---`-led document).
std::string render_status(const sched::RunPlan& plan, const sched::RunReport& report,
                          const std::string& format);

}  // namespace baton::cmd
