#include "engine/store/migrations.h"

#include <cctype>

namespace baton::store {

Result<std::vector<Migration>> numbered_migrations(const std::vector<EmbeddedMigration>& files) {
  std::vector<Migration> out;
  for (const auto& f : files) {
    std::size_t digits = 0;
    while (digits < f.file.size() && std::isdigit(static_cast<unsigned char>(f.file[digits]))) {
      ++digits;
    }
    if (digits == 0 || digits > 6 || f.file.size() <= digits || f.file[digits] != '_') {
      return Fail("migration " + f.file + ": name must be NNNN_description.sql", "migration");
    }
    const int version = std::stoi(f.file.substr(0, digits));
    const int expected = static_cast<int>(out.size()) + 1;
    if (version != expected) {
      return Fail("migration " + f.file + ": expected version " + std::to_string(expected) +
                      " (versions must be 1, 2, 3… with no gap or duplicate)",
                  "migration");
    }
    out.push_back(Migration{version, f.file, f.sql});
  }
  return out;
}

Result<int> migrate(Database& db, const std::vector<Migration>& migrations) {
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  auto current = db.query_int("PRAGMA user_version");
  if (!current.ok()) return current.error();
  if (*current > newest) {
    return Fail("store " + db.path() + " has schema version " + std::to_string(*current) +
                    ", newer than this binary supports (" + std::to_string(newest) +
                    "); upgrade Baton or use another store",
                "schema_too_new");
  }
  int version = static_cast<int>(*current);
  for (const auto& m : migrations) {
    if (m.version <= version) continue;
    auto tx = Transaction::begin(db);
    if (!tx.ok()) return tx.error();
    // Re-read inside the write lock: another process may have migrated meanwhile.
    auto locked = db.query_int("PRAGMA user_version");
    if (!locked.ok()) return locked.error();
    if (*locked >= m.version) {
      version = static_cast<int>(*locked);
      continue;
    }
    if (auto s = db.exec(m.sql); !s.ok()) {
      return Fail("migration " + m.file + " failed: " + s.error().message, "migration");
    }
    if (auto s = db.exec("PRAGMA user_version=" + std::to_string(m.version)); !s.ok()) {
      return s.error();
    }
    if (auto s = tx->commit(); !s.ok()) return s.error();
    version = m.version;
  }
  return version;
}

Result<int> migrate(Database& db) {
  auto migrations = numbered_migrations(embedded_migrations());
  if (!migrations.ok()) return migrations.error();
  return migrate(db, *migrations);
}

}  // namespace baton::store
