// Opening the store's SQLite file with the settings durability and concurrency depend on.
#pragma once

#include <filesystem>

#include "store/detail/sqlite_db.h"

namespace tektra {

// How long a connection waits for another connection's write lock before failing with "busy".
inline constexpr int kStoreBusyTimeoutMs = 5000;

// Creates missing parent directories, opens or creates the database at `path`, configures the
// connection (WAL, synchronous=FULL, foreign keys, busy timeout) and applies pending migrations.
// Throws Error("store_error") naming the path when any of that fails: a directory, a file that
// is not a database, a corrupt file, or a schema newer than this build.
SqliteDb open_store_database(const std::filesystem::path& path);

}  // namespace tektra
