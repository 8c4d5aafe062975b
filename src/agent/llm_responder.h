// A turn answered by the language model: it sees the conversation (ConversationMemory) and the
// tool registry's tools, may call tools for several rounds, each call run through the registry
// and its result fed back, and its words stream to the caller as it writes them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/conversation_memory.h"
#include "agent/tool_registry.h"
#include "core/cancellation.h"
#include "core/config.h"
#include "llm/chat_engine.h"
#include "store/store.h"

namespace tektra {

// Receives reply text as it is decided; returning false cancels the rest of the reply.
using ReplyTextCallback = std::function<bool(std::string_view)>;

struct LlmTurn {
  std::string text;  // everything the model said to the user this turn, rounds joined by a space
  std::vector<std::string> tools_called;  // in call order, failed calls included
  bool cancelled = false;
  int rounds = 0;                   // model calls made
  double first_token_seconds = -1;  // from the start of the turn to the model's first token
  double last_token_seconds = -1;   // ... to its last
};

class LlmResponder {
 public:
  LlmResponder(Store& store, llm::ChatEngine& engine, const ToolRegistry& tools,
               const AgentConfig& config);

  // Answers the latest user message of `conversation_id` (already stored). Every assistant message
  // (with its tool calls) and every tool result is stored as it happens, so the next round's
  // prompt is built from the store. A cancelled turn stores what was written so far. Throws the
  // engine's Error when the model cannot be run at all.
  LlmTurn respond(const std::string& conversation_id, const std::string& user_text,
                  PromptInputs prompt, const ToolContext& tool_context,
                  const ReplyTextCallback& on_text, const CancellationToken& cancel);

 private:
  // Runs each call through the registry and stores its result (or its error) as a tool message.
  void run_calls(const std::string& conversation_id, const llm::ChatReply& reply,
                 const ToolContext& tool_context, LlmTurn& turn);

  Store& store_;
  llm::ChatEngine& engine_;
  const ToolRegistry& tools_;
  const AgentConfig& config_;
  ConversationMemory memory_;
};

}  // namespace tektra
