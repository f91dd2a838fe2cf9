#include "engine/cmd/status_output.h"

#include "engine/sched/status.h"
#include "engine/spec/yaml_emit.h"

namespace baton::cmd {

std::string render_status(const sched::RunPlan& plan, const sched::RunReport& report,
                          const std::string& format) {
  nlohmann::json obj = sched::run_status_object(plan, report);
  if (format == "json") return obj.dump(2) + "\n";
  return "---\n" + spec::to_yaml(obj);
}

}  // namespace baton::cmd
