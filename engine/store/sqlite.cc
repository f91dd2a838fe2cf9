#include "engine/store/sqlite.h"

#include <sqlite3.h>

#include <climits>

namespace baton::store {
namespace {

// Error codes callers can branch on; the rest is "sqlite".
std::string code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "busy";
    case SQLITE_CONSTRAINT:
      return "constraint";
    default:
      return "sqlite";
  }
}

}  // namespace

// ---- Database ----

Error Database::error(int rc, std::string_view what, std::string_view sql) const {
  std::string msg = "sqlite: " + std::string(what) + ": " + sqlite3_errstr(rc);
  if (db_ != nullptr && sqlite3_errcode(db_) != SQLITE_OK)
    msg += ": " + std::string(sqlite3_errmsg(db_));
  if (!sql.empty()) msg += " [sql: " + std::string(sql) + "]";
  return Fail(std::move(msg), code_for(rc));
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                 const DatabaseOptions& options) {
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands back a handle even on failure; own it so it is closed either way.
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return db->error(rc, "open " + path, "");
  if (int erc = sqlite3_extended_result_codes(raw, 1); erc != SQLITE_OK) {
    return db->error(erc, "extended result codes", "");
  }
  if (int brc = sqlite3_busy_timeout(raw, options.busy_timeout_ms); brc != SQLITE_OK) {
    return db->error(brc, "busy_timeout", "");
  }
  if (!options.read_only) {
    // journal_mode returns a row; it is "wal" unless the file cannot do WAL.
    auto mode = db->query_strings("PRAGMA journal_mode=WAL");
    if (!mode.ok()) return mode.error();
    if (mode->empty() || (*mode)[0] != "wal") {
      return Fail("sqlite: " + path + ": cannot switch to WAL journal mode", "sqlite");
    }
  }
  const char* sync =
      options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (auto s = db->exec(sync); !s.ok()) return s.error();
  if (auto s = db->exec("PRAGMA foreign_keys=ON"); !s.ok()) return s.error();
  auto fk = db->query_int("PRAGMA foreign_keys");
  if (!fk.ok()) return fk.error();
  if (*fk != 1)
    return Fail("sqlite: foreign keys are not supported by this SQLite build", "sqlite");
  return db;
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  // Every statement is finalized above, so close cannot report SQLITE_BUSY.
  sqlite3_close(db_);
}

namespace {
int call_wal_hook(void* hook, sqlite3* /*db*/, const char* /*schema*/, int pages) {
  (*static_cast<std::function<void(int)>*>(hook))(pages);
  return SQLITE_OK;
}
}  // namespace

void Database::set_wal_hook(std::function<void(int pages)> hook) {
  wal_hook_ = std::move(hook);
  if (wal_hook_) {
    sqlite3_wal_hook(db_, call_wal_hook, &wal_hook_);
  } else {
    sqlite3_wal_autocheckpoint(db_, 1000);
  }
}

Status Database::checkpoint_passive() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // BUSY: another checkpoint runs; what is left is copied next time.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return error(rc, "wal checkpoint", "");
  return {};
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = "sqlite: exec: " + std::string(sqlite3_errstr(rc));
  if (err != nullptr) {
    msg += ": " + std::string(err);
    sqlite3_free(err);
  }
  return Fail(msg + " [sql: " + text + "]", code_for(rc));
}

Result<Statement> Database::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt, std::string(sql), false);
  }
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) return Fail("sqlite: statement too long");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, "prepare", sql);
  if (stmt == nullptr)
    return Fail("sqlite: prepare: empty statement [sql: " + std::string(sql) + "]");
  if (it == cache_.end()) {
    cache_.emplace(std::string(sql), Cached{stmt, true});
    return Statement(this, stmt, std::string(sql), false);
  }
  // The cached copy is busy (a nested use of the same SQL): this one is private.
  return Statement(this, stmt, std::string(sql), true);
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Fail("sqlite: query returned no row [sql: " + std::string(sql) + "]");
  return stmt->column_int64(0);
}

Result<std::vector<std::string>> Database::query_strings(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt.ok()) return stmt.error();
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(stmt->column_bytes(0));
  }
  return out;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
std::string Database::error_message() const { return sqlite3_errmsg(db_); }

// ---- Statement ----

Statement::Statement(Database* db, sqlite3_stmt* stmt, std::string sql, bool owned)
    : db_(db), stmt_(stmt), sql_(std::move(sql)), owned_(owned) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)), owned_(other.owned_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  // reset() repeats the last step's error, which the caller has already seen: ignore it here.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  auto it = db_->cache_.find(sql_);
  if (it != db_->cache_.end()) it->second.in_use = false;
}

Status Statement::check(int rc, std::string_view what) {
  if (rc == SQLITE_OK) return {};
  return db_->error(rc, what, sql_);
}

Status Statement::bind(int index, std::int64_t value) {
  return check(sqlite3_bind_int64(stmt_, index, value), "bind");
}

Status Statement::bind(int index, std::string_view text) {
  return check(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
}

Status Statement::bind(int index, std::optional<std::int64_t> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Status Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Status Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob must stay a blob, not NULL: SQLite binds NULL for a null pointer.
  static const char kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  return check(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), "bind");
}

Status Statement::bind_null(int index) { return check(sqlite3_bind_null(stmt_, index), "bind"); }

Result<int> Statement::index_of(std::string_view name) {
  const std::string n(name);
  const int index = sqlite3_bind_parameter_index(stmt_, n.c_str());
  if (index == 0) return Fail("sqlite: no parameter " + n + " [sql: " + sql_ + "]");
  return index;
}

Status Statement::bind(std::string_view name, std::int64_t value) {
  auto index = index_of(name);
  if (!index.ok()) return index.error();
  return bind(*index, value);
}

Status Statement::bind(std::string_view name, std::string_view text) {
  auto index = index_of(name);
  if (!index.ok()) return index.error();
  return bind(*index, text);
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(rc, "step", sql_);
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::column_opt_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::string Statement::column_bytes(int column) const {
  // sqlite3_column_blob then _bytes: the documented order that avoids a text conversion.
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::column_opt_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_bytes(column);
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Database& db) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s.ok()) return s.error();
  return Transaction(&db);
}

Result<Transaction> Transaction::begin_read(Database& db) {
  if (auto s = db.exec("BEGIN DEFERRED"); !s.ok()) return s.error();
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // ROLLBACK fails only if no transaction is open (SQLite already rolled back on a hard error).
  (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return Fail("sqlite: commit of a finished transaction");
  auto s = db_->exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

}  // namespace baton::store
