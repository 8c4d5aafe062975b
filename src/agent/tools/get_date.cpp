// get_date: today's local date and day of the week.
#include <fmt/format.h>

#include "agent/spoken.h"
#include "agent/tools/builtin_tools.h"

namespace tektra {

Tool get_date_tool() {
  return Tool{"get_date",
              "Get today's local date and day of the week.",
              {{"type", "object"},
               {"properties", nlohmann::json::object()},
               {"additionalProperties", false}},
              [](const nlohmann::json&, const ToolContext& context) -> nlohmann::json {
                std::tm now = local_time(context.clock());
                return {{"date", fmt::format("{:04}-{:02}-{:02}", now.tm_year + 1900,
                                             now.tm_mon + 1, now.tm_mday)},
                        {"year", now.tm_year + 1900},
                        {"month", now.tm_mon + 1},
                        {"day", now.tm_mday},
                        {"weekday", std::string(weekday_name(now.tm_wday))},
                        {"weekday_index", now.tm_wday},
                        {"month_name", std::string(month_name(now.tm_mon + 1))}};
              }};
}

}  // namespace tektra
