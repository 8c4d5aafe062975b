// Remembered facts: upsert by key, lookup, listing in key order and deletion.
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

class FactsTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::unique_ptr<Store> store_ = open_sqlite_store(dir_.file("store.db"));
};

TEST_F(FactsTest, PutThenGet) {
  int64_t before = unix_millis_now();
  store_->put_fact("my favourite colour", "green");
  auto fact = store_->fact("my favourite colour");
  ASSERT_TRUE(fact);
  EXPECT_EQ(fact->key, "my favourite colour");
  EXPECT_EQ(fact->value, "green");
  EXPECT_GE(fact->updated_at_ms, before);
  EXPECT_LE(fact->updated_at_ms, unix_millis_now());
  EXPECT_FALSE(store_->fact("my favourite food"));
}

TEST_F(FactsTest, PutOverwritesTheSameKey) {
  store_->put_fact("my dog's name", "Rex");
  int64_t first = store_->fact("my dog's name")->updated_at_ms;
  store_->put_fact("my dog's name", "Bella");
  auto fact = store_->fact("my dog's name");
  ASSERT_TRUE(fact);
  EXPECT_EQ(fact->value, "Bella");
  EXPECT_GE(fact->updated_at_ms, first);
  EXPECT_EQ(store_->facts().size(), 1u);
}

TEST_F(FactsTest, ListsInKeyOrder) {
  store_->put_fact("zip code", "10115");
  store_->put_fact("birthday", "4 May");
  store_->put_fact("ma ville", "Lyon");
  auto facts = store_->facts();
  ASSERT_EQ(facts.size(), 3u);
  EXPECT_EQ(facts[0].key, "birthday");
  EXPECT_EQ(facts[1].key, "ma ville");
  EXPECT_EQ(facts[1].value, "Lyon");
  EXPECT_EQ(facts[2].key, "zip code");
}

TEST_F(FactsTest, KeysAreExactNotCaseFolded) {
  // Normalising keys is the caller's job; the store must not merge what it was told apart.
  store_->put_fact("Colour", "red");
  store_->put_fact("colour", "blue");
  EXPECT_EQ(store_->fact("Colour")->value, "red");
  EXPECT_EQ(store_->fact("colour")->value, "blue");
}

TEST_F(FactsTest, Deletes) {
  store_->put_fact("a", "1");
  store_->put_fact("b", "2");
  EXPECT_TRUE(store_->delete_fact("a"));
  EXPECT_FALSE(store_->fact("a"));
  EXPECT_FALSE(store_->delete_fact("a"));
  ASSERT_EQ(store_->facts().size(), 1u);
  EXPECT_EQ(store_->facts()[0].key, "b");
}

TEST_F(FactsTest, EmptyKeyIsInvalid) {
  EXPECT_EQ(test::thrown_code([&] { store_->put_fact("", "value"); }), "invalid_argument");
  EXPECT_TRUE(store_->facts().empty());
}

TEST_F(FactsTest, UnicodeRoundTrips) {
  store_->put_fact("名前", "さくら 🌸");
  EXPECT_EQ(store_->fact("名前")->value, "さくら 🌸");
}

}  // namespace
}  // namespace tektra
