// Log storage throughput: appending N MB (default 100) of log lines to SQLite through
// RunStore::append_logs, one 64 KiB chunk per transaction, versus write(2) of the same chunks to
// a plain file. Neither side fsyncs per chunk (the store runs synchronous=NORMAL in WAL mode, where
// commits are not synced; the file is left to the page cache), so the figures compare the write
// paths, not the disk. Usage: store_bench [MB] [dir]
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/store/run_store.h"

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// 64 KiB chunks of realistic log lines, cut at line ends.
std::vector<std::string> make_chunks(std::size_t total) {
  std::vector<std::string> chunks;
  std::string cur;
  std::size_t made = 0;
  for (std::size_t n = 0; made < total; ++n) {
    std::string line = "2024-05-01T12:00:00.000Z step build: compiling module " +
                       std::to_string(n) + " of the project, warnings=0 cache=hit\n";
    if (cur.size() + line.size() > kChunk) {
      made += cur.size();
      chunks.push_back(std::move(cur));
      cur.clear();
    }
    cur += line;
  }
  return chunks;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int fail(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mb = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100;
  std::string dir;
  if (argc > 2) {
    dir = argv[2];
  } else {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "baton-store-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      return fail(std::string("mkdtemp: ") + std::strerror(errno));
    dir = tmpl;
  }
  const auto chunks = make_chunks(mb * 1024 * 1024);
  std::size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  const double total_mb = static_cast<double>(bytes) / (1024.0 * 1024.0);

  // SQLite through the store.
  auto store = baton::store::RunStore::open(dir + "/bench.db");
  if (!store.ok()) return fail(store.error().message);
  baton::store::NewRun run;
  run.name = "bench";
  auto created = (*store)->create_run(run);
  if (!created.ok()) return fail(created.error().message);
  baton::store::NewTaskRun task;
  task.run_id = created->id;
  task.pipeline_task = "build";
  task.name = "bench-build";
  auto tr = (*store)->start_task_run(task);
  if (!tr.ok()) return fail(tr.error().message);
  auto start = std::chrono::steady_clock::now();
  std::vector<baton::store::LogChunk> batch(1);
  for (const auto& c : chunks) {
    batch[0].data = c;
    if (auto s = (*store)->append_logs(tr->id, batch); !s.ok()) return fail(s.error().message);
  }
  const double sqlite_s = seconds_since(start);

  // Plain file, same chunks.
  const std::string file = dir + "/bench.log";
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail("open " + file + ": " + std::strerror(errno));
  start = std::chrono::steady_clock::now();
  for (const auto& c : chunks) {
    std::size_t off = 0;
    while (off < c.size()) {
      const ssize_t n = write(fd, c.data() + off, c.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("write: " + std::string(std::strerror(errno)));
      off += static_cast<std::size_t>(n);
    }
  }
  const double file_s = seconds_since(start);
  if (close(fd) != 0) return fail("close: " + std::string(std::strerror(errno)));

  std::printf("log append, %.1f MB in %zu chunks of <= 64 KiB\n", total_mb, chunks.size());
  std::printf("  sqlite (1 txn per chunk): %8.1f MB/s  (%.2f s)\n", total_mb / sqlite_s, sqlite_s);
  std::printf("  plain file (write(2)):    %8.1f MB/s  (%.2f s)\n", total_mb / file_s, file_s);
  if (argc <= 2) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}
