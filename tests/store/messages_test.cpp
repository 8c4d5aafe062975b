// Messages: append and list, role checks, unknown conversations, meta JSON and awkward text.
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::thrown_code;
using test::thrown_error;

class MessagesTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::filesystem::path path_ = dir_.file("store.db");
  std::unique_ptr<Store> store_ = open_sqlite_store(path_);
  Conversation conversation_ = store_->create_conversation("chat");
};

TEST_F(MessagesTest, AppendsAndListsOldestFirst) {
  int64_t before = unix_millis_now();
  Message first = store_->append_message(conversation_.id, "user", "what time is it?");
  Message second = store_->append_message(conversation_.id, "assistant", "It is noon.");
  Message third = store_->append_message(conversation_.id, "tool", "{\"time\":\"12:00\"}");
  EXPECT_GT(first.id, 0);
  EXPECT_LT(first.id, second.id);
  EXPECT_LT(second.id, third.id);
  EXPECT_GE(first.created_at_ms, before);
  EXPECT_EQ(first.conversation_id, conversation_.id);

  auto listed = store_->messages(conversation_.id);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, first.id);
  EXPECT_EQ(listed[0].role, "user");
  EXPECT_EQ(listed[0].text, "what time is it?");
  EXPECT_EQ(listed[0].created_at_ms, first.created_at_ms);
  EXPECT_EQ(listed[0].conversation_id, conversation_.id);
  EXPECT_EQ(listed[1].role, "assistant");
  EXPECT_EQ(listed[1].text, "It is noon.");
  EXPECT_EQ(listed[2].role, "tool");
  EXPECT_EQ(listed[2].id, third.id);
}

TEST_F(MessagesTest, AcceptsEveryDocumentedRole) {
  for (const char* role : {"user", "assistant", "system", "tool"}) {
    EXPECT_EQ(store_->append_message(conversation_.id, role, "x").role, role);
  }
  EXPECT_EQ(store_->messages(conversation_.id).size(), 4u);
}

TEST_F(MessagesTest, InvalidRoleIsRejectedAndNothingIsStored) {
  for (const char* role : {"", "User", "bot", "user ", "function"}) {
    auto error = thrown_error([&] { store_->append_message(conversation_.id, role, "x"); });
    ASSERT_TRUE(error) << role;
    EXPECT_EQ(error->code(), "invalid_argument") << role;
    EXPECT_NE(std::string(error->what()).find("role"), std::string::npos) << error->what();
  }
  EXPECT_TRUE(store_->messages(conversation_.id).empty());
  EXPECT_EQ(store_->conversation(conversation_.id)->message_count, 0);
}

TEST_F(MessagesTest, UnknownConversationIsNotFound) {
  auto error = thrown_error([&] { store_->append_message("conv_nope", "user", "hello"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "not_found");
  EXPECT_NE(std::string(error->what()).find("conv_nope"), std::string::npos) << error->what();
  EXPECT_TRUE(store_->messages("conv_nope").empty());
}

TEST_F(MessagesTest, MetaRoundTrips) {
  nlohmann::json meta = {
      {"intent", "set_timer"},
      {"timings_ms", {{"stt", 123.5}, {"llm_first_token", 410}, {"tts", 88}}},
      {"slots", {{"duration", "5 minutes"}, {"name", nullptr}}},
      {"audio", {{"seconds", 2.25}, {"sample_rate", 16000}}},
      {"words", {"set", "a", "timer"}},
      {"confident", true},
      {"note", "naïve café 日本語 🚀"},
      {"big", int64_t{9007199254740993}},
  };
  Message appended = store_->append_message(conversation_.id, "user", "set a timer", meta);
  EXPECT_EQ(appended.meta, meta);
  auto listed = store_->messages(conversation_.id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].meta, meta);
}

TEST_F(MessagesTest, MetaDefaultsToEmptyObject) {
  store_->append_message(conversation_.id, "user", "no meta");
  store_->append_message(conversation_.id, "user", "null meta", nlohmann::json());
  for (const auto& m : store_->messages(conversation_.id)) {
    EXPECT_TRUE(m.meta.is_object()) << m.text;
    EXPECT_TRUE(m.meta.empty()) << m.text;
  }
}

TEST_F(MessagesTest, MetaThatIsNotAnObjectIsRejected) {
  EXPECT_EQ(thrown_code([&] {
              store_->append_message(conversation_.id, "user", "x", nlohmann::json::array({1, 2}));
            }),
            "invalid_argument");
  EXPECT_EQ(thrown_code([&] { store_->append_message(conversation_.id, "user", "x", 42); }),
            "invalid_argument");
  EXPECT_EQ(thrown_code([&] { store_->append_message(conversation_.id, "user", "x", "text"); }),
            "invalid_argument");
  EXPECT_TRUE(store_->messages(conversation_.id).empty());
}

TEST_F(MessagesTest, MetaWithInvalidUtf8IsRejectedClearly) {
  nlohmann::json meta = {{"bad", std::string("\xff\xfe")}};
  EXPECT_EQ(thrown_code([&] { store_->append_message(conversation_.id, "user", "x", meta); }),
            "invalid_argument");
  EXPECT_TRUE(store_->messages(conversation_.id).empty());
}

TEST_F(MessagesTest, UnicodeRoundTrips) {
  const std::vector<std::string> texts = {
      "Grüße aus Köln",
      "日本語のテキスト",
      "مرحبا بالعالم",                       // right to left
      "e\u0301 vs \u00e9",                   // combining accent vs precomposed stay distinct
      "🧑‍🍳👩🏽‍💻🇫🇷",  // ZWJ sequences, skin tone, flags
      "",
      std::string("nul\0inside", 10),
      "quote ' double \" backslash \\ percent %",
  };
  for (const auto& text : texts) store_->append_message(conversation_.id, "user", text);
  auto listed = store_->messages(conversation_.id);
  ASSERT_EQ(listed.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(listed[i].text, texts[i]) << i;
}

TEST_F(MessagesTest, VeryLongTextRoundTrips) {
  std::string text;
  for (int i = 0; text.size() < 8 * 1024 * 1024; ++i) text += "line " + std::to_string(i) + " ✓\n";
  store_->append_message(conversation_.id, "assistant", text);
  auto listed = store_->messages(conversation_.id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].text.size(), text.size());
  EXPECT_TRUE(listed[0].text == text);
}

TEST_F(MessagesTest, ConversationsKeepTheirOwnMessages) {
  Conversation other = store_->create_conversation("other");
  store_->append_message(conversation_.id, "user", "mine");
  store_->append_message(other.id, "user", "theirs");
  auto mine = store_->messages(conversation_.id);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].text, "mine");
  auto theirs = store_->messages(other.id);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].text, "theirs");
}

}  // namespace
}  // namespace tektra
