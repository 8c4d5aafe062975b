// Opens and configures the store's SQLite connection, then migrates its schema.
#include "store/detail/open_database.h"

#include <string>
#include <system_error>

#include "core/error.h"
#include "store/detail/migrations.h"

namespace tektra {
namespace {

SqliteDb open_configured(const std::filesystem::path& path) {
  // SQLite would treat "" as a private temporary database that vanishes on close.
  if (path.empty()) throw Error("store_error", "no database path given");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error("store_error", "path is a directory");
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw Error("store_error", "cannot create parent directory: " + ec.message());
  }

  SqliteDb db(path);
  db.set_busy_timeout_ms(kStoreBusyTimeoutMs);

  // Preparing the first statement reads the header and loads the schema, so a file that is not a
  // database or whose schema is damaged ("malformed") fails here, before anything is written.
  // WAL lets readers proceed while a write commits and makes each commit one sequential append.
  // It needs shared memory beside the file; on filesystems without it SQLite keeps the old mode,
  // which we refuse rather than run with different durability and locking than documented.
  std::string mode = db.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal") throw Error("store_error", "cannot enable WAL journal (got '" + mode + "')");

  // synchronous=FULL fsyncs the WAL on every commit. With NORMAL a commit survives the process
  // being killed (the OS still holds the write) but the last commits can vanish on power loss or
  // a kernel crash, because WAL is only synced at checkpoints. append_message promises that a
  // returned message is durable, and a voice turn commits a few rows, so one fsync each is cheap.
  db.exec("PRAGMA synchronous = FULL");
  // Off by default in SQLite, per connection; ON DELETE CASCADE for messages depends on it.
  db.exec("PRAGMA foreign_keys = ON");

  apply_migrations(db, sqlite_migrations());
  return db;
}

}  // namespace

SqliteDb open_store_database(const std::filesystem::path& path) {
  try {
    return open_configured(path);
  } catch (const Error& e) {
    throw Error("store_error", "cannot open store '" + path.string() + "': " + e.what());
  }
}

}  // namespace tektra
