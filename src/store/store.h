// Persistence of conversations, messages, remembered facts and timers. SQLite is the embedded
// default; every implementation is safe to call from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tektra {

struct Conversation {
  std::string id;  // opaque, URL-safe
  std::string title;
  int64_t created_at_ms = 0;  // Unix epoch milliseconds
  int64_t updated_at_ms = 0;
  int64_t message_count = 0;
};

struct Message {
  int64_t id = 0;
  std::string conversation_id;
  std::string role;  // "user", "assistant", "system", "tool"
  std::string text;
  int64_t created_at_ms = 0;
  nlohmann::json meta = nlohmann::json::object();  // timings, intent, audio durations...
};

struct Fact {
  std::string key;  // normalised subject, e.g. "my favourite colour"
  std::string value;
  int64_t updated_at_ms = 0;
};

// A stored message that matches a search; `score` is higher for better matches (BM25).
struct MessageHit {
  Message message;
  double score = 0;
};

struct FactHit {
  Fact fact;
  double score = 0;
};

struct TimerRecord {
  std::string id;
  std::string name;  // may be empty
  std::string session_id;
  std::string conversation_id;
  int64_t duration_ms = 0;
  int64_t due_at_ms = 0;           // Unix epoch milliseconds
  std::string status = "pending";  // pending, fired, cancelled
};

// Besides the errors documented per method, a failing database throws Error("store_error").
class Store {
 public:
  virtual ~Store() = default;

  virtual Conversation create_conversation(const std::string& title) = 0;
  virtual std::optional<Conversation> conversation(const std::string& id) = 0;
  // Newest first: most recently created or appended to. Renaming does not reorder. Negative
  // limit or offset throws Error("invalid_argument").
  virtual std::vector<Conversation> conversations(int limit, int offset) = 0;
  virtual bool rename_conversation(const std::string& id, const std::string& title) = 0;
  virtual bool delete_conversation(const std::string& id) = 0;  // and its messages

  // Durable when it returns: a crash afterwards does not lose it. Throws Error("not_found") for
  // an unknown conversation, Error("invalid_argument") for another role or a meta that is not a
  // JSON object (null counts as empty).
  virtual Message append_message(const std::string& conversation_id, const std::string& role,
                                 const std::string& text,
                                 const nlohmann::json& meta = nlohmann::json::object()) = 0;
  // Oldest first; empty for an unknown conversation.
  virtual std::vector<Message> messages(const std::string& conversation_id) = 0;

  // An empty key throws Error("invalid_argument"); an existing key's value is replaced.
  virtual void put_fact(const std::string& key, const std::string& value) = 0;
  virtual std::optional<Fact> fact(const std::string& key) = 0;
  virtual std::vector<Fact> facts() = 0;
  virtual bool delete_fact(const std::string& key) = 0;

  // Full-text search for memory: the best matches first (BM25, English stemming, so "colours"
  // finds "colour"). `query` is free text as a user typed or said it: its words are searched
  // for, common words ("what", "is", "my") ignored, and nothing in it is query syntax. A query
  // with no searchable word finds nothing; a negative limit throws Error("invalid_argument").
  // Messages: user and assistant ones only, leaving out `exclude_conversation_id`'s.
  virtual std::vector<MessageHit> search_messages(
      const std::string& query, int limit, const std::string& exclude_conversation_id = "") = 0;
  virtual std::vector<FactHit> search_facts(const std::string& query, int limit) = 0;

  // Settings kept server-side (the personality, the web app's preferences): JSON by key. An empty
  // key throws Error("invalid_argument").
  virtual std::optional<nlohmann::json> setting(const std::string& key) = 0;
  virtual void put_setting(const std::string& key, const nlohmann::json& value) = 0;
  virtual bool delete_setting(const std::string& key) = 0;
  virtual std::map<std::string, nlohmann::json> settings() = 0;

  // Insert or replace by id. Throws Error("invalid_argument") for an empty id, a negative
  // duration or an unknown status, as set_timer_status does for the latter.
  virtual void save_timer(const TimerRecord& timer) = 0;
  virtual bool set_timer_status(const std::string& id, const std::string& status) = 0;
  virtual std::vector<TimerRecord> pending_timers() = 0;  // ordered by due time

  virtual int schema_version() = 0;
};

// Opens (creating it and its parent directories if needed) the SQLite database at `path`, in WAL
// mode, applying pending migrations. Throws Error("store_error") when the file cannot be opened or
// is not a database, or when its schema is newer than this build knows.
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& path);

int64_t unix_millis_now();

}  // namespace tektra
