#include "engine/sched/process_recorder.h"

namespace baton::sched {

void ProcessRecordingSink::on_process_started(std::size_t index, const exec::ProcessIdentity& id) {
  store::ProcessRecord r;
  r.task_run_id = task_run_id_;
  r.index = static_cast<int>(index);
  r.pid = id.pid;
  r.pgid = id.pgid;
  r.start_time = static_cast<std::int64_t>(id.start_time);
  r.boot_id = id.boot_id;
  // A step that cannot be recorded still runs; only a crash of this engine would leave it
  // running unseen, so say so instead of failing the step.
  if (auto s = store_.record_process(r); !s.ok()) {
    inner_.on_notice("run store: cannot record the process of step " + std::to_string(index) +
                     " for crash recovery: " + s.error().message);
  }
  inner_.on_process_started(index, id);
}

}  // namespace baton::sched
