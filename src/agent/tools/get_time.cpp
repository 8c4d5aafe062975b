// get_time: the current local time.
#include <fmt/format.h>

#include "agent/tools/builtin_tools.h"

namespace tektra {

Tool get_time_tool() {
  return Tool{"get_time",
              "Get the current local time of day.",
              {{"type", "object"},
               {"properties", nlohmann::json::object()},
               {"additionalProperties", false}},
              [](const nlohmann::json&, const ToolContext& context) -> nlohmann::json {
                std::tm now = local_time(context.clock());
                char iso[32], zone[16];
                std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S%z", &now);
                std::strftime(zone, sizeof zone, "%Z", &now);
                return {{"time", fmt::format("{:02}:{:02}", now.tm_hour, now.tm_min)},
                        {"hour", now.tm_hour},
                        {"minute", now.tm_min},
                        {"second", now.tm_sec},
                        {"iso", iso},
                        {"timezone", zone}};
              }};
}

}  // namespace tektra
