// Store on an embedded SQLite database: one connection shared by all threads behind a mutex.
#include <mutex>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "core/ids.h"
#include "store/detail/fts_query.h"
#include "store/detail/open_database.h"
#include "store/detail/sqlite_db.h"
#include "store/store.h"

namespace tektra {
namespace {

bool is_valid_role(std::string_view role) {
  return role == "user" || role == "assistant" || role == "system" || role == "tool";
}

bool is_valid_timer_status(std::string_view status) {
  return status == "pending" || status == "fired" || status == "cancelled";
}

// Meta is stored as JSON text. A default-constructed json is null; treat it as "no meta" so a
// caller writing `{}` gets what they meant, and refuse anything else that is not an object.
std::string meta_to_text(const nlohmann::json& meta) {
  if (meta.is_null()) return "{}";
  if (!meta.is_object()) {
    throw Error("invalid_argument",
                std::string("message meta must be a JSON object, not ") + meta.type_name());
  }
  try {
    return meta.dump();
  } catch (const nlohmann::json::exception& e) {
    // dump() refuses strings that are not valid UTF-8.
    throw Error("invalid_argument", std::string("message meta cannot be stored: ") + e.what());
  }
}

constexpr std::string_view kConversationColumns =
    "SELECT c.id, c.title, c.created_at_ms, c.updated_at_ms,"
    " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c ";

Conversation read_conversation(const SqliteStatement& row) {
  return Conversation{row.column_text(0), row.column_text(1), row.column_int64(2),
                      row.column_int64(3), row.column_int64(4)};
}

constexpr std::string_view kTimerColumns =
    "SELECT id, name, session_id, conversation_id, duration_ms, due_at_ms, status FROM timers ";

// Columns: id, role, text, created_at_ms, meta.
Message read_message(const SqliteStatement& row, const std::string& conversation_id) {
  Message m{row.column_int64(0), conversation_id,     row.column_text(1),
            row.column_text(2),  row.column_int64(3), nlohmann::json()};
  // The schema's json_valid() check makes this unreachable short of outside tampering.
  m.meta = nlohmann::json::parse(row.column_text(4), nullptr, /*allow_exceptions=*/false);
  if (m.meta.is_discarded())
    throw Error("store_error", "message " + std::to_string(m.id) + " has unreadable meta");
  return m;
}

nlohmann::json read_json(const std::string& text, const std::string& what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw Error("store_error", what + " is unreadable");
  return value;
}

void check_limit(int limit) {
  if (limit < 0) throw Error("invalid_argument", "limit must not be negative");
}

void check_setting_key(const std::string& key) {
  if (key.empty()) throw Error("invalid_argument", "setting key must not be empty");
}

TimerRecord read_timer(const SqliteStatement& row) {
  return TimerRecord{row.column_text(0), row.column_text(1),  row.column_text(2),
                     row.column_text(3), row.column_int64(4), row.column_int64(5),
                     row.column_text(6)};
}

// Thread safety: one connection, every call holds `mutex_` for its whole duration. SQLite admits
// one writer per database at a time anyway, and each write's cost is its fsync, so connections
// per thread would only let reads overlap a commit; that is not worth the extra file handles and
// per-connection setup for an assistant's conversation history.
class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}

