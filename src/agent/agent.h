// The conversation loop without a language model: sentence templates pick an intent, the intent's
// action calls tools, and the reply is phrased for speech. Every turn is stored in the Store.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/intent_actions.h"
#include "agent/intent_engine.h"
#include "agent/timer_service.h"
#include "agent/tool.h"
#include "agent/tool_registry.h"
#include "core/config.h"
#include "core/event_bus.h"
#include "store/store.h"

namespace tektra {

struct AgentRequest {
  std::string conversation_id;  // empty: create one
  std::string session_id;       // whose timers; timer events carry it
  std::string text;
};

struct AgentReply {
  std::string conversation_id;
  std::string text;
  // The matched intent, "" when none. Set with understood = false when a template matched an
  // intent that has no built-in action (a user-defined intent someone else may handle).
  std::string intent;
  nlohmann::json slots = nlohmann::json::object();
  bool understood = false;
  bool end_conversation = false;  // the user said goodbye
};

// The shipped sentence templates overridden by those in config.intents_dir. Throws
// Error("invalid_template") naming the file and line of a bad template.
IntentEngine load_intent_engine(const AgentConfig& config);

class Agent {
 public:
  // Loads the shipped templates and those in config.intents_dir (which may add or replace
  // intents), builds the tool registry and starts the TimerService, which restores pending timers.
  // Throws Error("invalid_template") naming the file and line of a bad template. `clock` is the
  // wall clock for time and date answers.
  Agent(Store& store, EventBus& bus, const AgentConfig& config,
        WallClock clock = system_wall_clock);

  // Thread-safe. Appends the user's and the assistant's messages to the conversation (meta: intent,
  // slots, score; latency_ms on the reply). Throws Error("empty_text") for blank text and
  // Error("not_found") for an unknown conversation id, before storing anything.
  AgentReply respond(const AgentRequest& request);

  std::string grammar_jsgf() const;
  const ToolRegistry& tools() const { return tools_; }
  TimerService& timers() { return timers_; }
  const IntentEngine& intents() const { return engine_; }
  std::vector<std::string> capabilities() const { return capabilities_; }

 private:
  Store& store_;
  AgentConfig config_;
  WallClock clock_;
  IntentEngine engine_;
  ToolRegistry tools_;
  IntentActions actions_;
  std::vector<std::string> capabilities_;
  TimerService timers_;  // last: its thread stops before the rest is destroyed
};

}  // namespace tektra
