#pragma once
// Test helpers: a mkdtemp directory removed afterwards, and a store with a settable clock.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/store/run_store.h"

namespace baton::store::testing {

/// A fresh temporary directory, deleted with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "baton-store-XXXXXX").string();
    const char* made = mkdtemp(tmpl.data());
    if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Base fixture: a store at a temp path whose clock reads `clock_`.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store(); }

  std::unique_ptr<RunStore> open_store() {
    RunStoreOptions options;
    options.clock_ms = [this] { return clock_.load(); };
    auto store = RunStore::open(path_, options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  RunRecord make_run(const std::string& pipeline = "build") {
    NewRun r;
    r.name = pipeline + "-run";
    r.pipeline = pipeline;
    auto run = store_->create_run(r);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    return run.ok() ? *run : RunRecord{};
  }

  TaskRunRecord start_task(const std::string& run_id, const std::string& task = "compile",
                           int attempt = 0) {
    NewTaskRun t;
    t.run_id = run_id;
    t.pipeline_task = task;
    t.name = run_id + "-" + task;
    t.attempt = attempt;
    auto tr = store_->start_task_run(t);
    EXPECT_TRUE(tr.ok()) << (tr.ok() ? "" : tr.error().message);
    return tr.ok() ? *tr : TaskRunRecord{};
  }

  TempDir dir_;
  std::string path_ = dir_.file("runs.db");
  std::atomic<std::int64_t> clock_{1'700'000'000'000};
  std::unique_ptr<RunStore> store_;
};

/// The message of a failed Result, or "" on success.
template <typename R>
std::string error_of(const R& r) {
  return r.ok() ? std::string() : r.error().message;
}

}  // namespace baton::store::testing
