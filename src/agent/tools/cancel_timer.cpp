// cancel_timer: stop one timer by name, the only timer, or all of them.
#include <fmt/format.h>

#include "agent/timer_service.h"
#include "agent/tools/builtin_tools.h"
#include "core/error.h"

namespace tektra {

Tool cancel_timer_tool() {
  return Tool{
      "cancel_timer",
      "Cancel a timer by name, or all timers. With neither, cancels the user's only timer.",
      {{"type", "object"},
       {"properties",
        {{"name", {{"type", "string"}, {"maxLength", 64}, {"description", "The timer to cancel"}}},
         {"all", {{"type", "boolean"}, {"description", "Cancel every timer"}}}}},
       {"additionalProperties", false}},
      [](const nlohmann::json& args, const ToolContext& context) -> nlohmann::json {
        TimerService& timers = context.timers;
        nlohmann::json cancelled = nlohmann::json::array();
        if (args.value("all", false)) {
          for (const auto& t : timers.cancel_all(context.session_id))
            cancelled.push_back(timer_json(t));
          return {{"cancelled", cancelled}};
        }
        std::string name = args.value("name", "");
        std::optional<TimerRecord> target;
        if (!name.empty()) {
          target = timers.find(context.session_id, name);
          if (!target) throw Error("not_found", fmt::format("there is no timer called {}", name));
        } else {
          auto all = timers.list(context.session_id);
          if (all.empty()) throw Error("not_found", "there are no timers");
          if (all.size() > 1) {
            throw Error("ambiguous_timer",
                        fmt::format("there are {} timers; give a name or set all", all.size()));
          }
          target = all[0];
        }
        // It may have fired between the lookup and now; then there is nothing left to cancel.
        if (!timers.cancel(context.session_id, target->id)) {
          throw Error("not_found", "the timer has already finished");
        }
        cancelled.push_back(timer_json(*target));
        return {{"cancelled", cancelled}};
      }};
}

}  // namespace tektra
