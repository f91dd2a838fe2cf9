#pragma once
// RAII wrappers over the SQLite C API. sqlite3.h stays in sqlite.cc: the handles are forward
// declared so the rest of Baton never sees the C API.
//
// Not thread-safe: one Database (and its statements) is used by one thread at a time; RunStore
// guards each connection with a mutex.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace baton::store {

/// How a Database is opened.
struct DatabaseOptions {
  bool synchronous_full = false;  // FULL survives power loss; NORMAL (default) survives crashes
  int busy_timeout_ms = 5000;
  bool read_only = false;
};

class Database;

/// Marks bytes to bind as a BLOB rather than TEXT.
struct Blob {
  std::string_view bytes;
};

/// A prepared statement borrowed from its Database's cache; reset and unbound on destruction so
/// it never holds a read snapshot open.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  /// Binds by 1-based index.
  Status bind(int index, std::int64_t value);
  Status bind(int index, std::string_view text);
  Status bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Status bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Status bind(int index, Blob blob) { return bind_blob(index, blob.bytes); }
  Status bind(int index, std::optional<std::int64_t> value);
  Status bind(int index, const std::optional<std::string>& text);
  Status bind_blob(int index, std::string_view bytes);
  Status bind_null(int index);
  /// Binds by name (":name", "@name" or "$name" as written in the SQL).
  Status bind(std::string_view name, std::int64_t value);
  Status bind(std::string_view name, std::string_view text);

  /// Steps once: true if a row is available, false when done.
  Result<bool> step();
  /// Steps to completion, for statements that return no rows.
  Status run();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  std::optional<std::int64_t> column_opt_int64(int column) const;
  /// Text or blob bytes of the column, exactly (NUL bytes included).
  std::string column_bytes(int column) const;
  std::optional<std::string> column_opt_text(int column) const;

  /// Binds each argument in order to parameters 1, 2, …
  template <typename... Args>
  Status bind_all(const Args&... args) {
    Status status;
    int index = 0;
    ((status.ok() ? (status = bind(++index, args), 0) : 0), ...);
    return status;
  }

  const std::string& sql() const { return sql_; }

 private:
  friend class Database;

  /// Marks bytes to bind as a BLOB rather than TEXT.
  struct Blob {
    std::string_view bytes;
  };
  Statement(Database* db, sqlite3_stmt* stmt, std::string sql, bool owned);
  Status check(int rc, std::string_view what);
  Result<int> index_of(std::string_view name);

  Database* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  bool owned_;  // true when the cached copy was busy and this one must be finalized
};

/// One SQLite connection (WAL, foreign keys on), with a per-SQL-text statement cache.
class Database {
 public:
  /// Opens (creating if needed unless read-only) and configures the connection.
  static Result<std::unique_ptr<Database>> open(const std::string& path,
                                                const DatabaseOptions& options = {});
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs one or more statements that return no rows.
  Status exec(std::string_view sql);
  /// A prepared statement for `sql`, from the cache when it is free.
  Result<Statement> prepare(std::string_view sql);
  /// Single integer result of a query such as a PRAGMA.
  Result<std::int64_t> query_int(std::string_view sql);
  /// All rows of the first column as text (e.g. PRAGMA integrity_check).
  Result<std::vector<std::string>> query_strings(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  int changes() const;
  /// The last error message of this connection.
  std::string error_message() const;
  const std::string& path() const { return path_; }
  /// Calls `hook` with the WAL's page count after each commit of this connection, instead of
  /// SQLite's automatic checkpoint; an empty hook restores that (every 1,000 pages). The hook
  /// runs inside the commit and must be quick.
  void set_wal_hook(std::function<void(int pages)> hook);
  /// A PASSIVE checkpoint: copies what it can of the WAL into the database without waiting
  /// for readers or writers (SQLite's automatic checkpoint does the same).
  Status checkpoint_passive();

 private:
  friend class Statement;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Error error(int rc, std::string_view what, std::string_view sql) const;

  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_;
  std::string path_;
  std::map<std::string, Cached, std::less<>> cache_;
  std::function<void(int)> wal_hook_;
};

/// BEGIN IMMEDIATE … COMMIT; rolls back on destruction unless committed.
class Transaction {
 public:
  /// Starts a write transaction (takes the write lock now, so it cannot fail later on upgrade).
  static Result<Transaction> begin(Database& db);
  /// Starts a read transaction: one consistent snapshot for several queries.
  static Result<Transaction> begin_read(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  /// Commits; after a failed commit the destructor rolls back.
  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace baton::store