  Conversation create_conversation(const std::string& title) override {
    int64_t now = unix_millis_now();
    Conversation conversation{make_id("conv_"), title, now, now, 0};
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT INTO conversations (id, title, created_at_ms, updated_at_ms, activity_seq)"
           " VALUES (?1, ?2, ?3, ?3,"
           " (SELECT coalesce(max(activity_seq), 0) + 1 FROM conversations))")
        .bind(1, conversation.id)
        .bind(2, title)
        .bind(3, now)
        .run();
    return conversation;
  }

  std::optional<Conversation> conversation(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(std::string(kConversationColumns) + "WHERE c.id = ?1");
    stmt.bind(1, id);
    if (!stmt.step()) return std::nullopt;
    return read_conversation(stmt);
  }

  std::vector<Conversation> conversations(int limit, int offset) override {
    if (limit < 0 || offset < 0) {
      throw Error("invalid_argument", "limit and offset must not be negative");
    }
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(std::string(kConversationColumns) +
                            "ORDER BY c.activity_seq DESC LIMIT ?1 OFFSET ?2");
    stmt.bind(1, int64_t{limit}).bind(2, int64_t{offset});
    std::vector<Conversation> result;
    while (stmt.step()) result.push_back(read_conversation(stmt));
    return result;
  }

  bool rename_conversation(const std::string& id, const std::string& title) override {
    std::lock_guard lock(mutex_);
    db_.prepare("UPDATE conversations SET title = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, title)
        .run();
    return db_.changes() > 0;
  }

  bool delete_conversation(const std::string& id) override {
    std::lock_guard lock(mutex_);
    // Messages go with it through ON DELETE CASCADE, in the same statement's transaction.
    db_.prepare("DELETE FROM conversations WHERE id = ?1").bind(1, id).run();
    return db_.changes() > 0;
  }

  Message append_message(const std::string& conversation_id, const std::string& role,
                         const std::string& text, const nlohmann::json& meta) override {
    if (!is_valid_role(role)) {
      throw Error("invalid_argument",
                  "invalid role '" + role + "' (expected user, assistant, system or tool)");
    }
    Message message{0, conversation_id, role, text, unix_millis_now(), nlohmann::json::object()};
    std::string meta_text = meta_to_text(meta);
    if (!meta.is_null()) message.meta = meta;

    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    // Touching the conversation first doubles as the existence check. max() keeps updated_at_ms
    // from moving backwards if the wall clock is stepped back.
    db_.prepare(
           "UPDATE conversations SET updated_at_ms = max(updated_at_ms, ?2),"
           " activity_seq = (SELECT max(activity_seq) + 1 FROM conversations) WHERE id = ?1")
        .bind(1, conversation_id)
        .bind(2, message.created_at_ms)
        .run();
    if (db_.changes() == 0) {
      throw Error("not_found", "no conversation with id '" + conversation_id + "'");
    }
    db_.prepare(
           "INSERT INTO messages (conversation_id, role, text, created_at_ms, meta)"
           " VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, conversation_id)
        .bind(2, role)
        .bind(3, text)
        .bind(4, message.created_at_ms)
        .bind(5, meta_text)
        .run();
    message.id = db_.last_insert_rowid();
    transaction.commit();  // synchronous=FULL: the WAL is fsynced before this returns
    return message;
  }

  std::vector<Message> messages(const std::string& conversation_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT id, role, text, created_at_ms, meta FROM messages"
        " WHERE conversation_id = ?1 ORDER BY id");
    stmt.bind(1, conversation_id);
    std::vector<Message> result;
    while (stmt.step()) result.push_back(read_message(stmt, conversation_id));
    return result;
  }

  void put_fact(const std::string& key, const std::string& value) override {
    if (key.empty()) throw Error("invalid_argument", "fact key must not be empty");
    int64_t now = unix_millis_now();
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT INTO facts (key, value, updated_at_ms) VALUES (?1, ?2, ?3)"
           " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
           " updated_at_ms = excluded.updated_at_ms")
        .bind(1, key)
        .bind(2, value)
        .bind(3, now)
        .run();
  }

  std::optional<Fact> fact(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT key, value, updated_at_ms FROM facts WHERE key = ?1");
    stmt.bind(1, key);
    if (!stmt.step()) return std::nullopt;
    return Fact{stmt.column_text(0), stmt.column_text(1), stmt.column_int64(2)};
  }

  std::vector<Fact> facts() override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT key, value, updated_at_ms FROM facts ORDER BY key");
    std::vector<Fact> result;
    while (stmt.step()) {
      result.push_back(Fact{stmt.column_text(0), stmt.column_text(1), stmt.column_int64(2)});
    }
    return result;
  }

  bool delete_fact(const std::string& key) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM facts WHERE key = ?1").bind(1, key).run();
    return db_.changes() > 0;
  }

  std::vector<MessageHit> search_messages(const std::string& query, int limit,
                                          const std::string& exclude_conversation_id) override {
    check_limit(limit);
    const std::string match = fts_match_expression(query);
    if (match.empty() || limit == 0) return {};
    std::lock_guard lock(mutex_);
    // bm25() is lower for better matches.
    auto stmt = db_.prepare(
        "SELECT m.id, m.role, m.text, m.created_at_ms, m.meta, m.conversation_id,"
        " bm25(messages_fts) AS rank FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
        " WHERE messages_fts MATCH ?1 AND m.conversation_id != ?2 ORDER BY rank LIMIT ?3");
    stmt.bind(1, match).bind(2, exclude_conversation_id).bind(3, int64_t{limit});
    std::vector<MessageHit> hits;
    while (stmt.step())
      hits.push_back({read_message(stmt, stmt.column_text(5)), -stmt.column_double(6)});
    return hits;
  }

  std::vector<FactHit> search_facts(const std::string& query, int limit) override {
    check_limit(limit);
    const std::string match = fts_match_expression(query);
    if (match.empty() || limit == 0) return {};
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT f.key, f.value, f.updated_at_ms, bm25(facts_fts) AS rank"
        " FROM facts_fts JOIN facts f ON f.rowid = facts_fts.rowid"
        " WHERE facts_fts MATCH ?1 ORDER BY rank LIMIT ?2");
    stmt.bind(1, match).bind(2, int64_t{limit});
    std::vector<FactHit> hits;
    while (stmt.step())
      hits.push_back({Fact{stmt.column_text(0), stmt.column_text(1), stmt.column_int64(2)},
                      -stmt.column_double(3)});
    return hits;
  }

  std::optional<nlohmann::json> setting(const std::string& key) override {
    check_setting_key(key);
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT value FROM settings WHERE key = ?1");
    stmt.bind(1, key);
    if (!stmt.step()) return std::nullopt;
    return read_json(stmt.column_text(0), "setting '" + key + "'");
  }

  void put_setting(const std::string& key, const nlohmann::json& value) override {
    check_setting_key(key);
    std::string text;
    try {
      text = value.dump();
    } catch (const nlohmann::json::exception& e) {
      throw Error("invalid_argument", std::string("setting cannot be stored: ") + e.what());
    }
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT INTO settings (key, value, updated_at_ms) VALUES (?1, ?2, ?3)"
           " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
           " updated_at_ms = excluded.updated_at_ms")
        .bind(1, key)
        .bind(2, text)
        .bind(3, unix_millis_now())
        .run();
  }

  bool delete_setting(const std::string& key) override {
    check_setting_key(key);
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM settings WHERE key = ?1").bind(1, key).run();
    return db_.changes() > 0;
  }

  std::map<std::string, nlohmann::json> settings() override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT key, value FROM settings ORDER BY key");
    std::map<std::string, nlohmann::json> result;
    while (stmt.step())
      result[stmt.column_text(0)] =
          read_json(stmt.column_text(1), "setting " + stmt.column_text(0));
    return result;
  }

  void save_timer(const TimerRecord& timer) override {
    if (timer.id.empty()) throw Error("invalid_argument", "timer id must not be empty");
    if (!is_valid_timer_status(timer.status)) {
      throw Error("invalid_argument", "invalid timer status '" + timer.status +
                                          "' (expected pending, fired or cancelled)");
    }
    if (timer.duration_ms < 0)
      throw Error("invalid_argument", "timer duration must not be negative");
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT INTO timers (id, name, session_id, conversation_id, duration_ms, due_at_ms,"
           " status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
           " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
           " session_id = excluded.session_id, conversation_id = excluded.conversation_id,"
           " duration_ms = excluded.duration_ms, due_at_ms = excluded.due_at_ms,"
           " status = excluded.status")
        .bind(1, timer.id)
        .bind(2, timer.name)
        .bind(3, timer.session_id)
        .bind(4, timer.conversation_id)
        .bind(5, timer.duration_ms)
        .bind(6, timer.due_at_ms)
        .bind(7, timer.status)
        .run();
  }

  bool set_timer_status(const std::string& id, const std::string& status) override {
    if (!is_valid_timer_status(status)) {
      throw Error("invalid_argument",
                  "invalid timer status '" + status + "' (expected pending, fired or cancelled)");
    }
    std::lock_guard lock(mutex_);
    db_.prepare("UPDATE timers SET status = ?2 WHERE id = ?1").bind(1, id).bind(2, status).run();
    return db_.changes() > 0;
  }

  std::vector<TimerRecord> pending_timers() override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.prepare(std::string(kTimerColumns) + "WHERE status = 'pending' ORDER BY due_at_ms, id");
    std::vector<TimerRecord> result;
    while (stmt.step()) result.push_back(read_timer(stmt));
    return result;
  }

  int schema_version() override {
    std::lock_guard lock(mutex_);
    return static_cast<int>(db_.query_int64("PRAGMA user_version"));
  }

 private:
  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path) {
  return std::make_unique<SqliteStore>(open_store_database(path));
}

}  // namespace tektra
