#pragma once
// Schema migrations: numbered SQL files from schemas/migrations, embedded at build time and
// applied in order, each in its own transaction together with the PRAGMA user_version bump.

#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/store/sqlite.h"

namespace baton::store {

/// One migration file as embedded: "0001_initial.sql" and its SQL text.
struct EmbeddedMigration {
  std::string file;
  std::string sql;
};

/// The migrations compiled into this binary, in file-name order (generated source).
const std::vector<EmbeddedMigration>& embedded_migrations();

/// A migration with its version (the file's numeric prefix).
struct Migration {
  int version = 0;
  std::string file;
  std::string sql;
};

/// Parses and checks the versions: 1, 2, 3… with no gap or duplicate.
Result<std::vector<Migration>> numbered_migrations(const std::vector<EmbeddedMigration>& files);

/// Brings `db` to the newest version in `migrations`; refuses (code "schema_too_new") a store
/// written by a newer binary. Returns the resulting version.
Result<int> migrate(Database& db, const std::vector<Migration>& migrations);

/// migrate() with the embedded migrations.
Result<int> migrate(Database& db);

}  // namespace baton::store
