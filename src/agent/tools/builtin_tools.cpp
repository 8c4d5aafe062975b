// Registers the built-in tools and holds the helpers they share.
#include "agent/tools/builtin_tools.h"

#include <cmath>

#include "agent/timer_service.h"

namespace tektra {

void add_builtin_tools(ToolRegistry& registry) {
  for (Tool (*make)() :
       {get_time_tool, get_date_tool, set_timer_tool, cancel_timer_tool, list_timers_tool,
        timer_remaining_tool, remember_fact_tool, recall_fact_tool, calculate_tool}) {
    registry.add(make());
  }
}

std::tm local_time(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm fields{};
  localtime_r(&t, &fields);
  return fields;
}

nlohmann::json timer_json(const TimerRecord& timer) {
  // Whole seconds, rounded up, so a timer with 200 ms left does not read as "zero seconds".
  int64_t remaining_ms = TimerService::remaining_ms(timer);
  return {{"id", timer.id},
          {"name", timer.name},
          {"duration_seconds", static_cast<double>(timer.duration_ms) / 1000.0},
          {"remaining_seconds", (remaining_ms + 999) / 1000},
          {"due_at_ms", timer.due_at_ms}};
}

}  // namespace tektra
