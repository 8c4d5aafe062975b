#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/event_bus.h"
#include "core/serial_executor.h"
#include "core/thread_pool.h"
#include "core/timer_queue.h"

namespace tektra {
namespace {

using namespace std::chrono_literals;

TEST(ThreadPool, RunsEveryTaskAndSurvivesThrowingOnes) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 100; ++i) {
      pool.post([&ran, i] {
        ran++;
        if (i % 10 == 0) throw std::runtime_error("task failure is logged, not fatal");
      });
    }
  }  // the destructor finishes queued work
  EXPECT_EQ(ran.load(), 100);
}

TEST(SerialExecutor, TasksNeverOverlapAndKeepOrder) {
  ThreadPool pool(4);
  SerialExecutor executor(pool);
  std::atomic<int> inside{0};
  std::vector<int> order;
  for (int i = 0; i < 200; ++i) {
    executor.post([&, i] {
      EXPECT_EQ(inside.fetch_add(1), 0);
      order.push_back(i);
      inside.fetch_sub(1);
    });
  }
  executor.drain();
  ASSERT_EQ(order.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST(SerialExecutor, ShutdownDropsQueuedWorkAndWaitsForTheRunningTask) {
  ThreadPool pool(2);
  SerialExecutor executor(pool);
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  std::atomic<int> later{0};
  executor.post([&] {
    entered.set_value();
    std::this_thread::sleep_for(50ms);
    finished = true;
  });
  for (int i = 0; i < 10; ++i) executor.post([&] { later++; });
  entered.get_future().wait();
  executor.shutdown();
  EXPECT_TRUE(finished.load());
  executor.post([&] { later++; });  // refused after shutdown
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(later.load(), 0);
}

TEST(TimerQueue, RunsTasksInTimeOrder) {
  TimerQueue timers;
  std::mutex m;
  std::vector<int> order;
  std::promise<void> done;
  auto now = SteadyClock::now();
  timers.schedule(now + 60ms, [&] {
    std::lock_guard lock(m);
    order.push_back(3);
    done.set_value();
  });
  timers.schedule(now + 20ms, [&] {
    std::lock_guard lock(m);
    order.push_back(1);
  });
  timers.schedule(now + 20ms, [&] {
    std::lock_guard lock(m);
    order.push_back(2);
  });
  timers.schedule(now - 1s, [&] {
    std::lock_guard lock(m);
    order.push_back(0);
  });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_GE(SteadyClock::now() - now, 60ms);
  std::lock_guard lock(m);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

TEST(EventBus, DeliversToSubscribersUntilUnsubscribed) {
  EventBus bus;
  int a = 0, b = 0;
  auto id_a = bus.subscribe([&](const Event& e) { a += e.data.value("n", 0); });
  bus.subscribe([&](const Event&) { b++; });
  bus.publish({"x", "", {{"n", 2}}});
  bus.unsubscribe(id_a);
  bus.publish({"x", "", {{"n", 5}}});
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 2);
}

}  // namespace
}  // namespace tektra
