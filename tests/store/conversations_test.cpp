// Conversations: creation, ids, lookup, newest-first listing, pagination, rename and delete.
#include <gtest/gtest.h>

#include <set>

#include "store/detail/open_database.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::thrown_code;

class ConversationsTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::filesystem::path path_ = dir_.file("store.db");
  std::unique_ptr<Store> store_ = open_sqlite_store(path_);

  std::vector<std::string> listed_titles(int limit = 100, int offset = 0) {
    std::vector<std::string> titles;
    for (const auto& c : store_->conversations(limit, offset)) titles.push_back(c.title);
    return titles;
  }
};

TEST_F(ConversationsTest, CreateThenFetch) {
  int64_t before = unix_millis_now();
  Conversation created = store_->create_conversation("Kitchen timers");
  int64_t after = unix_millis_now();
  EXPECT_EQ(created.title, "Kitchen timers");
  EXPECT_GE(created.created_at_ms, before);
  EXPECT_LE(created.created_at_ms, after);
  EXPECT_EQ(created.updated_at_ms, created.created_at_ms);
  EXPECT_EQ(created.message_count, 0);

  auto fetched = store_->conversation(created.id);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->id, created.id);
  EXPECT_EQ(fetched->title, "Kitchen timers");
  EXPECT_EQ(fetched->created_at_ms, created.created_at_ms);
  EXPECT_EQ(fetched->updated_at_ms, created.updated_at_ms);
  EXPECT_EQ(fetched->message_count, 0);
}

TEST_F(ConversationsTest, UnknownIdIsAbsent) {
  store_->create_conversation("exists");
  EXPECT_FALSE(store_->conversation("conv_00000000000000000000000000000000"));
  EXPECT_FALSE(store_->conversation(""));
  EXPECT_FALSE(store_->conversation("' OR 1=1 --"));
}

TEST_F(ConversationsTest, IdsAreUniqueUrlSafeAndCarry128RandomBits) {
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    std::string id = store_->create_conversation("c").id;
    ASSERT_EQ(id.size(), 5u + 32u) << id;
    EXPECT_EQ(id.substr(0, 5), "conv_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 5), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TEST_F(ConversationsTest, ListsNewestFirstAndAppendMovesToTop) {
  Conversation a = store_->create_conversation("a");
  store_->create_conversation("b");
  store_->create_conversation("c");
  EXPECT_EQ(listed_titles(), (std::vector<std::string>{"c", "b", "a"}));

  store_->append_message(a.id, "user", "hello again");
  EXPECT_EQ(listed_titles(), (std::vector<std::string>{"a", "c", "b"}));
  auto touched = store_->conversation(a.id);
  ASSERT_TRUE(touched);
  EXPECT_GE(touched->updated_at_ms, a.updated_at_ms);
  EXPECT_EQ(touched->created_at_ms, a.created_at_ms);
}

TEST_F(ConversationsTest, MessageCountIsComputed) {
  Conversation a = store_->create_conversation("a");
  Conversation b = store_->create_conversation("b");
  for (int i = 0; i < 3; ++i) store_->append_message(a.id, "user", std::to_string(i));
  store_->append_message(b.id, "assistant", "only one");
  EXPECT_EQ(store_->conversation(a.id)->message_count, 3);
  EXPECT_EQ(store_->conversation(b.id)->message_count, 1);
  auto listed = store_->conversations(10, 0);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, b.id);
  EXPECT_EQ(listed[0].message_count, 1);
  EXPECT_EQ(listed[1].message_count, 3);
}

TEST_F(ConversationsTest, Paginates) {
  for (const char* title : {"1", "2", "3", "4", "5"}) store_->create_conversation(title);
  EXPECT_EQ(listed_titles(2, 0), (std::vector<std::string>{"5", "4"}));
  EXPECT_EQ(listed_titles(2, 2), (std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(listed_titles(2, 4), (std::vector<std::string>{"1"}));
  EXPECT_TRUE(listed_titles(2, 5).empty());
  EXPECT_TRUE(listed_titles(0, 0).empty());
}

TEST_F(ConversationsTest, NegativePaginationIsInvalid) {
  EXPECT_EQ(thrown_code([&] { store_->conversations(-1, 0); }), "invalid_argument");
  EXPECT_EQ(thrown_code([&] { store_->conversations(10, -1); }), "invalid_argument");
}

TEST_F(ConversationsTest, Renames) {
  Conversation a = store_->create_conversation("draft");
  EXPECT_TRUE(store_->rename_conversation(a.id, "Recette du gâteau 🎂"));
  EXPECT_EQ(store_->conversation(a.id)->title, "Recette du gâteau 🎂");
  EXPECT_FALSE(store_->rename_conversation("conv_missing", "x"));
}

TEST_F(ConversationsTest, DeleteRemovesConversationAndCascadesToItsMessagesOnly) {
  Conversation doomed = store_->create_conversation("doomed");
  Conversation kept = store_->create_conversation("kept");
  for (int i = 0; i < 4; ++i) store_->append_message(doomed.id, "user", "bye");
  store_->append_message(kept.id, "user", "stay");

  EXPECT_TRUE(store_->delete_conversation(doomed.id));
  EXPECT_FALSE(store_->conversation(doomed.id));
  EXPECT_TRUE(store_->messages(doomed.id).empty());
  EXPECT_EQ(store_->messages(kept.id).size(), 1u);
  EXPECT_FALSE(store_->delete_conversation(doomed.id));
  EXPECT_EQ(store_->conversations(10, 0).size(), 1u);

  // messages() filters by conversation, so it would look empty even without the cascade: count
  // the rows themselves through a second connection.
  SqliteDb raw = open_store_database(path_);
  EXPECT_EQ(raw.query_int64("SELECT count(*) FROM messages"), 1);
}

TEST_F(ConversationsTest, AppendToDeletedConversationIsNotFound) {
  Conversation a = store_->create_conversation("a");
  store_->delete_conversation(a.id);
  EXPECT_EQ(thrown_code([&] { store_->append_message(a.id, "user", "late"); }), "not_found");
}

}  // namespace
}  // namespace tektra
