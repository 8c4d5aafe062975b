// Opening the store: settings, directories, persistence across restarts and refusing bad files.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "store/detail/migrations.h"
#include "store/detail/open_database.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::thrown_error;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Expects opening `path` to fail with store_error whose message names the path and contains
// `reason`, so a user reading the log knows which file is wrong and why.
void expect_open_fails(const std::filesystem::path& path, const std::string& reason) {
  auto error = thrown_error([&] { open_sqlite_store(path); });
  ASSERT_TRUE(error) << path;
  EXPECT_EQ(error->code(), "store_error");
  std::string message = error->what();
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find(reason), std::string::npos) << message;
}

TEST(OpenStore, ConfiguresWalFullSyncForeignKeysAndBusyTimeout) {
  test::TempDir dir;
  SqliteDb db = open_store_database(dir.file("store.db"));
  EXPECT_EQ(db.query_text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(db.query_int64("PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(db.query_int64("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(db.query_int64("PRAGMA busy_timeout"), kStoreBusyTimeoutMs);
}

TEST(OpenStore, CreatesParentDirectories) {
  test::TempDir dir;
  auto path = dir.path() / "a" / "b" / "c" / "tektra.db";
  auto store = open_sqlite_store(path);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
  EXPECT_EQ(store->create_conversation("x").title, "x");
}

TEST(OpenStore, ZeroLengthFileBecomesANewStore) {
  test::TempDir dir;
  write_file(dir.file("empty.db"), "");
  auto store = open_sqlite_store(dir.file("empty.db"));
  EXPECT_EQ(store->schema_version(), static_cast<int>(sqlite_migrations().size()));
}

TEST(OpenStore, EverythingSurvivesReopening) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  nlohmann::json meta = {{"intent", "weather"}, {"stt_ms", 231}};
  std::string conversation_id;
  std::vector<Message> appended;
  {
    auto store = open_sqlite_store(path);
    conversation_id = store->create_conversation("Wetter").id;
    appended.push_back(
        store->append_message(conversation_id, "user", "Wie wird das Wetter?", meta));
    appended.push_back(store->append_message(conversation_id, "assistant", "Sonnig, 24 Grad."));
    store->put_fact("home city", "Berlin");
    TimerRecord timer;
    timer.id = "timer_1";
    timer.name = "eggs";
    timer.duration_ms = 420'000;
    timer.due_at_ms = 1'800'000'000'000;
    store->save_timer(timer);
  }
  auto store = open_sqlite_store(path);
  auto conversation = store->conversation(conversation_id);
  ASSERT_TRUE(conversation);
  EXPECT_EQ(conversation->title, "Wetter");
  EXPECT_EQ(conversation->message_count, 2);
  auto messages = store->messages(conversation_id);
  ASSERT_EQ(messages.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(messages[i].id, appended[i].id);
    EXPECT_EQ(messages[i].role, appended[i].role);
    EXPECT_EQ(messages[i].text, appended[i].text);
    EXPECT_EQ(messages[i].created_at_ms, appended[i].created_at_ms);
    EXPECT_EQ(messages[i].meta, appended[i].meta);
  }
  EXPECT_EQ(store->fact("home city")->value, "Berlin");
  auto timers = store->pending_timers();
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].name, "eggs");
  EXPECT_EQ(timers[0].due_at_ms, 1'800'000'000'000);

  // Ids keep growing after a restart rather than restarting from the top of what is left.
  Message next = store->append_message(conversation_id, "user", "Danke");
  EXPECT_GT(next.id, appended.back().id);
}

TEST(OpenStore, TextFileIsNotADatabaseAndIsLeftUntouched) {
  test::TempDir dir;
  auto path = dir.file("notes.txt");
  std::string text = "These are my notes, not a database. ";
  for (int i = 0; i < 6; ++i) text += text;
  write_file(path, text);
  expect_open_fails(path, "not a database");
  EXPECT_EQ(read_file(path), text);
}

TEST(OpenStore, RandomBytesAreNotADatabase) {
  test::TempDir dir;
  auto path = dir.file("noise.db");
  std::mt19937 rng(7);
  std::string bytes(16384, '\0');
  for (auto& b : bytes) b = static_cast<char>(rng());
  write_file(path, bytes);
  expect_open_fails(path, "not a database");
  EXPECT_EQ(read_file(path), bytes);
}

TEST(OpenStore, TruncatedDatabaseIsRefused) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  {
    auto store = open_sqlite_store(path);
    auto id = store->create_conversation("c").id;
    for (int i = 0; i < 200; ++i) store->append_message(id, "user", std::string(500, 'x'));
  }
  // Closing the last connection checkpoints the WAL into the main file and removes it.
  ASSERT_FALSE(std::filesystem::exists(dir.file("store.db-wal")));
  auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 65536u);
  for (uintmax_t cut : {uintmax_t{50}, uintmax_t{4000}, size / 2}) {
    auto copy = dir.file("cut-" + std::to_string(cut) + ".db");
    std::filesystem::copy_file(path, copy);
    std::filesystem::resize_file(copy, cut);
    expect_open_fails(copy, "malformed");
  }
}

TEST(OpenStore, GarbageHeaderWithValidMagicIsRefused) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  open_sqlite_store(path);
  std::string bytes = read_file(path);
  ASSERT_GT(bytes.size(), 200u);
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
  write_file(path, bytes);
  expect_open_fails(path, "malformed");
}

TEST(OpenStore, DirectoryIsRefused) {
  test::TempDir dir;
  expect_open_fails(dir.path(), "directory");
}

TEST(OpenStore, ParentThatIsAFileIsRefused) {
  test::TempDir dir;
  write_file(dir.file("plain"), "x");
  expect_open_fails(dir.file("plain") / "store.db", "parent directory");
}

TEST(OpenStore, EmptyPathIsRefused) {
  auto error = thrown_error([] { open_sqlite_store(""); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "store_error");
}

TEST(OpenStore, NewerSchemaIsRefusedAndLeftAsIs) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  {
    auto store = open_sqlite_store(path);
    store->create_conversation("from the future");
  }
  {
    SqliteDb raw(path);
    raw.exec("PRAGMA user_version = 99");
  }
  expect_open_fails(path, "newer");
  SqliteDb raw(path);
  EXPECT_EQ(raw.query_int64("PRAGMA user_version"), 99);
  EXPECT_EQ(raw.query_int64("SELECT count(*) FROM conversations"), 1);
}

}  // namespace
}  // namespace tektra
