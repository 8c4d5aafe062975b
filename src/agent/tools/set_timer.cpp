// set_timer: start a countdown that announces itself when it ends.
#include <cmath>

#include "agent/timer_service.h"
#include "agent/tools/builtin_tools.h"

namespace tektra {

Tool set_timer_tool() {
  return Tool{
      "set_timer",
      "Start a timer that announces when it is done. Timers last from one second to 24 hours; a "
      "name (like \"tea\") lets the user refer to it later and must be unique among their timers.",
      {{"type", "object"},
       {"properties",
        {{"seconds",
          {{"type", "number"},
           {"minimum", 1},
           {"maximum", 86400},
           {"description", "How long the timer runs"}}},
         {"name", {{"type", "string"}, {"maxLength", 64}, {"description", "Optional name"}}}}},
       {"required", {"seconds"}},
       {"additionalProperties", false}},
      [](const nlohmann::json& args, const ToolContext& context) -> nlohmann::json {
        int64_t ms = std::llround(args["seconds"].get<double>() * 1000.0);
        return timer_json(context.timers.set(context.session_id, context.conversation_id, ms,
                                             args.value("name", "")));
      }};
}

}  // namespace tektra
