// What the language model is shown of the past: the system prompt (personality, the time, facts
// and earlier conversations relevant to what the user just said) and as much of the current
// conversation as fits its context. Turns that no longer fit are summarised by the model and the
// summary kept in the conversation, so each turn is summarised once; when summarising fails they
// are dropped with a note.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/personality.h"
#include "core/cancellation.h"
#include "llm/chat_engine.h"
#include "store/store.h"

namespace tektra {

struct PromptInputs {
  Personality personality;
  std::chrono::system_clock::time_point now;
  std::vector<FactHit> facts;             // relevant remembered facts
  std::vector<MessageHit> related;        // relevant turns of other conversations
  std::string summary;                    // of this conversation's turns no longer shown
  bool dropped = false;                   // earlier turns are gone without a summary
  std::vector<std::string> capabilities;  // what the tools can do, for the model's own answers
  std::string instructions;               // the client's own (Realtime session.instructions)
};

std::string system_prompt(const PromptInputs& inputs);

// Stored messages as the chat API's messages: user and assistant text, assistant tool calls
// (meta "tool_calls") and tool results (meta "tool_call_id"). Summaries are left out.
nlohmann::ordered_json chat_messages(const std::vector<Message>& history);

class ConversationMemory {
 public:
  // `reply_tokens` (at most a quarter of the context) is kept free for the model's answer.
  ConversationMemory(Store& store, llm::ChatEngine& engine, int reply_tokens);

  // Fills `inputs` with the facts and earlier turns relevant to `user_text`: once per turn, as they
  // stay the same over its tool rounds.
  void recall(const std::string& conversation_id, const std::string& user_text,
              PromptInputs& inputs);

  // The request for the model's next message in `conversation_id`, with `inputs` filled by
  // recall(). May call the model to summarise old turns first (honouring `cancel`). When even
  // the latest turn does not fit, memories are left out, then the tools. Throws
  // Error("context_full") when it still does not fit.
  llm::ChatRequest request(const std::string& conversation_id, PromptInputs inputs,
                           nlohmann::ordered_json tools, const CancellationToken& cancel);

  // Tokens kept free for the answer; what a reply may take.
  int reply_tokens() const { return static_cast<int>(reply_tokens_); }

 private:
  // Summarises `old` (after the previous summary) and stores the result covering up to its last
  // message; on failure stores an empty summary, which marks the turns as dropped.
  void summarise(const std::string& conversation_id, const std::string& previous,
                 const std::vector<Message>& old, const CancellationToken& cancel);

  Store& store_;
  llm::ChatEngine& engine_;
  int64_t reply_tokens_;
};

}  // namespace tektra
