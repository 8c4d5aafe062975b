// Replies for RememberFact and RecallFact; facts are keyed from the user's side ("my name").
#include "agent/intent_actions.h"
#include "agent/spoken.h"
#include "core/error.h"

namespace tektra {
namespace {

// Templates capture the subject after "my"; the stored key keeps the "my".
std::string fact_key(const ActionContext& c) {
  return "my " + c.match.slots["key"].get<std::string>();
}

}  // namespace

void add_fact_actions(IntentActions& actions) {
  actions["RememberFact"] = [](const ActionContext& c) {
    std::string key = fact_key(c);
    std::string value = c.match.slots["value"].get<std::string>();
    try {
      c.tools.call("remember_fact", {{"key", key}, {"value", value}}, c.tool_context);
    } catch (const Error& e) {
      if (e.code() == "invalid_tool_arguments")
        return ActionReply{"Sorry, that's too long for me to remember."};
      throw;
    }
    return ActionReply{"OK, I'll remember that " + flip_pronouns(key) + " " +
                       std::string(copula_for(key)) + " " + flip_pronouns(value) + "."};
  };
  actions["RecallFact"] = [](const ActionContext& c) {
    std::string key = fact_key(c);
    auto fact = c.tools.call("recall_fact", {{"key", key}}, c.tool_context);
    if (!fact["known"].get<bool>())
      return ActionReply{"I don't know " + flip_pronouns(key) + " yet."};
    return ActionReply{capitalize(flip_pronouns(key)) + " " + std::string(copula_for(key)) + " " +
                       flip_pronouns(fact["value"].get<std::string>()) + "."};
  };
}

}  // namespace tektra
