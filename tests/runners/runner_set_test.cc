// RunnerSet: dispatch by TaskInvocation::runner, the default, unknown names and factories that
// fail, each ending the attempt with exactly one on_done instead of crashing.
#include "runners/runner_set.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runners/standard_runners.h"
#include "tests/runners/recording_sink.h"

namespace baton::runners {
namespace {

using namespace baton::runners::testing;

// Ends every attempt at once, succeeded, and remembers which runner got it.
class NamedRunner : public exec::Runner {
 public:
  NamedRunner(std::string name, std::vector<std::string>* log)
      : name_(std::move(name)), log_(log) {}
  std::unique_ptr<exec::Execution> start(const exec::TaskInvocation& inv, exec::LogSink&,
                                         std::function<void(exec::TaskOutcome)> on_done) override {
    log_->push_back(name_ + ":" + inv.task_run_name);
    exec::TaskOutcome o;
    o.succeeded = true;
    o.reason = "Succeeded";
    on_done(o);
    return nullptr;
  }
  const char* name() const override { return name_.c_str(); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

exec::TaskInvocation inv(const std::string& name, const std::string& runner) {
  exec::TaskInvocation i;
  i.task_run_name = name;
  i.runner = runner;
  i.steps.push_back(script_step("s", "true"));
  return i;
}

TEST(RunnerSetTest, DispatchesByNameAndFallsBackToTheDefault) {
  std::vector<std::string> log;
  RunnerSet set("one");
  set.add("one", std::make_unique<NamedRunner>("one", &log));
  int built = 0;
  set.add("two", [&]() -> Result<std::unique_ptr<exec::Runner>> {
    ++built;
    return std::unique_ptr<exec::Runner>(std::make_unique<NamedRunner>("two", &log));
  });
  RecordingSink sink;
  EXPECT_EQ(built, 0);  // lazily: a runner nobody uses is never set up
  for (auto [name, runner] : {std::pair{"a", ""}, {"b", "two"}, {"c", "one"}, {"d", "two"}}) {
    DoneWaiter done;
    set.start(inv(name, runner), sink, done.callback());
    ASSERT_TRUE(done.wait(1s));
  }
  EXPECT_EQ(built, 1);
  EXPECT_EQ(log, (std::vector<std::string>{"one:a", "two:b", "one:c", "two:d"}));
  EXPECT_EQ(set.names(), (std::vector<std::string>{"one", "two"}));
}

TEST(RunnerSetTest, UnknownRunnerFailsTheAttemptNamingTheChoices) {
  std::vector<std::string> log;
  RunnerSet set("one");
  set.add("one", std::make_unique<NamedRunner>("one", &log));
  set.add("two", std::make_unique<NamedRunner>("two", &log));
  RecordingSink sink;
  DoneWaiter done;
  auto exec = set.start(inv("x", "kubernetess"), sink, done.callback());
  ASSERT_NE(exec, nullptr);
  exec->cancel(false);  // harmless on an attempt that already ended
  auto out = done.wait(1s);
  ASSERT_TRUE(out);
  EXPECT_EQ(done.calls(), 1);
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, "InternalError");
  EXPECT_NE(out->message.find("unknown runner \"kubernetess\""), std::string::npos) << out->message;
  EXPECT_NE(out->message.find("one, two"), std::string::npos) << out->message;
  ASSERT_EQ(out->steps.size(), 1u);
  EXPECT_EQ(out->steps[0].reason, "Skipped");
  EXPECT_EQ(sink.finished().size(), 1u);
  EXPECT_TRUE(log.empty());
}

TEST(RunnerSetTest, RunnerThatCannotBeSetUpFailsEachAttemptWithItsReason) {
  RunnerSet set("broken");
  int tries = 0;
  set.add("broken", [&]() -> Result<std::unique_ptr<exec::Runner>> {
    ++tries;
    return Fail("podman is not installed");
  });
  RecordingSink sink;
  for (int i = 0; i < 2; ++i) {
    DoneWaiter done;
    set.start(inv("x", ""), sink, done.callback());
    auto out = done.wait(1s);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->reason, "InternalError");
    EXPECT_NE(out->message.find("podman is not installed"), std::string::npos) << out->message;
  }
  EXPECT_EQ(tries, 1);  // not retried per attempt
}

TEST(RunnerSetTest, StandardSetKnowsEveryRunnerNameAndRejectsAnUnknownDefault) {
  RunnersConfig config;
  auto set = make_runner_set(config);
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto known = exec::known_runner_names();
  std::sort(known.begin(), known.end());
  EXPECT_EQ((*set)->names(), known);
  EXPECT_EQ((*set)->default_name(), "host");
  config.default_runner = "docker";
  auto bad = make_runner_set(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("host, podman"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace baton::runners
