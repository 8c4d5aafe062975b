// Many threads and two connections appending at once; also prints append throughput.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

struct ThreadResult {
  std::vector<int64_t> ids;
  std::string failure;
};

// Runs `threads` workers that each append `per_thread` messages through `store_for(worker)` to
// conversations[i % size], recording the returned ids and the first failure, if any.
std::vector<ThreadResult> append_concurrently(int threads, int per_thread,
                                              const std::function<Store&(int)>& store_for,
                                              const std::vector<std::string>& conversations) {
  std::vector<ThreadResult> results(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        for (int i = 0; i < per_thread; ++i) {
          const auto& conversation = conversations[i % conversations.size()];
          std::string text = "thread " + std::to_string(t) + " message " + std::to_string(i);
          results[t].ids.push_back(store_for(t).append_message(conversation, "user", text).id);
        }
      } catch (const std::exception& e) {
        results[t].failure = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  return results;
}

// Checks every returned id is stored exactly once, with its own thread's text, and that each
// thread's messages are stored in the order its appends returned.
void expect_all_present(Store& store, const std::vector<std::string>& conversations,
                        const std::vector<ThreadResult>& results, int per_thread) {
  std::map<int64_t, std::string> stored;
  for (const auto& c : conversations) {
    for (const auto& m : store.messages(c)) stored[m.id] = m.text;
  }
  size_t expected = 0;
  for (size_t t = 0; t < results.size(); ++t) {
    EXPECT_EQ(results[t].failure, "") << "thread " << t;
    ASSERT_EQ(results[t].ids.size(), static_cast<size_t>(per_thread)) << "thread " << t;
    for (int i = 0; i < per_thread; ++i) {
      int64_t id = results[t].ids[i];
      if (i > 0) {
        EXPECT_LT(results[t].ids[i - 1], id);
      }
      auto found = stored.find(id);
      ASSERT_NE(found, stored.end()) << "id " << id << " missing";
      EXPECT_EQ(found->second, "thread " + std::to_string(t) + " message " + std::to_string(i));
    }
    expected += results[t].ids.size();
  }
  EXPECT_EQ(stored.size(), expected);
}

TEST(StoreConcurrency, EightThreadsAppendAndAllArePresent) {
  test::TempDir dir;
  auto store = open_sqlite_store(dir.file("store.db"));
  std::vector<std::string> conversations = {store->create_conversation("a").id,
                                            store->create_conversation("b").id};
  auto results = append_concurrently(
      8, 60, [&](int) -> Store& { return *store; }, conversations);
  expect_all_present(*store, conversations, results, 60);
  EXPECT_EQ(store->conversation(conversations[0])->message_count +
                store->conversation(conversations[1])->message_count,
            8 * 60);
}

TEST(StoreConcurrency, ReadersRunBesideWriters) {
  test::TempDir dir;
  auto store = open_sqlite_store(dir.file("store.db"));
  std::vector<std::string> conversations = {store->create_conversation("a").id};
  std::atomic<bool> done = false;
  std::atomic<int> reads = 0;
  std::string reader_failure;
  std::thread reader([&] {
    try {
      size_t last = 0;
      while (!done) {
        size_t now = store->messages(conversations[0]).size();
        // Appends only ever add, so a reader never sees the count go down.
        if (now < last) throw std::runtime_error("message count went backwards");
        last = now;
        store->conversations(10, 0);
        ++reads;
      }
    } catch (const std::exception& e) {
      reader_failure = e.what();
    }
  });
  auto results = append_concurrently(
      4, 40, [&](int) -> Store& { return *store; }, conversations);
  done = true;
  reader.join();
  EXPECT_EQ(reader_failure, "");
  EXPECT_GT(reads.load(), 0);
  expect_all_present(*store, conversations, results, 40);
}

TEST(StoreConcurrency, TwoConnectionsOnOneFileBothSucceed) {
  // Two processes (or two Store objects) on one file contend for SQLite's write lock; the busy
  // timeout must make them wait for each other instead of failing with "database is locked".
  test::TempDir dir;
  auto first = open_sqlite_store(dir.file("store.db"));
  auto second = open_sqlite_store(dir.file("store.db"));
  std::vector<std::string> conversations = {first->create_conversation("a").id,
                                            second->create_conversation("b").id};
  auto results = append_concurrently(
      8, 40, [&](int t) -> Store& { return t % 2 ? *second : *first; }, conversations);
  expect_all_present(*first, conversations, results, 40);
  EXPECT_EQ(second->conversations(10, 0).size(), 2u);
}

// Not a pass/fail benchmark: prints how many durable appends per second this machine sustains
// with WAL + synchronous=FULL, where each append is one transaction and one fsync.
TEST(StoreConcurrency, MeasuresAppendThroughput) {
  test::TempDir dir;
  auto store = open_sqlite_store(dir.file("store.db"));
  std::vector<std::string> conversations = {store->create_conversation("bench").id};
  auto one = [&](int) -> Store& { return *store; };
  for (int threads : {1, 8}) {
    const int per_thread = 800 / threads;
    auto start = std::chrono::steady_clock::now();
    auto results = append_concurrently(threads, per_thread, one, conversations);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& r : results) ASSERT_EQ(r.failure, "");
    std::printf(
        "[ measure  ] append_message, WAL + synchronous=FULL, %d thread(s): %.0f/s (%.3f ms "
        "each)\n",
        threads, threads * per_thread / seconds, 1000.0 * seconds / (threads * per_thread));
  }
  EXPECT_EQ(store->messages(conversations[0]).size(), 1600u);
}

}  // namespace
}  // namespace tektra
