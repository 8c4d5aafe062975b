// Replies for GetTime and GetDate.
#include "agent/intent_actions.h"
#include "agent/spoken.h"

namespace tektra {

void add_time_actions(IntentActions& actions) {
  actions["GetTime"] = [](const ActionContext& c) {
    auto now = c.tools.call("get_time", nlohmann::json::object(), c.tool_context);
    return ActionReply{"It's " + spoken_time(now["hour"], now["minute"]) + "."};
  };
  actions["GetDate"] = [](const ActionContext& c) {
    auto today = c.tools.call("get_date", nlohmann::json::object(), c.tool_context);
    return ActionReply{
        "Today is " +
        spoken_date(today["weekday_index"], today["day"], today["month"], today["year"]) + "."};
  };
}

}  // namespace tektra
