// The SQLite store's schema history and the runner that applies it.
#include "store/detail/migrations.h"

#include <string>

#include "core/error.h"

namespace tektra {
namespace {

// conversations.activity_seq orders the list "most recently active first" exactly, even when
// several conversations are touched within the same millisecond; updated_at_ms alone would tie.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE conversations (
  id            TEXT PRIMARY KEY NOT NULL,
  title         TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  activity_seq  INTEGER NOT NULL
);
CREATE INDEX conversations_by_activity ON conversations (activity_seq);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  text            TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  meta            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta))
);
-- Serves listing a conversation's messages in order, counting them, and the cascade on delete.
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

CREATE TABLE facts (
  key           TEXT PRIMARY KEY NOT NULL,
  value         TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);

CREATE TABLE timers (
  id              TEXT PRIMARY KEY NOT NULL,
  name            TEXT NOT NULL DEFAULT '',
  session_id      TEXT NOT NULL DEFAULT '',
  conversation_id TEXT NOT NULL DEFAULT '',
  duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
  due_at_ms       INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cancelled'))
);
CREATE INDEX timers_by_status_due ON timers (status, due_at_ms);
)sql";

// Full-text indexes over what the user and the assistant said and over facts, kept in step by
// triggers (a conversation's deletion cascades to its messages, which fires them too), and the
// settings table.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content = 'messages', content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO messages_fts (rowid, text)
  SELECT id, text FROM messages WHERE role IN ('user', 'assistant');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
  WHEN new.role IN ('user', 'assistant') BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.role IN ('user', 'assistant') BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN old.role IN ('user', 'assistant') BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE VIRTUAL TABLE facts_fts USING fts5(
  key, value, content = 'facts', content_rowid = 'rowid',
  tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO facts_fts (rowid, key, value) SELECT rowid, key, value FROM facts;
CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts BEGIN
  INSERT INTO facts_fts (rowid, key, value) VALUES (new.rowid, new.key, new.value);
END;
CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts BEGIN
  INSERT INTO facts_fts (facts_fts, rowid, key, value)
    VALUES ('delete', old.rowid, old.key, old.value);
END;
CREATE TRIGGER facts_fts_update AFTER UPDATE ON facts BEGIN
  INSERT INTO facts_fts (facts_fts, rowid, key, value)
    VALUES ('delete', old.rowid, old.key, old.value);
  INSERT INTO facts_fts (rowid, key, value) VALUES (new.rowid, new.key, new.value);
END;

CREATE TABLE settings (
  key           TEXT PRIMARY KEY NOT NULL,
  value         TEXT NOT NULL CHECK (json_valid(value)),
  updated_at_ms INTEGER NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "conversations, messages, facts, timers", kSchemaV1},
    {2, "full-text search over messages and facts; settings", kSchemaV2},
};

}  // namespace

std::span<const Migration> sqlite_migrations() {
  return kMigrations;
}

int apply_migrations(SqliteDb& db, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw Error("store_error", "migration list is out of order at step " + std::to_string(i + 1));
    }
  }
  const int known = static_cast<int>(migrations.size());
  const int64_t found = db.query_int64("PRAGMA user_version");
  if (found > known) {
    throw Error("store_error", "database schema version " + std::to_string(found) +
                                   " is newer than this build supports (" + std::to_string(known) +
                                   "); it was written by a newer Tektra");
  }
  if (found < 0) {
    throw Error("store_error", "database has invalid schema version " + std::to_string(found));
  }
  // The common case on every start; skip taking the write lock for nothing.
  if (found == known) return 0;

  int applied = 0;
  for (const Migration& step : migrations) {
    SqliteTransaction transaction(db);
    // Re-read under the write lock: another process opening the same file may have migrated
    // between our first read and now, and must not be raced into running a step twice.
    const int64_t current = db.query_int64("PRAGMA user_version");
    if (current > known) throw Error("store_error", "database was upgraded by a newer Tektra");
    if (current >= step.version) continue;
    try {
      db.exec(step.sql);
    } catch (const Error& e) {
      throw Error("store_error", "migration " + std::to_string(step.version) + " (" +
                                     std::string(step.description) + ") failed: " + e.what());
    }
    db.exec("PRAGMA user_version = " + std::to_string(step.version));
    transaction.commit();
    ++applied;
  }
  return applied;
}

}  // namespace tektra
