// Reconciler table, end-of-run part: finally tasks, cancel modes and timeouts. Each case draws
// its DAG; `a -> b` means b runs after a, `a =r=> b` means b reads a's result r. Task `t` is
// shared (see case_yaml).

#include <gtest/gtest.h>

#include "tests/sched/script.h"

namespace baton::sched::testing {
namespace {

// a -> b      finally: f      (the shape most stop cases interrupt)
const std::string kAThenBFinally = R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    finally:
    - {name: f, taskRef: {name: t}}
)y";

const std::vector<Case>& stop_cases() {
  static const std::vector<Case> kCases = {
      // a        b[when: false]
      // finally: f1[when: tasks.a.status in (Succeeded)]     runs
      //          f2[when: tasks.status in (Completed)]       runs
      //          f3[when: tasks.b.status in (Succeeded)]     skipped (b is None)
      //          f4 =r=> b                                   skipped (no result)
      {"finally runs after the DAG and sees task and aggregate statuses",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, when: [{input: x, operator: in, values: [y]}]}
    finally:
    - {name: f1, taskRef: {name: t}, when: [{input: "$(tasks.a.status)", operator: in, values: [Succeeded]}]}
    - {name: f2, taskRef: {name: t}, when: [{input: "$(tasks.status)", operator: in, values: [Completed]}]}
    - {name: f3, taskRef: {name: t}, when: [{input: "$(tasks.b.status)", operator: in, values: [Succeeded]}]}
    - {name: f4, taskRef: {name: t}, params: [{name: x, value: "$(tasks.b.results.r)"}]}
)y",
       {running("a"), ok("a"), running("f1 f2"), ok("f1"), ok("f2")},
       {{"a", "Succeeded"},
        {"b", "Skipped: When Expressions evaluated to false"},
        {"f1", "Succeeded"},
        {"f2", "Succeeded"},
        {"f3", "Skipped: When Expressions evaluated to false"},
        {"f4", "Skipped: Results were missing"}},
       "Completed",
       done(3, 0, 0, 3)},
      // a (fails)
      // finally: f1[when: tasks.a.status in (Failed)]  f2[when: tasks.status in (Failed)]
      //          f3 =r=> a                            skipped: a failed, no result
      {"finally after a failure sees Failed and misses the failed task's results",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    finally:
    - {name: f1, taskRef: {name: t}, when: [{input: "$(tasks.a.status)", operator: in, values: [Failed]}]}
    - {name: f2, taskRef: {name: t}, when: [{input: "$(tasks.status)", operator: in, values: [Failed]}]}
    - {name: f3, taskRef: {name: t}, params: [{name: x, value: "$(tasks.a.results.r)"}]}
)y",
       {fail("a", {{"r", "written-before-failing"}}), running("f1 f2"), ok("f1"), ok("f2")},
       {{"a", "Failed: Failed"},
        {"f1", "Succeeded"},
        {"f2", "Succeeded"},
        {"f3", "Skipped: Results were missing"}},
       "Failed",
       done(3, 1, 0, 1)},
      // a        finally: fm[matrix x: items[*] = ()]
      {"an empty matrix array skips a finally task too",
       R"y(  params: [{name: items, value: []}]
  pipelineSpec:
    params: [{name: items, type: array}]
    tasks:
    - {name: a, taskRef: {name: t}}
    finally:
    - name: fm
      taskRef: {name: t}
      matrix: {params: [{name: x, value: ["$(params.items[*])"]}]}
)y",
       {ok("a")},
       {{"a", "Succeeded"}, {"fm", "Skipped: Matrix Parameters have an empty array"}},
       "Completed",
       done(1, 0, 0, 1)},
      // a        finally: f (fails)
      {"a failing finally task fails the run",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    finally:
    - {name: f, taskRef: {name: t}}
)y",
       {ok("a"), running("f"), fail("f")},
       {{"a", "Succeeded"}, {"f", "Failed: Failed"}},
       "Failed",
       done(2, 1, 0, 0)},
      // a -> c     cancel while a and b run: both cancelled, c skipped, finally not run
      // b          finally: f
      {"Cancelled cancels running tasks and skips the rest, finally included",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}}
    - {name: c, taskRef: {name: t}, runAfter: [a]}
    finally:
    - {name: f, taskRef: {name: t}}
)y",
       {running("a b"), stop(StopRequest::kCancelled), running("")},
       {{"a", "Cancelled"},
        {"b", "Cancelled"},
        {"c", "Skipped: PipelineRun was stopping"},
        {"f", "Skipped: PipelineRun was stopping"}},
       "Cancelled",
       "PipelineRun \"pr\" was cancelled"},
      // a -> c     a failed before the cancel: a hard cancel still reads "Cancelled"
      // b
      {"Cancelled after a failure is still Cancelled",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}}
    - {name: c, taskRef: {name: t}, runAfter: [a]}
)y",
       {fail("a"), running("b"), stop(StopRequest::kCancelled)},
       {{"a", "Failed: Failed"}, {"b", "Cancelled"}, {"c", "Skipped: PipelineRun was stopping"}},
       "Cancelled",
       "PipelineRun \"pr\" was cancelled"},
      // a -> b     graceful cancel while a runs: a cancelled, b skipped, finally runs
      // finally: f
      {"CancelledRunFinally cancels the DAG and runs finally",
       kAThenBFinally,
       {stop(StopRequest::kCancelledRunFinally), running("f"), ok("f")},
       {{"a", "Cancelled"},
        {"b", "Skipped: PipelineRun was gracefully cancelled"},
        {"f", "Succeeded"}},
       "Cancelled",
       "PipelineRun \"pr\" was cancelled"},
      // a -> b     graceful stop: a and c finish, b never starts, finally runs
      // c
      // finally: f
      {"StoppedRunFinally lets running tasks finish, starts nothing new, runs finally",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    - {name: c, taskRef: {name: t}}
    finally:
    - {name: f, taskRef: {name: t}}
)y",
       {stop(StopRequest::kStoppedRunFinally), running("a c"), ok("a"), running("c"), ok("c"),
        running("f"), ok("f")},
       {{"a", "Succeeded"},
        {"b", "Skipped: PipelineRun was gracefully stopped"},
        {"c", "Succeeded"},
        {"f", "Succeeded"}},
       "Cancelled",
       "PipelineRun \"pr\" was cancelled"},
      // a -> b     the pipeline timeout (default 1h) fires while a runs
      // finally: f
      {"pipeline timeout cancels everything and skips the rest",
       kAThenBFinally,
       {timeout_pipeline()},
       {{"a", "Cancelled"},
        {"b", "Skipped: PipelineRun timeout has been reached"},
        {"f", "Skipped: PipelineRun timeout has been reached"}},
       "PipelineRunTimeout",
       "PipelineRun \"pr\" failed to finish within \"1h0m0s\""},
      // a -> b     the tasks timeout (30m) fires while a runs; finally still runs
      // finally: f
      {"tasks timeout cancels the DAG, runs finally, and times the run out",
       "  timeouts: {pipeline: 2h, tasks: 30m}\n" + kAThenBFinally,
       {timeout_tasks(), running("f"), ok("f")},
       {{"a", "Cancelled"},
        {"b", "Skipped: PipelineRun Tasks timeout has been reached"},
        {"f", "Succeeded"}},
       "PipelineRunTimeout",
       "PipelineRun \"pr\" failed due to tasks failed to finish within \"30m0s\""},
      // a          finally: f1 (done), f2 (running when the finally timeout fires)
      {"finally timeout cancels running finally tasks and fails the run",
       R"y(  timeouts: {pipeline: 2h, finally: 10m}
  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    finally:
    - {name: f1, taskRef: {name: t}}
    - {name: f2, taskRef: {name: t}}
)y",
       {ok("a"), ok("f1"), running("f2"), timeout_finally()},
       {{"a", "Succeeded"}, {"f1", "Succeeded"}, {"f2", "Cancelled"}},
       "Failed",
       done(3, 1, 0, 0)},
  };
  return kCases;
}

class ReconcilerStop : public ::testing::TestWithParam<Case> {};

TEST_P(ReconcilerStop, Plays) { run_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Table, ReconcilerStop, ::testing::ValuesIn(stop_cases()),
                         [](const auto& row) { return "case" + std::to_string(row.index); });

}  // namespace
}  // namespace baton::sched::testing
