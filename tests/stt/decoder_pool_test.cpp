// The decoder pool: reuse, creation on demand, concurrency and its bound on idle decoders.
#include "stt/decoder_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tektra {
namespace {

struct Numbered {
  int id;
};

// Counts live instances, so a test can tell a decoder kept idle from one freed.
struct Counted {
  explicit Counted(std::atomic<int>& live) : live(live) { ++live; }
  ~Counted() { --live; }
  std::atomic<int>& live;
};

class DecoderPoolTest : public ::testing::Test {
 protected:
  DecoderPool<Numbered> pool_{[this] { return std::make_unique<Numbered>(Numbered{++made_}); },
                              /*max_idle=*/64};
  std::atomic<int> made_{0};
};

TEST_F(DecoderPoolTest, ReturnedDecodersAreReusedInsteadOfCreated) {
  int first_id = 0;
  {
    auto lease = pool_.acquire();
    first_id = lease->id;
    EXPECT_EQ(pool_.idle(), 0u);
  }
  EXPECT_EQ(pool_.idle(), 1u);
  auto again = pool_.acquire();
  EXPECT_EQ(again->id, first_id);
  auto second = pool_.acquire();  // the first is taken: a new one
  EXPECT_NE(second->id, first_id);
  EXPECT_EQ(pool_.created(), 2u);
}

TEST_F(DecoderPoolTest, MovedAndResetLeasesReturnTheirDecoderOnce) {
  auto lease = pool_.acquire();
  auto moved = std::move(lease);
  EXPECT_FALSE(lease);
  EXPECT_TRUE(moved);
  moved.reset();
  EXPECT_FALSE(moved);
  EXPECT_EQ(pool_.idle(), 1u);
  DecoderPool<Numbered>::Lease assigned = pool_.acquire();
  assigned = pool_.acquire();  // the first goes back when overwritten
  EXPECT_EQ(pool_.idle(), 1u);
  EXPECT_EQ(pool_.created(), 2u);
}

TEST(DecoderPool, DecodersReturnedBeyondTheIdleBoundAreFreed) {
  std::atomic<int> live{0};
  DecoderPool<Counted> pool([&] { return std::make_unique<Counted>(live); }, /*max_idle=*/2);
  {
    std::vector<DecoderPool<Counted>::Lease> burst;
    for (int i = 0; i < 5; ++i) burst.push_back(pool.acquire());
    EXPECT_EQ(live.load(), 5);
  }
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(live.load(), 2);
  // The kept ones serve the next two users; a third needs a new one.
  auto first = pool.acquire();
  auto second = pool.acquire();
  EXPECT_EQ(pool.created(), 5u);
  auto third = pool.acquire();
  EXPECT_EQ(pool.created(), 6u);
}

TEST(DecoderPool, ZeroIdleBoundFreesEveryReturnedDecoder) {
  std::atomic<int> live{0};
  DecoderPool<Counted> pool([&] { return std::make_unique<Counted>(live); }, /*max_idle=*/0);
  pool.acquire();
  EXPECT_EQ(live.load(), 0);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_F(DecoderPoolTest, ConcurrentUsersNeverShareADecoder) {
  std::vector<std::atomic<int>> holders(64);
  std::atomic<int> shared_uses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto lease = pool_.acquire();
        if (holders[lease->id].fetch_add(1) != 0) ++shared_uses;
        std::this_thread::yield();
        holders[lease->id].fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(shared_uses.load(), 0);
  EXPECT_LE(pool_.created(), 4u);
  EXPECT_EQ(pool_.idle(), pool_.created());
}

TEST(DecoderPool, FactoryFailuresReachTheCaller) {
  DecoderPool<Numbered> pool(
      []() -> std::unique_ptr<Numbered> { throw std::runtime_error("model missing"); }, 1);
  EXPECT_THROW(pool.acquire(), std::runtime_error);
  EXPECT_EQ(pool.created(), 0u);
}

}  // namespace
}  // namespace tektra
