#include "runners/podman/podman_cli.h"

#include <mutex>

#include "runners/host/process_set.h"
#include "runners/host/subprocess.h"

extern char** environ;

namespace baton::runners {
namespace {

// Collects a command's output instead of forwarding it to a run's log.
class CaptureSink final : public exec::LogSink {
 public:
  void on_output(std::size_t, exec::Stream s, std::string_view bytes) override {
    std::lock_guard lock(mu_);
    (s == exec::Stream::kStdout ? out_ : err_).append(bytes);
  }
  void on_step_started(std::size_t, const std::string&) override {}
  void on_step_finished(std::size_t, const exec::StepOutcome&) override {}
  void on_notice(std::string_view) override {}
  std::string out_, err_;

 private:
  std::mutex mu_;
};

}  // namespace

std::vector<std::string> engine_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  return env;
}

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end - start + 1);
}

Result<CliOutput> run_cli(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CaptureSink sink;
  CliOutput result;
  {
    ProcessSet procs(sink);
    if (auto s = procs.init(); !s) return s.error();
    SpawnSpec spec;
    spec.argv = argv;
    spec.env = engine_environment();
    auto sp = Subprocess::spawn(spec);
    if (!sp) return Fail(argv.at(0) + ": " + sp.error().message);
    auto owned = std::make_unique<Proc>();
    owned->sp = std::move(sp).value();
    Proc& proc = procs.add(std::move(owned));
    const auto deadline = SteadyClock::now() + timeout;
    while (!proc.exited() && SteadyClock::now() < deadline) procs.pump_once(deadline);
    if (!proc.exited()) {
      result.timed_out = true;
      procs.terminate({&proc}, std::chrono::milliseconds(1000));
    }
    procs.finish(proc);
    result.exit_code = proc.sp->exit_code().value_or(-1);
    procs.remove(proc);
  }
  result.out = std::move(sink.out_);
  result.err = std::move(sink.err_);
  return result;
}

}  // namespace baton::runners
