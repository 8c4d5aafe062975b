// The table of built-in intent actions and the phrases shared across them.
#include "agent/intent_actions.h"

namespace tektra {

IntentActions builtin_intent_actions() {
  IntentActions actions;
  add_time_actions(actions);
  add_timer_actions(actions);
  add_fact_actions(actions);
  add_math_actions(actions);
  add_conversation_actions(actions);
  return actions;
}

std::vector<std::string> builtin_capabilities() {
  return {"tell you the time and the date", "set, check and cancel timers",
          "remember things you tell me about yourself", "do simple arithmetic"};
}

std::string not_understood_reply() {
  return "Sorry, I can't do that yet. Ask me for help to hear what I can do.";
}

}  // namespace tektra
