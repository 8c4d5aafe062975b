// Replies for Greeting, Thanks, Goodbye and Help.
#include "agent/intent_actions.h"
#include "agent/spoken.h"

namespace tektra {

void add_conversation_actions(IntentActions& actions) {
  actions["Greeting"] = [](const ActionContext& c) {
    return ActionReply{"Hello! I'm " + c.config.name + ". How can I help?"};
  };
  actions["Thanks"] = [](const ActionContext&) { return ActionReply{"You're welcome."}; };
  actions["Goodbye"] = [](const ActionContext&) { return ActionReply{"Goodbye!", true}; };
  actions["Help"] = [](const ActionContext& c) {
    return ActionReply{"I'm " + c.config.name + ". I can " + join_words(c.capabilities) +
                       ". For example, say: set a timer for five minutes."};
  };
}

}  // namespace tektra
