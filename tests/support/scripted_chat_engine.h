// A language model at the engine boundary whose outputs are scripted: each chat() takes the next
// output, written in the model family's own syntax, streams it a few bytes at a time through the
// production tool-call reader and records the request it was given. Everything on either side of
// this boundary (prompt building, tool calls, the store) is the production code.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "llm/chat_engine.h"
#include "llm/tool_calls.h"

namespace tektra::test {

class ScriptedChatEngine : public llm::ChatEngine {
 public:
  explicit ScriptedChatEngine(std::vector<std::string> outputs = {}, int64_t context = 4096)
      : outputs_(outputs.begin(), outputs.end()), context_(context) {}

  void add(std::string output) {
    std::lock_guard lock(mutex_);
    outputs_.push_back(std::move(output));
  }
  std::vector<llm::ChatRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t calls() const { return requests().size(); }
  void set_context_size(int64_t n) { context_ = n; }

  // Test knobs, set before use.
  std::chrono::milliseconds piece_delay{0};  // between streamed pieces
  size_t piece_bytes = 4;
  bool unavailable = false;  // every call fails as an unreachable remote does
  int64_t refuse_over = 0;   // refuse prompts over this many tokens (0: the context size)
  std::atomic<size_t> pieces_streamed{0};  // over all calls
  // When set, writes the output for each request instead of the queue.
  std::function<std::string(const llm::ChatRequest&)> script;

  std::string model_name() const override { return "scripted"; }
  int64_t context_size() const override { return context_; }
  // Four bytes a token, over everything the prompt shows.
  int64_t prompt_tokens(const llm::ChatRequest& r) const override {
    return static_cast<int64_t>(
        (r.messages.dump().size() + (r.tools.is_null() ? 0 : r.tools.dump().size())) / 4);
  }

  llm::ChatReply chat(const llm::ChatRequest& request, const llm::ContentCallback& on_content,
                      const CancellationToken& cancel) override {
    if (unavailable) throw Error("engine_unavailable", "the scripted model is down");
    if (prompt_tokens(request) > (refuse_over > 0 ? refuse_over : context_))
      throw Error("context_full", "the scripted prompt does not fit");
    std::string output = "I have nothing more to say.";
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      if (script) {
        output = script(request);
      } else if (!outputs_.empty()) {
        output = std::move(outputs_.front());
        outputs_.pop_front();
      }
    }
    const auto format = request.tools.is_array() && !request.tools.empty()
                            ? llm::ToolCallFormat::Hermes
                            : llm::ToolCallFormat::None;
    llm::ToolCallStream stream(format);
    llm::ChatReply reply;
    const auto start = std::chrono::steady_clock::now();
    bool stopped = false;
    for (size_t pos = 0; pos < output.size(); pos += piece_bytes) {
      if (cancel.cancelled()) {
        stopped = true;
        break;
      }
      if (piece_delay.count() > 0) std::this_thread::sleep_for(piece_delay);
      ++pieces_streamed;
      if (reply.completion_tokens++ == 0) reply.first_token_seconds = seconds_since(start);
      const std::string content = stream.push(std::string_view(output).substr(pos, piece_bytes));
      if (!content.empty() && on_content && !on_content(content)) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      if (const std::string rest = stream.flush(); !rest.empty() && on_content) on_content(rest);
    }
    llm::ParsedReply parsed = stream.finish();
    reply.content = parsed.content;
    reply.tool_calls = parsed.tool_calls;
    reply.tool_call_errors = parsed.errors;
    reply.finish = stopped ? llm::FinishReason::Cancelled : llm::FinishReason::Stop;
    reply.prompt_tokens = static_cast<int>(prompt_tokens(request));
    reply.total_seconds = seconds_since(start);
    return reply;
  }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  mutable std::mutex mutex_;
  std::deque<std::string> outputs_;
  std::vector<llm::ChatRequest> requests_;
  int64_t context_;
};

}  // namespace tektra::test
