// Memory retrieval (FTS5, BM25) over messages and facts, the upgrade of a version 1 database, and
// settings.
#include <gtest/gtest.h>

#include "store/detail/fts_query.h"
#include "store/detail/migrations.h"
#include "store/detail/sqlite_db.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using nlohmann::json;

class Search : public ::testing::Test {
 protected:
  std::vector<std::string> texts(const std::vector<MessageHit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.message.text);
    return out;
  }

  test::TempDir dir;
  std::unique_ptr<Store> store = open_sqlite_store(dir.file("tektra.db"));
};

TEST(FtsQuery, KeepsWordsDropsCommonOnesAndQuotesEach) {
  EXPECT_EQ(fts_match_expression("What is my favourite colour?"), "\"favourite\" OR \"colour\"");
  EXPECT_EQ(fts_match_expression("Paris PARIS paris"), "\"paris\"");
  EXPECT_EQ(fts_match_expression("what is it"), "");
  EXPECT_EQ(fts_match_expression(""), "");
  EXPECT_EQ(fts_match_expression("a OR b NEAR(c, d) col:x \"e* ^f"), "\"near\" OR \"col\"");
  EXPECT_EQ(fts_match_expression("café crème"), "\"café\" OR \"crème\"");
}

TEST_F(Search, FindsMessagesBestMatchFirstWithStemming) {
  auto a = store->create_conversation("a").id;
  auto b = store->create_conversation("b").id;
  store->append_message(a, "user", "I am going hiking in the Alps next summer");
  store->append_message(a, "assistant",
                        "The Alps are lovely for hiking, and hiking huts are cheap");
  store->append_message(b, "user", "my favourite colours are teal and green");
  store->append_message(b, "system", "hiking hiking hiking");  // never indexed
  store->append_message(b, "tool", "{\"hiking\": true}");

  auto hits = store->search_messages("hikes", 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].message.text, "The Alps are lovely for hiking, and hiking huts are cheap");
  EXPECT_EQ(hits[0].message.conversation_id, a);
  EXPECT_EQ(hits[0].message.role, "assistant");
  EXPECT_GT(hits[0].score, hits[1].score);
  EXPECT_EQ(texts(store->search_messages("what colour do I like", 10)),
            std::vector<std::string>{"my favourite colours are teal and green"});
  EXPECT_TRUE(store->search_messages("hiking", 10, a).empty()) << "the excluded conversation";
  EXPECT_EQ(store->search_messages("hiking", 1).size(), 1u);
  EXPECT_TRUE(store->search_messages("hiking", 0).empty());
  EXPECT_EQ(test::thrown_code([&] { store->search_messages("hiking", -1); }), "invalid_argument");
}

TEST_F(Search, HostileQueriesNeverFail) {
  auto c = store->create_conversation("c").id;
  store->append_message(c, "user", "near the column of stars");
  for (const std::string& q :
       std::vector<std::string>{"\"", "a OR", "NEAR(", "col:x", "*", "(", ")", "AND AND", "^", "-",
                                "\"near\"", "stars\" OR \"x", "\xff\xfe", "\xe2\x80",
                                std::string(10000, '('), std::string(10000, 'x')}) {
    EXPECT_NO_THROW(store->search_messages(q, 5)) << q.substr(0, 20);
    EXPECT_NO_THROW(store->search_facts(q, 5)) << q.substr(0, 20);
  }
  EXPECT_EQ(store->search_messages("NEAR(column", 5).size(), 1u);
}

TEST_F(Search, DeletedConversationsLeaveTheIndex) {
  auto c = store->create_conversation("c").id;
  store->append_message(c, "user", "the secret word is marmalade");
  ASSERT_EQ(store->search_messages("marmalade", 5).size(), 1u);
  store->delete_conversation(c);
  EXPECT_TRUE(store->search_messages("marmalade", 5).empty());
}

TEST_F(Search, FindsFactsByKeyOrValueAndFollowsChanges) {
  store->put_fact("my favourite colour", "teal");
  store->put_fact("my dog's name", "Biscuit");
  store->put_fact("my sister", "lives in Lisbon");
  auto hits = store->search_facts("what's my favourite colour", 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].fact.key, "my favourite colour");
  EXPECT_EQ(hits[0].fact.value, "teal");
  EXPECT_EQ(store->search_facts("who lives in lisbon", 5).at(0).fact.key, "my sister");
  store->put_fact("my favourite colour", "orange");
  hits = store->search_facts("colours", 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].fact.value, "orange");
  EXPECT_TRUE(store->search_facts("teal", 5).empty()) << "the old value left the index";
  store->delete_fact("my favourite colour");
  EXPECT_TRUE(store->search_facts("colour", 5).empty());
}

TEST(SearchMigration, AVersionOneDatabaseIsIndexedWhenUpgraded) {
  test::TempDir dir;
  const auto path = dir.file("old.db");
  {
    SqliteDb db(path);
    apply_migrations(db, sqlite_migrations().first(1));
    db.exec(
        "INSERT INTO conversations VALUES ('c1', 'old', 1, 1, 1);"
        "INSERT INTO messages (conversation_id, role, text, created_at_ms) VALUES"
        " ('c1', 'user', 'we talked about volcanoes in Iceland', 1);"
        "INSERT INTO facts VALUES ('my home town', 'Reykjavik', 1);");
  }
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->schema_version(), static_cast<int>(sqlite_migrations().size()));
  ASSERT_EQ(store->search_messages("volcano", 5).size(), 1u);
  EXPECT_EQ(store->search_facts("town", 5).at(0).fact.value, "Reykjavik");
  store->append_message("c1", "user", "more volcanoes");
  EXPECT_EQ(store->search_messages("volcanoes", 5).size(), 2u);
}

TEST_F(Search, SettingsRoundTripAndPersist) {
  EXPECT_FALSE(store->setting("ui"));
  const json ui = {{"theme", "dark"}, {"voices", {"slt", "kal"}}, {"rate", 1.25}, {"n", nullptr}};
  store->put_setting("ui", ui);
  store->put_setting("personality", {{"name", "Ada"}});
  EXPECT_EQ(*store->setting("ui"), ui);
  store->put_setting("ui", {{"theme", "light"}});
  store.reset();
  store = open_sqlite_store(dir.file("tektra.db"));
  EXPECT_EQ(*store->setting("ui"), (json{{"theme", "light"}}));
  EXPECT_EQ(store->settings().size(), 2u);
  EXPECT_TRUE(store->delete_setting("ui"));
  EXPECT_FALSE(store->delete_setting("ui"));
  EXPECT_FALSE(store->setting("ui"));
  EXPECT_EQ(test::thrown_code([&] { store->put_setting("", 1); }), "invalid_argument");
  EXPECT_EQ(test::thrown_code([&] { store->setting(""); }), "invalid_argument");
  EXPECT_EQ(test::thrown_code([&] { store->put_setting("bad", std::string("\xff")); }),
            "invalid_argument");
}

}  // namespace
}  // namespace tektra
