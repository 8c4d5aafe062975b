// Replies for Calculate.
#include "agent/intent_actions.h"
#include "agent/spoken.h"
#include "core/error.h"

namespace tektra {

void add_math_actions(IntentActions& actions) {
  actions["Calculate"] = [](const ActionContext& c) {
    const auto& slots = c.match.slots;
    std::string question = spoken_number(slots["a"].get<double>()) + " " +
                           slots["op"].get<std::string>() + " " +
                           spoken_number(slots["b"].get<double>());
    try {
      auto result = c.tools.call(
          "calculate", {{"a", slots["a"]}, {"op", slots["op"]}, {"b", slots["b"]}}, c.tool_context);
      return ActionReply{question + " is " + spoken_number(result["result"].get<double>()) + "."};
    } catch (const Error& e) {
      if (e.code() == "division_by_zero")
        return ActionReply{"I can't divide by zero; it has no answer."};
      if (e.code() == "number_too_large")
        return ActionReply{"That number is too big for me to work out."};
      throw;
    }
  };
}

}  // namespace tektra
