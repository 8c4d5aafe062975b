// How the agent answers each built-in intent: it calls the matching tool and phrases the result
// for speech.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/intent_engine.h"
#include "agent/tool_registry.h"
#include "core/config.h"

namespace tektra {

struct ActionContext {
  const IntentMatch& match;
  const ToolRegistry& tools;
  const ToolContext& tool_context;
  const AgentConfig& config;
  const std::vector<std::string>& capabilities;
};

struct ActionReply {
  std::string text;
  bool end_conversation = false;
};

using IntentAction = std::function<ActionReply(const ActionContext&)>;
using IntentActions = std::map<std::string, IntentAction, std::less<>>;

void add_time_actions(IntentActions& actions);          // GetTime, GetDate
void add_timer_actions(IntentActions& actions);         // SetTimer, CancelTimer, CancelAllTimers,
                                                        // ListTimers, TimerRemaining
void add_fact_actions(IntentActions& actions);          // RememberFact, RecallFact
void add_math_actions(IntentActions& actions);          // Calculate
void add_conversation_actions(IntentActions& actions);  // Greeting, Thanks, Goodbye, Help

// Every built-in intent's action.
IntentActions builtin_intent_actions();

// What the built-in actions let the assistant do, as help says it ("set, check and cancel timers").
std::vector<std::string> builtin_capabilities();

// The reply when nothing matched or the intent has no action.
std::string not_understood_reply();

}  // namespace tektra
