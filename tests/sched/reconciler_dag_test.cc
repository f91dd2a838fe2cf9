// Reconciler table, DAG part: order, `when`, failures, onError, result references, matrix and
// unresolvable tasks. Each case draws its DAG; `a -> b` means b runs after a, `a =r=> b` means
// b reads a's result r, `[when: …]` guards a task. Task `t` is shared (see case_yaml).

#include <gtest/gtest.h>

#include "tests/sched/script.h"

namespace baton::sched::testing {
namespace {

const std::vector<Case>& dag_cases() {
  static const std::vector<Case> kCases = {
      // a -> b -> c
      {"chain runs one task at a time",
       R"y(  pipelineSpec:
    tasks:
    - {name: c, taskRef: {name: t}, runAfter: [b]}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    - {name: a, taskRef: {name: t}}
)y",
       {running("a"), ok("a"), running("b"), ok("b"), running("c"), ok("c")},
       {{"a", "Succeeded"}, {"b", "Succeeded"}, {"c", "Succeeded"}},
       "Succeeded",
       done(3, 0, 0, 0)},
      //     a
      //    / \      .
      //   b   c
      //    \ /
      //     d
      {"diamond joins after both branches",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    - {name: c, taskRef: {name: t}, runAfter: [a]}
    - {name: d, taskRef: {name: t}, runAfter: [b, c]}
)y",
       {running("a"), ok("a"), running("b c"), ok("b"), running("c"), ok("c"), running("d"),
        ok("d")},
       {{"a", "Succeeded"}, {"b", "Succeeded"}, {"c", "Succeeded"}, {"d", "Succeeded"}},
       "Succeeded",
       done(4, 0, 0, 0)},
      //        a
      //      / | \     .
      //     b  c  d
      //      \ | /      e reads r of b, c and d (result edges only, no runAfter)
      //        e
      {"fan-out then fan-in through results",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    - {name: c, taskRef: {name: t}, runAfter: [a]}
    - {name: d, taskRef: {name: t}, runAfter: [a]}
    - name: e
      taskRef: {name: t}
      params: [{name: x, value: "$(tasks.b.results.r)$(tasks.c.results.r)$(tasks.d.results.r)"}]
)y",
       {running("a"), ok("a"), running("b c d"), ok("d", {{"r", "3"}}), ok("b", {{"r", "1"}}),
        running("c"), ok("c", {{"r", "2"}}), running("e"), ok("e")},
       {{"a", "Succeeded"},
        {"b", "Succeeded"},
        {"c", "Succeeded"},
        {"d", "Succeeded"},
        {"e", "Succeeded"}},
       "Succeeded",
       done(5, 0, 0, 0)},
      // a1 -> a2
      // b1 -> b2      two independent branches start together and advance separately
      {"parallel branches start together",
       R"y(  pipelineSpec:
    tasks:
    - {name: a1, taskRef: {name: t}}
    - {name: a2, taskRef: {name: t}, runAfter: [a1]}
    - {name: b1, taskRef: {name: t}}
    - {name: b2, taskRef: {name: t}, runAfter: [b1]}
)y",
       {running("a1 b1"), ok("b1"), running("a1 b2"), ok("a1"), running("a2 b2"), ok("b2"),
        ok("a2")},
       {{"a1", "Succeeded"}, {"a2", "Succeeded"}, {"b1", "Succeeded"}, {"b2", "Succeeded"}},
       "Succeeded",
       done(4, 0, 0, 0)},
      // guarded[when: mode in (prod)] -> after
      // guarded =r=> consumer -> grandchild
      // listed[when: "prod" in envs[*]]
      {"false when skips the task and its result consumers, not runAfter children",
       R"y(  params: [{name: mode, value: dev}, {name: envs, value: [dev, prod]}]
  pipelineSpec:
    params: [{name: mode, type: string}, {name: envs, type: array}]
    tasks:
    - name: guarded
      taskRef: {name: t}
      when: [{input: "$(params.mode)", operator: in, values: [prod]}]
    - {name: after, taskRef: {name: t}, runAfter: [guarded]}
    - {name: consumer, taskRef: {name: t}, params: [{name: x, value: "$(tasks.guarded.results.r)"}]}
    - {name: grandchild, taskRef: {name: t}, runAfter: [consumer]}
    - name: listed
      taskRef: {name: t}
      when: [{input: prod, operator: in, values: ["$(params.envs[*])"]}]
)y",
       {running("after listed"), ok("after"), ok("listed")},
       {{"guarded", "Skipped: When Expressions evaluated to false"},
        {"after", "Succeeded"},
        {"consumer", "Skipped: Results were missing"},
        {"grandchild", "Skipped: Parent Tasks were skipped"},
        {"listed", "Succeeded"}},
       "Completed",
       done(2, 0, 0, 3)},
      // a =r=> no[when: r notin (skip)]
      // a =r=> yes[when: r in (skip)]
      {"when on a result: notin skips, in runs",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - name: no
      taskRef: {name: t}
      when: [{input: "$(tasks.a.results.r)", operator: notin, values: [skip]}]
    - name: yes
      taskRef: {name: t}
      when: [{input: "$(tasks.a.results.r)", operator: in, values: [skip]}]
)y",
       {running("a"), ok("a", {{"r", "skip"}}), running("yes"), ok("yes")},
       {{"a", "Succeeded"},
        {"no", "Skipped: When Expressions evaluated to false"},
        {"yes", "Succeeded"}},
       "Completed",
       done(2, 0, 0, 1)},
      // a -> b        a fails while c runs: b and d are skipped, c is not cancelled,
      // c -> d        the finally task still runs
      // finally: f
      {"a failure stops the run but lets siblings and finally finish",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
    - {name: c, taskRef: {name: t}}
    - {name: d, taskRef: {name: t}, runAfter: [c]}
    finally:
    - {name: f, taskRef: {name: t}}
)y",
       {running("a c"), fail("a"), running("c"), ok("c"), running("f"), ok("f")},
       {{"a", "Failed: Failed"},
        {"b", "Skipped: PipelineRun was stopping"},
        {"c", "Succeeded"},
        {"d", "Skipped: PipelineRun was stopping"},
        {"f", "Succeeded"}},
       "Failed",
       done(3, 1, 0, 2)},
      // a[onError: continue] -> b
      {"onError continue ignores the failure",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}, onError: continue}
    - {name: b, taskRef: {name: t}, runAfter: [a]}
)y",
       {fail("a"), running("b"), ok("b")},
       {{"a", "Failed: Failed"}, {"b", "Succeeded"}},
       "Succeeded",
       "Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0"},
      // a[onError: continue] =r=> got           a wrote r before failing: got runs
      // a[onError: continue] =s=> lost[continue] s never written: lost is skipped
      {"results of an ignored failure reach consumers; missing ones skip onError-continue "
       "consumers",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}, onError: continue}
    - {name: got, taskRef: {name: t}, params: [{name: x, value: "$(tasks.a.results.r)"}]}
    - name: lost
      taskRef: {name: t}
      onError: continue
      params: [{name: x, value: "$(tasks.a.results.s)"}]
)y",
       {fail("a", {{"r", "partial"}}), running("got"), ok("got")},
       {{"a", "Failed: Failed"}, {"got", "Succeeded"}, {"lost", "Skipped: Results were missing"}},
       "Completed",
       "Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 1"},
      // a =r=> b -> c     a succeeds without writing r
      {"a missing result of a succeeded task fails its consumer",
       R"y(  pipelineSpec:
    tasks:
    - {name: a, taskRef: {name: t}}
    - {name: b, taskRef: {name: t}, params: [{name: x, value: "$(tasks.a.results.r)"}]}
    - {name: c, taskRef: {name: t}, runAfter: [b]}
)y",
       {ok("a")},
       {{"a", "Succeeded"},
        {"b", "Failed: InvalidTaskResultReference"},
        {"c", "Skipped: PipelineRun was stopping"}},
       "Failed",
       done(2, 1, 0, 1)},
      // m[matrix x: items[*] = ()] -> after
      {"an empty matrix array skips the task, and its children as parent-skipped",
       R"y(  params: [{name: items, value: []}]
  pipelineSpec:
    params: [{name: items, type: array}]
    tasks:
    - name: m
      taskRef: {name: t}
      matrix: {params: [{name: x, value: ["$(params.items[*])"]}]}
    - {name: after, taskRef: {name: t}, runAfter: [m]}
)y",
       {},
       {{"m", "Skipped: Matrix Parameters have an empty array"},
        {"after", "Skipped: Parent Tasks were skipped"}},
       "Completed",
       done(0, 0, 0, 2)},
      // w[when: false] =r=> c      c has a parent skipped by when (whose result it reads) and a
      // m[empty matrix] -> c       parent skipped otherwise: the parent skip wins, as in Tekton
      {"parent-skipped is checked before missing results",
       R"y(  params: [{name: items, value: []}]
  pipelineSpec:
    params: [{name: items, type: array}]
    tasks:
    - {name: w, taskRef: {name: t}, when: [{input: a, operator: in, values: [b]}]}
    - name: m
      taskRef: {name: t}
      matrix: {params: [{name: x, value: ["$(params.items[*])"]}]}
    - {name: c, taskRef: {name: t}, runAfter: [m], params: [{name: x, value: "$(tasks.w.results.r)"}]}
)y",
       {},
       {{"w", "Skipped: When Expressions evaluated to false"},
        {"m", "Skipped: Matrix Parameters have an empty array"},
        {"c", "Skipped: Parent Tasks were skipped"}},
       "Completed",
       done(0, 0, 0, 3)},
      // missing -> b      `missing` refers to a Task nobody defined
      {"an unresolvable taskRef fails the task when it would start",
       R"y(  pipelineSpec:
    tasks:
    - {name: missing, taskRef: {name: nowhere}}
    - {name: b, taskRef: {name: t}, runAfter: [missing]}
)y",
       {},
       {{"missing", "Failed: CouldntGetTask"}, {"b", "Skipped: PipelineRun was stopping"}},
       "Failed",
       done(1, 1, 0, 1)},
  };
  return kCases;
}

class ReconcilerDag : public ::testing::TestWithParam<Case> {};

TEST_P(ReconcilerDag, Plays) { run_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Table, ReconcilerDag, ::testing::ValuesIn(dag_cases()),
                         [](const auto& row) { return "case" + std::to_string(row.index); });

}  // namespace
}  // namespace baton::sched::testing
