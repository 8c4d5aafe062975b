// RAII wrappers over sqlite3 and sqlite3_stmt that turn every failure into Error("store_error").
#include "store/detail/sqlite_db.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <limits>
#include <utility>

#include "core/error.h"

namespace tektra {
namespace {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg describes the most recent failure on the connection; fall back to the generic
  // text for the code when there is no connection (open itself failed to allocate one).
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error("store_error", "sqlite: " + std::string(what) + ": " + detail);
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw Error("store_error", "sqlite: statement too long");
  }
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  // A zero-length view may have a null data(); SQLite would then bind NULL instead of "".
  const char* data = value.data() ? value.data() : "";
  int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc, "step");
}

void SqliteStatement::run() {
  while (step()) {
  }
}

int64_t SqliteStatement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string SqliteStatement::column_text(int column) const {
  // column_text must be called before column_bytes so the length matches the UTF-8 form.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(text, static_cast<size_t>(size)) : std::string();
}

void SqliteStatement::fail(int rc, std::string_view what) const {
  const char* sql = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  throw_sqlite(db_, rc, std::string(what) + " '" + std::string(sql ? sql : "").substr(0, 60) + "'");
}

SqliteDb::SqliteDb(const std::filesystem::path& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    // open_v2 hands back a connection even on failure, holding the reason; release it after.
    std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("store_error", "sqlite: open: " + detail);
  }
  // Report "constraint failed" as e.g. SQLITE_CONSTRAINT_CHECK with its own message.
  sqlite3_extended_result_codes(db_, 1);
}

SqliteDb::~SqliteDb() {
  // Every statement is finalised by its own RAII owner first, so close cannot be left busy.
  sqlite3_close(db_);
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

void SqliteDb::exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "exec '" + text.substr(0, 60) + "'");
}

int64_t SqliteDb::query_int64(std::string_view sql) {
  SqliteStatement stmt = prepare(sql);
  if (!stmt.step()) throw Error("store_error", "sqlite: no row from '" + std::string(sql) + "'");
  return stmt.column_int64(0);
}

std::string SqliteDb::query_text(std::string_view sql) {
  SqliteStatement stmt = prepare(sql);
  if (!stmt.step()) throw Error("store_error", "sqlite: no row from '" + std::string(sql) + "'");
  return stmt.column_text(0);
}

void SqliteDb::set_busy_timeout_ms(int ms) {
  int rc = sqlite3_busy_timeout(db_, ms);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "busy_timeout");
}

int64_t SqliteDb::changes() const {
  return sqlite3_changes64(db_);
}

int64_t SqliteDb::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool SqliteDb::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...); only roll
  // back a transaction that is still open. A destructor cannot throw, so a failed rollback is
  // logged: the exception already unwinding through here is the error the caller sees.
  if (done_ || !db_.in_transaction()) return;
  int rc = sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) spdlog::error("sqlite: rollback failed: {}", sqlite3_errmsg(db_.handle()));
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace tektra
