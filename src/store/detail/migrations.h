// Versioned schema migrations for the SQLite store, tracked in PRAGMA user_version.
#pragma once

#include <span>
#include <string_view>

#include "store/detail/sqlite_db.h"

namespace tektra {

// One step of the schema's history. Versions start at 1 and increase by one; a released step is
// never edited, only followed by a new one, because databases in the field already ran it.
struct Migration {
  int version = 0;
  std::string_view description;
  std::string_view sql;  // one or more statements
};

// The store's schema history, oldest first.
std::span<const Migration> sqlite_migrations();

// Brings `db` up to the last version in `migrations`, applying each missing step in its own
// transaction together with the user_version bump, so a crash mid-way leaves a consistent, older
// schema that the next open continues from. Returns how many steps ran. Throws
// Error("store_error") when the database is newer than `migrations` knows, when a step fails
// (that step is rolled back), or when the list itself is out of order.
int apply_migrations(SqliteDb& db, std::span<const Migration> migrations);

}  // namespace tektra
