// Each built-in tool through the registry, against a real SQLite store and TimerService.
#include <gtest/gtest.h>

#include <limits>

#include "agent/timer_service.h"
#include "agent/tool_registry.h"
#include "agent/tools/builtin_tools.h"
#include "agent_test_support.h"

namespace tektra {
namespace {

using nlohmann::json;

class ToolsTest : public ::testing::Test {
 protected:
  ToolsTest() { add_builtin_tools(registry); }

  json call(const std::string& name, const json& args = json::object()) {
    return registry.call(name, args, context);
  }
  std::string code(const std::string& name, const json& args) {
    return test::thrown_code([&] { call(name, args); });
  }

  test::TempStore db;
  EventBus bus;
  TimerService timers{*db.store, bus};
  ToolRegistry registry;
  ToolContext context{"session-a", "conversation-1", *db.store, timers,
                      [] { return test::local_instant(2024, 5, 14, 15, 10); }};
};

TEST_F(ToolsTest, GetTimeReadsTheContextClock) {
  json now = call("get_time");
  EXPECT_EQ(now["time"], "15:10");
  EXPECT_EQ(now["hour"], 15);
  EXPECT_EQ(now["minute"], 10);
  EXPECT_EQ(now["iso"].get<std::string>().substr(0, 19), "2024-05-14T15:10:00");
  EXPECT_FALSE(now["timezone"].get<std::string>().empty());
  EXPECT_EQ(code("get_time", {{"zone", "UTC"}}), "invalid_tool_arguments");
}

TEST_F(ToolsTest, GetDateGivesTheDayOfTheWeek) {
  json today = call("get_date");
  EXPECT_EQ(today["date"], "2024-05-14");
  EXPECT_EQ(today["weekday"], "Tuesday");
  EXPECT_EQ(today["weekday_index"], 2);
  EXPECT_EQ(today["month_name"], "May");
  EXPECT_EQ(today["year"], 2024);
  EXPECT_EQ(today["day"], 14);
}

TEST_F(ToolsTest, SetTimerStartsAndPersistsATimer) {
  json timer = call("set_timer", {{"seconds", 300}, {"name", "Tea"}});
  EXPECT_EQ(timer["name"], "tea");
  EXPECT_EQ(timer["duration_seconds"], 300.0);
  EXPECT_LE(timer["remaining_seconds"].get<int64_t>(), 300);
  EXPECT_GE(timer["remaining_seconds"].get<int64_t>(), 299);
  auto pending = db.store->pending_timers();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].session_id, "session-a");
  EXPECT_EQ(pending[0].conversation_id, "conversation-1");
  EXPECT_EQ(pending[0].duration_ms, 300000);
  EXPECT_EQ(code("set_timer", {{"seconds", 60}, {"name", " TEA "}}), "timer_exists");
  EXPECT_EQ(code("set_timer", {{"seconds", 0}}), "invalid_tool_arguments");
  EXPECT_EQ(code("set_timer", {{"seconds", 86401}}), "invalid_tool_arguments");
  EXPECT_EQ(code("set_timer", {{"name", "tea"}}), "invalid_tool_arguments");
  EXPECT_EQ(code("set_timer", {{"seconds", 10}, {"name", std::string(65, 'x')}}),
            "invalid_tool_arguments");
}

TEST_F(ToolsTest, CancelTimerByNameOnlyOrAll) {
  EXPECT_EQ(code("cancel_timer", json::object()), "not_found");
  call("set_timer", {{"seconds", 60}});
  json one = call("cancel_timer");
  ASSERT_EQ(one["cancelled"].size(), 1u);
  EXPECT_TRUE(timers.list("session-a").empty());

  call("set_timer", {{"seconds", 60}, {"name", "tea"}});
  call("set_timer", {{"seconds", 120}, {"name", "eggs"}});
  EXPECT_EQ(code("cancel_timer", json::object()), "ambiguous_timer");
  EXPECT_EQ(code("cancel_timer", {{"name", "pasta"}}), "not_found");
  json eggs = call("cancel_timer", {{"name", "Eggs"}});
  EXPECT_EQ(eggs["cancelled"][0]["name"], "eggs");
  ASSERT_EQ(timers.list("session-a").size(), 1u);

  call("set_timer", {{"seconds", 30}});
  json all = call("cancel_timer", {{"all", true}});
  EXPECT_EQ(all["cancelled"].size(), 2u);
  EXPECT_TRUE(db.store->pending_timers().empty());
  EXPECT_TRUE(call("cancel_timer", {{"all", true}})["cancelled"].empty());
  EXPECT_EQ(code("cancel_timer", {{"all", "yes"}}), "invalid_tool_arguments");
}

