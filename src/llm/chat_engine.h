// A language model as the assistant talks to it: an OpenAI-shaped conversation in, a streamed reply
// with any tool calls out. The native engine (LocalEngine) and a remote OpenAI-compatible server
// both stand behind this.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancellation.h"
#include "llm/generator.h"
#include "llm/tool_calls.h"

namespace tektra::llm {

struct ChatRequest {
  // [{"role": "system"|"user"|"assistant"|"tool", "content": ..., "tool_calls": ...}, ...] in the
  // OpenAI chat completions shape. Ordered: templates print objects key by key.
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  nlohmann::ordered_json tools;  // null, or OpenAI's [{"type": "function", "function": {...}}]
  // max_tokens <= 0: up to the rest of the context.
  GenerateOptions options;
};

struct ChatReply {
  std::string content;  // the text for the user, without reasoning or call syntax
  std::string reasoning;
  std::vector<ToolCall> tool_calls;
  std::vector<std::string> tool_call_errors;  // malformed calls, worded for the model
  FinishReason finish = FinishReason::Stop;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  double first_token_seconds = 0;  // from the call to the first generated token
  double total_seconds = 0;        // from the call to the last token
};

// Receives the reply's user-facing text as the model writes it, on the thread that called chat(),
// so it may take its time (speak a sentence) without holding up other generations. Returning
// false ends the generation as cancelled.
using ContentCallback = std::function<bool(std::string_view)>;

class ChatEngine {
 public:
  virtual ~ChatEngine() = default;

  virtual std::string model_name() const = 0;
  // Positions a conversation and its reply may take together.
  virtual int64_t context_size() const = 0;
  // The prompt `request` makes, in tokens (an estimate where the engine cannot tokenize).
  virtual int64_t prompt_tokens(const ChatRequest& request) const = 0;

  // Generates the assistant's next message. Thread-safe; concurrent calls are served together.
  // A cancelled reply returns with finish Cancelled and what was written so far. Throws Error:
  // "context_full" when the conversation does not fit, "engine_unavailable" when the engine cannot
  // be reached, the template's errors for a conversation it cannot render.
  virtual ChatReply chat(const ChatRequest& request, const ContentCallback& on_content = {},
                         const CancellationToken& cancel = {}) = 0;
};

}  // namespace tektra::llm
