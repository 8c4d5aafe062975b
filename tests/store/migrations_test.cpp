// Schema migrations: applied once, in order, atomically, and never downgraded.
#include <gtest/gtest.h>

#include "store/detail/migrations.h"
#include "store/detail/open_database.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::thrown_code;

bool has_table(SqliteDb& db, const std::string& name) {
  auto stmt = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  stmt.bind(1, name);
  return stmt.step() && stmt.column_int64(0) == 1;
}

TEST(Migrations, FreshStoreIsAtTheLatestVersion) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  const int latest = static_cast<int>(sqlite_migrations().size());
  ASSERT_GE(latest, 1);
  {
    auto store = open_sqlite_store(path);
    EXPECT_EQ(store->schema_version(), latest);
  }
  SqliteDb raw(path);
  EXPECT_EQ(raw.query_int64("PRAGMA user_version"), latest);
  for (const char* table : {"conversations", "messages", "facts", "timers"}) {
    EXPECT_TRUE(has_table(raw, table)) << table;
  }
}

TEST(Migrations, ReopeningDoesNotReapply) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  std::string id;
  {
    auto store = open_sqlite_store(path);
    id = store->create_conversation("kept").id;
  }
  SqliteDb db = open_store_database(path);  // runs the migrations once more
  EXPECT_EQ(apply_migrations(db, sqlite_migrations()), 0);
  EXPECT_EQ(db.query_int64("PRAGMA user_version"),
            static_cast<int64_t>(sqlite_migrations().size()));
  EXPECT_EQ(db.query_int64("SELECT count(*) FROM conversations"), 1);
}

TEST(Migrations, AppliesOnlyMissingStepsInOrder) {
  test::TempDir dir;
  SqliteDb db(dir.file("m.db"));
  std::vector<Migration> steps = {
      {1, "a", "CREATE TABLE a (x INTEGER)"},
      {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2)"},
  };
  EXPECT_EQ(apply_migrations(db, steps), 2);
  EXPECT_EQ(db.query_int64("PRAGMA user_version"), 2);
  EXPECT_EQ(apply_migrations(db, steps), 0);

  steps.push_back({3, "c", "INSERT INTO a VALUES (3)"});
  EXPECT_EQ(apply_migrations(db, steps), 1);
  EXPECT_EQ(db.query_int64("PRAGMA user_version"), 3);
  // Each data step ran exactly once and the second ran before the third.
  EXPECT_EQ(db.query_text("SELECT group_concat(x, ',') FROM (SELECT x FROM a ORDER BY rowid)"),
            "2,3");
}

TEST(Migrations, FailingStepIsRolledBackWhole) {
  test::TempDir dir;
  SqliteDb db(dir.file("m.db"));
  std::vector<Migration> steps = {
      {1, "ok", "CREATE TABLE a (x INTEGER)"},
      {2, "broken", "CREATE TABLE half (y INTEGER); INSERT INTO missing VALUES (1)"},
  };
  auto error = test::thrown_error([&] { apply_migrations(db, steps); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "store_error");
  EXPECT_NE(std::string(error->what()).find("migration 2 (broken)"), std::string::npos)
      << error->what();
  EXPECT_EQ(db.query_int64("PRAGMA user_version"), 1);
  EXPECT_TRUE(has_table(db, "a"));
  EXPECT_FALSE(has_table(db, "half"));
  EXPECT_FALSE(db.in_transaction());
}

TEST(Migrations, NewerDatabaseIsRefused) {
  test::TempDir dir;
  SqliteDb db(dir.file("m.db"));
  db.exec("PRAGMA user_version = 2");
  std::vector<Migration> steps = {{1, "a", "CREATE TABLE a (x INTEGER)"}};
  EXPECT_EQ(thrown_code([&] { apply_migrations(db, steps); }), "store_error");
  EXPECT_FALSE(has_table(db, "a"));
}

TEST(Migrations, ListWithGapsIsRefused) {
  test::TempDir dir;
  SqliteDb db(dir.file("m.db"));
  std::vector<Migration> steps = {{1, "a", "CREATE TABLE a (x)"}, {3, "c", "CREATE TABLE c (x)"}};
  EXPECT_EQ(thrown_code([&] { apply_migrations(db, steps); }), "store_error");
  EXPECT_EQ(db.query_int64("PRAGMA user_version"), 0);
}

}  // namespace
}  // namespace tektra
