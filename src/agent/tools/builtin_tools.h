// The tools every agent has: time, date, timers, remembered facts and arithmetic.
#pragma once

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/tool.h"
#include "agent/tool_registry.h"
#include "store/store.h"

namespace tektra {

Tool get_time_tool();
Tool get_date_tool();
Tool set_timer_tool();
Tool cancel_timer_tool();
Tool list_timers_tool();
Tool timer_remaining_tool();
Tool remember_fact_tool();
Tool recall_fact_tool();
Tool calculate_tool();

// Adds all of the above.
void add_builtin_tools(ToolRegistry& registry);

// The calendar fields of `when` in the process's local time zone.
std::tm local_time(std::chrono::system_clock::time_point when);

// How the timer tools describe a timer: {"id", "name", "duration_seconds", "remaining_seconds",
// "due_at_ms"}.
nlohmann::json timer_json(const TimerRecord& timer);

}  // namespace tektra
