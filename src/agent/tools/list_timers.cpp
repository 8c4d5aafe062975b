// list_timers: the user's running timers, soonest first.
#include "agent/timer_service.h"
#include "agent/tools/builtin_tools.h"

namespace tektra {

Tool list_timers_tool() {
  return Tool{"list_timers",
              "List the user's running timers, soonest first, with the time left on each.",
              {{"type", "object"},
               {"properties", nlohmann::json::object()},
               {"additionalProperties", false}},
              [](const nlohmann::json&, const ToolContext& context) -> nlohmann::json {
                nlohmann::json timers = nlohmann::json::array();
                for (const auto& t : context.timers.list(context.session_id))
                  timers.push_back(timer_json(t));
                return {{"timers", timers}};
              }};
}

}  // namespace tektra
