// The conversation loop: sentence templates pick an intent, the intent's action calls tools, and
// the reply is phrased for speech. What no intent matches goes to the language model when there is
// one (LlmResponder), which calls the same tools. Every turn is stored in the Store.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/intent_actions.h"
#include "agent/intent_engine.h"
#include "agent/llm_responder.h"
#include "agent/personality.h"
#include "agent/timer_service.h"
#include "agent/tool.h"
#include "agent/tool_registry.h"
#include "core/cancellation.h"
#include "core/config.h"
#include "core/event_bus.h"
#include "llm/chat_engine.h"
#include "store/store.h"

namespace tektra {

// Fields are named when built ({.text = ...}); those left out keep their defaults.
struct AgentRequest {
  std::string conversation_id = {};  // empty: create one
  std::string session_id = {};       // whose timers; timer events carry it
  std::string text = {};
  std::string instructions = {};  // the client's own for this session (Realtime), for the model
  // Receives the reply as it is decided: a model's words as it writes them, an intent's reply
  // whole. Returning false cancels the rest. Runs on the thread that called respond().
  ReplyTextCallback on_text = {};
  CancellationToken cancel = {};  // ends a model reply within a token
};

struct AgentReply {
  std::string conversation_id;
  std::string text;
  // The matched intent, "" when none. Set with understood = false when a template matched an
  // intent that has no built-in action (a user-defined intent someone else may handle).
  std::string intent;
  nlohmann::json slots = nlohmann::json::object();
  bool understood = false;
  bool end_conversation = false;          // the user said goodbye
  bool from_model = false;                // the language model answered
  bool cancelled = false;                 // cut short; `text` is what was decided before
  std::vector<std::string> tools_called;  // by the model, in order
  double model_first_token_s = -1;        // from respond() to the model's first and last tokens
  double model_last_token_s = -1;
};

// The shipped sentence templates overridden by those in config.intents_dir. Throws
// Error("invalid_template") naming the file and line of a bad template.
IntentEngine load_intent_engine(const AgentConfig& config);

class Agent {
 public:
  // Loads the shipped templates and those in config.intents_dir (which may add or replace
  // intents), builds the tool registry and starts the TimerService, which restores pending timers.
  // Throws Error("invalid_template") naming the file and line of a bad template, and
  // Error("invalid_config") for a bad personality. `model` (may be null) answers what no intent
  // matches; it must outlive the agent. `clock` is the wall clock for time and date answers.
  Agent(Store& store, EventBus& bus, const AgentConfig& config, llm::ChatEngine* model = nullptr,
        WallClock clock = system_wall_clock);

  // Thread-safe. Appends the user's and the assistant's messages to the conversation (meta: intent,
  // slots, score; latency_ms on the reply; a model's tool calls and results as their own
  // messages). Throws Error("empty_text") for blank text and Error("not_found") for an unknown
  // conversation id, before storing anything. While the model cannot be reached
  // ("engine_unavailable") the reply is the intents-only one; its other errors are thrown.
  AgentReply respond(const AgentRequest& request);
  // Throws the errors respond() refuses `request` with before it stores anything.
  void check(const AgentRequest& request) const;

  bool has_model() const { return model_ != nullptr; }
  Personality personality() const;
  // Throws Error("invalid_value") naming the field; see with_changes().
  Personality update_personality(const nlohmann::json& changes);
  Personality reset_personality();

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
  llm::ChatEngine* model_;
  std::unique_ptr<LlmResponder> responder_;  // with a model
  TimerService timers_;                      // last: its thread stops before the rest is destroyed
};

}  // namespace tektra
