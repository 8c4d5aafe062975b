// calculate: one arithmetic operation on two numbers, with overflow and division by zero caught.
#include <cmath>

#include "agent/tools/builtin_tools.h"
#include "core/error.h"

namespace tektra {

Tool calculate_tool() {
  return Tool{"calculate",
              "Do one arithmetic operation: a plus, minus, times or divided by b.",
              {{"type", "object"},
               {"properties",
                {{"a", {{"type", "number"}}},
                 {"op", {{"type", "string"}, {"enum", {"plus", "minus", "times", "divided by"}}}},
                 {"b", {{"type", "number"}}}}},
               {"required", {"a", "op", "b"}},
               {"additionalProperties", false}},
              [](const nlohmann::json& args, const ToolContext&) -> nlohmann::json {
                // Doubles throughout: no integer overflow is possible, and the result is checked
                // below.
                double a = args["a"].get<double>(), b = args["b"].get<double>();
                std::string op = args["op"].get<std::string>();
                double result = 0;
                if (op == "plus") {
                  result = a + b;
                } else if (op == "minus") {
                  result = a - b;
                } else if (op == "times") {
                  result = a * b;
                } else {
                  if (b == 0) throw Error("division_by_zero", "cannot divide by zero");
                  result = a / b;
                }
                if (!std::isfinite(result))
                  throw Error("number_too_large", "the result is too large to represent");
                if (std::abs(result) < 9.0e15 && result == std::floor(result)) {
                  return {{"result", static_cast<int64_t>(result)}};
                }
                return {{"result", result}};
              }};
}

}  // namespace tektra
