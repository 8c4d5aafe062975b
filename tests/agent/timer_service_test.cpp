// TimerService with real short timers: firing events, cancelling, naming, and surviving restarts.
#include "agent/timer_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>

#include "agent_test_support.h"

namespace tektra {
namespace {

using namespace std::chrono_literals;
constexpr const char* kFired = "tektra.timer.fired";

TEST(TimerService, FiresAnEventForTheRightSession) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerService timers(*db.store, bus);
  auto started = std::chrono::steady_clock::now();
  TimerRecord tea = timers.set("session-a", "conv-1", 100, "Tea");
  EXPECT_EQ(tea.name, "tea");
  EXPECT_EQ(tea.status, "pending");
  auto events = fired.wait_for(1, 2s);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(events.size(), 1u);
  EXPECT_GE(elapsed, 95ms);
  EXPECT_EQ(events[0].session_id, "session-a");
  EXPECT_EQ(events[0].data["id"], tea.id);
  EXPECT_EQ(events[0].data["name"], "tea");
  EXPECT_EQ(events[0].data["conversation_id"], "conv-1");
  EXPECT_EQ(events[0].data["duration_s"], 0.1);
  EXPECT_EQ(events[0].data["message"], "Your tea timer is done.");
  EXPECT_TRUE(timers.list("session-a").empty());
  EXPECT_TRUE(db.store->pending_timers().empty());  // marked fired in the store
}

TEST(TimerService, FiresInDueOrder) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerService timers(*db.store, bus);
  timers.set("s", "", 200, "second");
  timers.set("s", "", 50, "first");
  timers.set("t", "", 120, "middle");
  auto events = fired.wait_for(3, 3s);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data["name"], "first");
  EXPECT_EQ(events[1].data["name"], "middle");
  EXPECT_EQ(events[1].session_id, "t");
  EXPECT_EQ(events[2].data["name"], "second");
}

TEST(TimerService, CancelledTimersDoNotFire) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerService timers(*db.store, bus);
  TimerRecord a = timers.set("s", "", 100, "a");
  timers.set("s", "", 150);
  timers.set("other", "", 150, "a");
  EXPECT_FALSE(timers.cancel("other", a.id));  // another session cannot cancel it
  EXPECT_TRUE(timers.cancel("s", a.id));
  EXPECT_FALSE(timers.cancel("s", a.id));
  auto all = timers.cancel_all("s");
  EXPECT_EQ(all.size(), 1u);
  auto events = fired.wait_for(2, 500ms);
  ASSERT_EQ(events.size(), 1u);  // only the other session's timer
  EXPECT_EQ(events[0].session_id, "other");
  EXPECT_TRUE(db.store->pending_timers().empty());
}

TEST(TimerService, NamesAreUniquePerSessionWhilePending) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerService timers(*db.store, bus);
  timers.set("s", "", 60000, "Pasta");
  EXPECT_EQ(test::thrown_code([&] { timers.set("s", "", 1000, "  pasta "); }), "timer_exists");
  EXPECT_NO_THROW(timers.set("other", "", 60000, "pasta"));
  EXPECT_NO_THROW(timers.set("s", "", 60000));  // unnamed timers never clash
  EXPECT_NO_THROW(timers.set("s", "", 60000));
  ASSERT_TRUE(timers.find("s", "PASTA"));
  EXPECT_FALSE(timers.find("s", "rice"));
  timers.set("s", "", 50, "eggs");
  fired.wait_for(1, 2s);
  EXPECT_NO_THROW(timers.set("s", "", 60000, "eggs"));  // the fired one no longer holds the name
}

TEST(TimerService, RejectsDurationsOutsideOneMillisecondToADay) {
  test::TempStore db;
  EventBus bus;
  TimerService timers(*db.store, bus);
  EXPECT_EQ(test::thrown_code([&] { timers.set("s", "", 0); }), "invalid_timer");
  EXPECT_EQ(test::thrown_code([&] { timers.set("s", "", -5); }), "invalid_timer");
  EXPECT_EQ(test::thrown_code([&] { timers.set("s", "", TimerService::kMaxDurationMs + 1); }),
            "invalid_timer");
  EXPECT_TRUE(db.store->pending_timers().empty());
}

TEST(TimerService, PendingTimersSurviveARestart) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  std::string id;
  {
    TimerService timers(*db.store, bus);
    id = timers.set("session-a", "conv", 300, "bread").id;
    timers.set("session-a", "conv", 60000, "laundry");
  }  // shut down before the timer is due
  EXPECT_TRUE(fired.events().empty());
  db.reopen();
  ASSERT_EQ(db.store->pending_timers().size(), 2u);
  TimerService restarted(*db.store, bus);
  ASSERT_TRUE(restarted.find("session-a", "laundry"));
  auto events = fired.wait_for(1, 3s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data["id"], id);
  EXPECT_EQ(events[0].session_id, "session-a");
  EXPECT_EQ(db.store->pending_timers().size(), 1u);
}

TEST(TimerService, OverdueTimersFireAtOnceOnStart) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerRecord overdue;
  overdue.id = "overdue-1";
  overdue.session_id = "session-z";
  overdue.duration_ms = 300000;
  overdue.due_at_ms = unix_millis_now() - 60000;  // fell due while the process was down
  db.store->save_timer(overdue);
  auto started = std::chrono::steady_clock::now();
  TimerService timers(*db.store, bus);
  auto events = fired.wait_for(1, 2s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(events[0].session_id, "session-z");
  EXPECT_EQ(events[0].data["message"], "Your five minute timer is done.");
  EXPECT_EQ(events[0].data["duration_s"], 300);
  EXPECT_TRUE(db.store->pending_timers().empty());
}

TEST(TimerService, ShutsDownPromptlyWithLongTimersPending) {
  test::TempStore db;
  EventBus bus;
  auto timers = std::make_unique<TimerService>(*db.store, bus);
  timers->set("s", "", TimerService::kMaxDurationMs);
  std::this_thread::sleep_for(20ms);  // let the thread start waiting
  auto started = std::chrono::steady_clock::now();
  timers.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
}

TEST(TimerService, SetFromManyThreadsAtOnce) {
  test::TempStore db;
  EventBus bus;
  test::EventCollector fired(bus, kFired);
  TimerService timers(*db.store, bus);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i)
        timers.set(fmt::format("s{}", t), "", 20 + i * 5, fmt::format("t{}", i));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fired.wait_for(40, 5s).size(), 40u);
}

TEST(TimerService, DoneMessagesReadWellAloud) {
  TimerRecord t;
  t.duration_ms = 300000;
  EXPECT_EQ(timer_done_message(t), "Your five minute timer is done.");
  t.duration_ms = 5400000;
  EXPECT_EQ(timer_done_message(t), "Your one hour thirty minute timer is done.");
  t.name = "tea";
  EXPECT_EQ(timer_done_message(t), "Your tea timer is done.");
}

TEST(TimerService, CanonicalNames) {
  EXPECT_EQ(TimerService::canonical_name("  Boiled   EGGS \n"), "boiled eggs");
  EXPECT_EQ(TimerService::canonical_name(""), "");
}

}  // namespace
}  // namespace tektra
