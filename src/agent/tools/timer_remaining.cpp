// timer_remaining: time left on one named timer, or on each running timer.
#include <fmt/format.h>

#include "agent/timer_service.h"
#include "agent/tools/builtin_tools.h"
#include "core/error.h"

namespace tektra {

Tool timer_remaining_tool() {
  return Tool{"timer_remaining",
              "Tell how much time is left on a named timer, or on every running timer when no name "
              "is given.",
              {{"type", "object"},
               {"properties",
                {{"name", {{"type", "string"}, {"maxLength", 64}, {"description", "The timer"}}}}},
               {"additionalProperties", false}},
              [](const nlohmann::json& args, const ToolContext& context) -> nlohmann::json {
                nlohmann::json timers = nlohmann::json::array();
                std::string name = args.value("name", "");
                if (name.empty()) {
                  for (const auto& t : context.timers.list(context.session_id))
                    timers.push_back(timer_json(t));
                } else {
                  auto timer = context.timers.find(context.session_id, name);
                  if (!timer)
                    throw Error("not_found", fmt::format("there is no timer called {}", name));
                  timers.push_back(timer_json(*timer));
                }
                return {{"timers", timers}};
              }};
}

}  // namespace tektra
