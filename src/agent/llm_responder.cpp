// LlmResponder: model round, tool calls through the registry, results back into the prompt.
#include "agent/llm_responder.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"

namespace tektra {
namespace {

nlohmann::json calls_json(const std::vector<llm::ToolCall>& calls) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : calls)
    out.push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
  return out;
}

void count_tool_call(const std::string& name, const char* outcome) {
  MetricsRegistry::global()
      .counter("tektra_agent_tool_calls_total", "Tool calls made by the language model",
               fmt::format("tool=\"{}\",outcome=\"{}\"", name, outcome))
      .inc();
}

}  // namespace

LlmResponder::LlmResponder(Store& store, llm::ChatEngine& engine, const ToolRegistry& tools,
                           const AgentConfig& config)
    : store_(store),
      engine_(engine),
      tools_(tools),
      config_(config),
      memory_(store, engine, config.max_reply_tokens) {}

LlmTurn LlmResponder::respond(const std::string& conversation_id, const std::string& user_text,
                              PromptInputs prompt, const ToolContext& tool_context,
                              const ReplyTextCallback& on_text, const CancellationToken& cancel) {
  const TimePoint start = SteadyClock::now();
  LlmTurn turn;
  const auto offered = nlohmann::ordered_json::parse(tools_.openai_tools().dump());
  memory_.recall(conversation_id, user_text, prompt);
  for (int round = 0; round <= config_.max_tool_rounds; ++round) {
    // The last round offers no tools, so the model has to answer in words.
    const bool with_tools = round < config_.max_tool_rounds && !offered.empty();
    llm::ChatRequest request;
    try {
      request = memory_.request(conversation_id, prompt, with_tools ? offered : nullptr, cancel);
    } catch (const Error&) {
      if (!cancel.cancelled()) throw;
    }
    if (cancel.cancelled()) {
      turn.cancelled = true;
      return turn;
    }
    request.options.max_tokens = memory_.reply_tokens();
    bool separated = turn.text.empty();
    auto on_content = [&](std::string_view text) {
      const double now = seconds_between(start, SteadyClock::now());
      if (turn.first_token_seconds < 0) turn.first_token_seconds = now;
      turn.last_token_seconds = now;
      std::string piece;
      if (!separated) {  // a new round's words follow the last round's after a space
        piece = ' ';
        separated = true;
      }
      piece += text;
      turn.text += piece;
      return !on_text || on_text(piece);
    };
    llm::ChatReply reply;
    try {
      reply = engine_.chat(request, on_content, cancel);
    } catch (const Error& e) {
      // A remote server's context can be smaller than its estimate said: answer without tools.
      if (e.code() != "context_full" || request.tools.is_null()) throw;
      request.tools = nullptr;
      reply = engine_.chat(request, on_content, cancel);
    }
    ++turn.rounds;
    turn.last_token_seconds = seconds_between(start, SteadyClock::now());
    turn.cancelled = reply.finish == llm::FinishReason::Cancelled;
    nlohmann::json meta = {{"model", engine_.model_name()},
                           {"finish", llm::finish_reason_name(reply.finish)},
                           {"prompt_tokens", reply.prompt_tokens},
                           {"completion_tokens", reply.completion_tokens}};
    if (!reply.tool_calls.empty() && !turn.cancelled)
      meta["tool_calls"] = calls_json(reply.tool_calls);
    if (turn.cancelled) meta["cancelled"] = true;
    // Cancelled: what was streamed is what the user heard, parsed or not.
    store_.append_message(conversation_id, "assistant", turn.cancelled ? turn.text : reply.content,
                          meta);
    if (turn.cancelled) return turn;
    if (reply.tool_calls.empty() && reply.tool_call_errors.empty()) return turn;
    run_calls(conversation_id, reply, tool_context, turn);
    if (cancel.cancelled()) {
      turn.cancelled = true;
      return turn;
    }
  }
  return turn;
}

void LlmResponder::run_calls(const std::string& conversation_id, const llm::ChatReply& reply,
                             const ToolContext& tool_context, LlmTurn& turn) {
  for (const auto& call : reply.tool_calls) {
    turn.tools_called.push_back(call.name);
    nlohmann::json result;
    try {
      result = tools_.call(call.name, call.arguments, tool_context);
      count_tool_call(call.name, "ok");
    } catch (const Error& e) {
      // The model reads the failure and can retry or explain it.
      result = {{"error", e.code()}, {"message", e.what()}};
      count_tool_call(call.name, "error");
    }
    store_.append_message(conversation_id, "tool", result.dump(),
                          {{"tool_call_id", call.id}, {"name", call.name}});
  }
  for (const auto& error : reply.tool_call_errors) {
    count_tool_call("", "malformed");
    store_.append_message(conversation_id, "tool", error, {{"malformed_call", true}});
  }
}

}  // namespace tektra
