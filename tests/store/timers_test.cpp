// Timers: save (insert or replace by id), status changes and pending timers in due order.
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::thrown_code;

TimerRecord timer(const std::string& id, int64_t due_at_ms, const std::string& name = "") {
  TimerRecord t;
  t.id = id;
  t.name = name;
  t.session_id = "sess_1";
  t.conversation_id = "conv_1";
  t.duration_ms = 60'000;
  t.due_at_ms = due_at_ms;
  return t;
}

std::vector<std::string> ids(const std::vector<TimerRecord>& timers) {
  std::vector<std::string> result;
  for (const auto& t : timers) result.push_back(t.id);
  return result;
}

class TimersTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::unique_ptr<Store> store_ = open_sqlite_store(dir_.file("store.db"));
};

TEST_F(TimersTest, SavesEveryField) {
  TimerRecord saved = timer("timer_a", 1'700'000'000'000, "pasta");
  saved.duration_ms = 480'000;
  store_->save_timer(saved);
  auto pending = store_->pending_timers();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, "timer_a");
  EXPECT_EQ(pending[0].name, "pasta");
  EXPECT_EQ(pending[0].session_id, "sess_1");
  EXPECT_EQ(pending[0].conversation_id, "conv_1");
  EXPECT_EQ(pending[0].duration_ms, 480'000);
  EXPECT_EQ(pending[0].due_at_ms, 1'700'000'000'000);
  EXPECT_EQ(pending[0].status, "pending");
}

TEST_F(TimersTest, PendingAreOrderedByDueTime) {
  store_->save_timer(timer("late", 3000));
  store_->save_timer(timer("early", 1000));
  store_->save_timer(timer("middle", 2000));
  EXPECT_EQ(ids(store_->pending_timers()), (std::vector<std::string>{"early", "middle", "late"}));
}

TEST_F(TimersTest, StatusChangesTakeTimersOutOfPending) {
  store_->save_timer(timer("a", 1000));
  store_->save_timer(timer("b", 2000));
  store_->save_timer(timer("c", 3000));
  EXPECT_TRUE(store_->set_timer_status("a", "fired"));
  EXPECT_TRUE(store_->set_timer_status("c", "cancelled"));
  EXPECT_EQ(ids(store_->pending_timers()), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(store_->set_timer_status("a", "pending"));
  EXPECT_EQ(ids(store_->pending_timers()), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(store_->set_timer_status("missing", "fired"));
}

TEST_F(TimersTest, SaveReplacesById) {
  store_->save_timer(timer("t", 1000, "tea"));
  TimerRecord changed = timer("t", 5000, "green tea");
  changed.duration_ms = 5000;
  store_->save_timer(changed);
  auto pending = store_->pending_timers();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].name, "green tea");
  EXPECT_EQ(pending[0].due_at_ms, 5000);
  EXPECT_EQ(pending[0].duration_ms, 5000);

  changed.status = "cancelled";
  store_->save_timer(changed);
  EXPECT_TRUE(store_->pending_timers().empty());
}

TEST_F(TimersTest, InvalidStatusIsRejected) {
  store_->save_timer(timer("t", 1000));
  EXPECT_EQ(thrown_code([&] { store_->set_timer_status("t", "done"); }), "invalid_argument");
  EXPECT_EQ(thrown_code([&] { store_->set_timer_status("t", ""); }), "invalid_argument");
  TimerRecord bad = timer("u", 1000);
  bad.status = "Pending";
  EXPECT_EQ(thrown_code([&] { store_->save_timer(bad); }), "invalid_argument");
  EXPECT_EQ(ids(store_->pending_timers()), (std::vector<std::string>{"t"}));
}

TEST_F(TimersTest, EmptyIdAndNegativeDurationAreRejected) {
  EXPECT_EQ(thrown_code([&] { store_->save_timer(timer("", 1000)); }), "invalid_argument");
  TimerRecord negative = timer("n", 1000);
  negative.duration_ms = -1;
  EXPECT_EQ(thrown_code([&] { store_->save_timer(negative); }), "invalid_argument");
  EXPECT_TRUE(store_->pending_timers().empty());
}

}  // namespace
}  // namespace tektra