TEST_F(ToolsTest, ListTimersShowsOnlyThisSessionSoonestFirst) {
  call("set_timer", {{"seconds", 600}, {"name", "later"}});
  call("set_timer", {{"seconds", 60}, {"name", "sooner"}});
  timers.set("session-b", "", 30000, "other");
  json list = call("list_timers");
  ASSERT_EQ(list["timers"].size(), 2u);
  EXPECT_EQ(list["timers"][0]["name"], "sooner");
  EXPECT_EQ(list["timers"][1]["name"], "later");
}

TEST_F(ToolsTest, TimerRemainingForOneOrAll) {
  EXPECT_TRUE(call("timer_remaining")["timers"].empty());
  call("set_timer", {{"seconds", 90}, {"name", "tea"}});
  call("set_timer", {{"seconds", 30}});
  json tea = call("timer_remaining", {{"name", "tea"}});
  ASSERT_EQ(tea["timers"].size(), 1u);
  EXPECT_GE(tea["timers"][0]["remaining_seconds"].get<int64_t>(), 89);
  EXPECT_LE(tea["timers"][0]["remaining_seconds"].get<int64_t>(), 90);
  EXPECT_EQ(call("timer_remaining")["timers"].size(), 2u);
  EXPECT_EQ(code("timer_remaining", {{"name", "pasta"}}), "not_found");
}

TEST_F(ToolsTest, FactsAreKeyedByNormalisedWords) {
  json stored = call("remember_fact", {{"key", "My Favorite  Color"}, {"value", "Blue"}});
  EXPECT_EQ(stored["key"], "my favourite colour");
  json recalled = call("recall_fact", {{"key", "my favourite colour?"}});
  EXPECT_EQ(recalled["known"], true);
  EXPECT_EQ(recalled["value"], "Blue");
  json unknown = call("recall_fact", {{"key", "my shoe size"}});
  EXPECT_EQ(unknown["known"], false);
  EXPECT_TRUE(unknown["value"].is_null());
  EXPECT_EQ(code("remember_fact", {{"key", "?!"}, {"value", "x"}}), "invalid_tool_arguments");
  EXPECT_EQ(code("remember_fact", {{"key", "my name"}}), "invalid_tool_arguments");
  EXPECT_EQ(code("remember_fact", {{"key", "my name"}, {"value", ""}}), "invalid_tool_arguments");
  EXPECT_EQ(code("recall_fact", json::object()), "invalid_tool_arguments");
  EXPECT_EQ(call("recall_fact", {{"key", "..."}})["known"], false);
}

TEST_F(ToolsTest, CalculateDoesFourOperations) {
  EXPECT_EQ(call("calculate", {{"a", 12}, {"op", "times"}, {"b", 7}})["result"], 84);
  EXPECT_TRUE(
      call("calculate", {{"a", 12}, {"op", "times"}, {"b", 7}})["result"].is_number_integer());
  EXPECT_EQ(call("calculate", {{"a", 2}, {"op", "plus"}, {"b", 2.5}})["result"], 4.5);
  EXPECT_EQ(call("calculate", {{"a", 2}, {"op", "minus"}, {"b", 5}})["result"], -3);
  EXPECT_EQ(call("calculate", {{"a", 10}, {"op", "divided by"}, {"b", 4}})["result"], 2.5);
  EXPECT_EQ(call("calculate", {{"a", 1e300}, {"op", "plus"}, {"b", 1}})["result"], 1e300);
}

TEST_F(ToolsTest, CalculateRejectsDivisionByZeroOverflowAndBadOperators) {
  EXPECT_EQ(code("calculate", {{"a", 1}, {"op", "divided by"}, {"b", 0}}), "division_by_zero");
  EXPECT_EQ(code("calculate", {{"a", 0}, {"op", "divided by"}, {"b", 0}}), "division_by_zero");
  EXPECT_EQ(code("calculate", {{"a", 1e308}, {"op", "times"}, {"b", 10}}), "number_too_large");
  EXPECT_EQ(code("calculate", {{"a", -1e308}, {"op", "minus"}, {"b", 1e308}}), "number_too_large");
  EXPECT_EQ(code("calculate", {{"a", 1e308}, {"op", "divided by"}, {"b", 1e-10}}),
            "number_too_large");
  EXPECT_EQ(code("calculate", {{"a", 1}, {"op", "modulo"}, {"b", 2}}), "invalid_tool_arguments");
  EXPECT_EQ(code("calculate", {{"a", "1"}, {"op", "plus"}, {"b", 2}}), "invalid_tool_arguments");
  EXPECT_EQ(
      code("calculate", {{"a", std::numeric_limits<double>::infinity()}, {"op", "plus"}, {"b", 2}}),
      "invalid_tool_arguments");
}

}  // namespace
}  // namespace tektra
