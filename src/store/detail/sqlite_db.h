// A small RAII layer over the SQLite C API: one connection, prepared statements, transactions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tektra {

// A prepared statement. Binding indexes start at 1 and columns at 0, as in SQLite. Every failure
// throws Error("store_error") carrying SQLite's own message, so callers never check return codes.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, int64_t value);
  // The text is copied, so temporaries are safe to pass.
  SqliteStatement& bind(int index, std::string_view value);

  // Advances to the next row: true when a row is available, false when the statement is done.
  bool step();
  // Runs a statement that returns no rows (INSERT, UPDATE, DELETE) to completion.
  void run();

  int64_t column_int64(int column) const;
  double column_double(int column) const;
  // Returns the full byte length, so text with embedded NUL characters survives; NULL reads as "".
  std::string column_text(int column) const;

 private:
  [[noreturn]] void fail(int rc, std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One open connection. Not thread-safe by itself: the owner serialises use (see SqliteStore).
class SqliteDb {
 public:
  // Opens read-write, creating the file if missing. SQLite reads the file lazily, so a file that
  // is not a database is only detected by the first statement that touches it.
  explicit SqliteDb(const std::filesystem::path& path);
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&&) = delete;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more `;`-separated statements that return no rows the caller needs.
  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql) { return SqliteStatement(db_, sql); }
  // Runs a query whose first row's first column is an integer (PRAGMA user_version, COUNT(*)).
  int64_t query_int64(std::string_view sql);
  std::string query_text(std::string_view sql);

  void set_busy_timeout_ms(int ms);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  bool in_transaction() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; rolls back on destruction unless commit() succeeded, so an
// exception anywhere in between leaves the database as it was. IMMEDIATE takes the write lock up
// front: a deferred transaction that later upgrades can fail with SQLITE_BUSY without waiting.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace tektra
