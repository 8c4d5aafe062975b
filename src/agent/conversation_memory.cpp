// ConversationMemory: the system prompt, the history that fits, and summaries of what does not.
#include "agent/conversation_memory.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "core/error.h"
#include "core/utf8_cut.h"

namespace tektra {
namespace {

using nlohmann::ordered_json;

constexpr size_t kRelatedBytes = 240;         // of each earlier turn shown
constexpr int64_t kSummaryInputBytes = 6000;  // of transcript given to one summary call
constexpr int kSummaryTokens = 160;
constexpr double kTrimTarget = 0.6;  // history kept after a trim, as a share of the budget

// The date only: the prompt's start stays the same all day, so the engine can reuse what it
// computed for it (the time of day is a tool call away).
std::string local_date(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%A %d %B %Y", &tm);
  return text;
}

const char* verbosity_rule(const std::string& verbosity) {
  if (verbosity == "detailed") return "Give thorough answers when the question calls for them.";
  if (verbosity == "normal") return "Answer in a few sentences.";
  return "Keep answers to one or two short sentences unless the user asks for more.";
}

bool is_summary(const Message& m) {
  return m.role == "system" && m.meta.value("kind", "") == "summary";
}

// A stored message's text as a transcript line.
std::string transcript_line(const Message& m) {
  if (m.role == "user") return "User: " + m.text;
  if (m.role == "tool") return "Tool result: " + m.text;
  return "Assistant: " + m.text;
}

// Indices in `history` where each turn (a user message and what answered it) starts.
std::vector<size_t> turn_starts(const std::vector<Message>& history) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < history.size(); ++i)
    if (history[i].role == "user" || starts.empty()) starts.push_back(i);
  return starts;
}

size_t text_bytes(const std::vector<Message>& messages, size_t begin, size_t end) {
  size_t n = 0;
  for (size_t i = begin; i < end; ++i) n += messages[i].text.size() + 16;
  return n;
}

}  // namespace

std::string system_prompt(const PromptInputs& in) {
  const Personality& p = in.personality;
  std::string s =
      fmt::format("You are {}, a voice assistant running on the user's own computer.", p.name);
  if (!p.persona.empty()) s += " " + p.persona;
  s += fmt::format(
      "\nSpeak in a {} way. Your replies are spoken aloud, so write plain sentences: no markdown, "
      "lists, code or emoji. {}",
      p.style, verbosity_rule(p.verbosity));
  if (!in.capabilities.empty()) {
    s += "\nWith your tools you can ";
    for (size_t i = 0; i < in.capabilities.size(); ++i)
      s += (i == 0 ? "" : i + 1 == in.capabilities.size() ? " and " : ", ") + in.capabilities[i];
    s += ". Use them rather than guessing.";
  }
  if (!in.instructions.empty()) s += "\n" + in.instructions;
  // What changes from day to day or turn to turn comes last, so the start of the prompt stays
  // the same and the engine can reuse what it computed for it.
  s += "\nToday is " + local_date(in.now) + ".";
  if (!in.facts.empty()) {
    s += "\nWhat you know about the user:";
    for (const auto& hit : in.facts)
      s += fmt::format("\n- {}: {}", hit.fact.key, cut_utf8(hit.fact.value, kRelatedBytes));
  }
  if (!in.related.empty()) {
    s += "\nFrom earlier conversations:";
    for (const auto& hit : in.related)
      s += fmt::format("\n- {} said: {}", hit.message.role == "user" ? "The user" : "You",
                       cut_utf8(hit.message.text, kRelatedBytes));
  }
  if (!in.summary.empty()) s += "\nEarlier in this conversation: " + in.summary;
  if (in.dropped) s += "\nSome earlier turns of this conversation no longer fit in your memory.";
  return s;
}

ordered_json chat_messages(const std::vector<Message>& history) {
  ordered_json out = ordered_json::array();
  for (const auto& m : history) {
    if (m.role == "user") {
      out.push_back({{"role", "user"}, {"content", m.text}});
    } else if (m.role == "assistant") {
      ordered_json message = {{"role", "assistant"}, {"content", m.text}};
      if (m.meta.contains("tool_calls") && m.meta["tool_calls"].is_array() &&
          !m.meta["tool_calls"].empty()) {
        ordered_json calls = ordered_json::array();
        for (const auto& c : m.meta["tool_calls"])
          calls.push_back(
              {{"id", c.value("id", "")},
               {"type", "function"},
               {"function",
                {{"name", c.value("name", "")},
                 {"arguments", c.value("arguments", nlohmann::json::object()).dump()}}}});
        message["tool_calls"] = std::move(calls);
      }
      out.push_back(std::move(message));
    } else if (m.role == "tool" && m.meta.value("malformed_call", false)) {
      // Not an answer to any call id: the model is told in the user's turn.
      out.push_back(
          {{"role", "user"}, {"content", "(Your tool call could not be read: " + m.text + ")"}});
    } else if (m.role == "tool") {
      out.push_back({{"role", "tool"},
                     {"tool_call_id", m.meta.value("tool_call_id", "")},
                     {"name", m.meta.value("name", "")},
                     {"content", m.text}});
    }
  }
  return out;
}

ConversationMemory::ConversationMemory(Store& store, llm::ChatEngine& engine, int reply_tokens)
    : store_(store),
      engine_(engine),
      // A small context keeps three quarters for the prompt.
      reply_tokens_(std::min<int64_t>(reply_tokens, engine.context_size() / 4)) {}

void ConversationMemory::recall(const std::string& conversation_id, const std::string& user_text,
                                PromptInputs& inputs) {
  inputs.facts = store_.search_facts(user_text, 5);
  inputs.related = store_.search_messages(user_text, 3, conversation_id);
}

llm::ChatRequest ConversationMemory::request(const std::string& conversation_id,
                                             PromptInputs inputs, ordered_json tools,
                                             const CancellationToken& cancel) {
  const int64_t budget = engine_.context_size() - reply_tokens_;
  for (int attempt = 0;; ++attempt) {
    std::vector<Message> all = store_.messages(conversation_id);
    int64_t through = 0;
    inputs.summary.clear();
    inputs.dropped = false;
    for (const auto& m : all) {
      if (!is_summary(m)) continue;
      through = m.meta.value("through", int64_t{0});
      inputs.summary = m.text;
      inputs.dropped = m.meta.value("dropped", false);
    }
    std::vector<Message> history;
    for (auto& m : all)
      if (m.id > through && m.role != "system") history.push_back(std::move(m));

    auto build = [&](size_t first) {
      llm::ChatRequest r;
      r.messages.push_back({{"role", "system"}, {"content", system_prompt(inputs)}});
      const std::vector<Message> shown(history.begin() + static_cast<ptrdiff_t>(first),
                                       history.end());
      for (auto& m : chat_messages(shown)) r.messages.push_back(std::move(m));
      r.tools = tools;
      return r;
    };
    llm::ChatRequest whole = build(0);
    const int64_t tokens = engine_.prompt_tokens(whole);
    if (tokens <= budget) return whole;

    const std::vector<size_t> starts = turn_starts(history);
    const size_t last_turn = starts.empty() ? 0 : starts.back();
    int64_t fixed = engine_.prompt_tokens(build(last_turn));
    // What gives way, in order, when even the latest turn does not fit: memories, then the tools
    // (a model with a small context still talks, it just cannot act).
    if (fixed > budget && (!inputs.facts.empty() || !inputs.related.empty())) {
      inputs.facts.clear();
      inputs.related.clear();
      continue;
    }
    if (fixed > budget && !tools.is_null()) {
      spdlog::debug("conversation {}: the tools do not fit the model's context; answering without",
                    conversation_id);
      tools = nullptr;
      continue;
    }
    if (fixed > budget || last_turn == 0 || attempt >= 4)
      throw Error("context_full",
                  fmt::format("the conversation needs {} tokens; the model's context leaves {}",
                              fixed > budget ? fixed : tokens, budget));
    // Drop whole turns from the oldest until the rest is estimated to fill kTrimTarget of the
    // budget, so a summary is written now and then rather than every turn.
    const double per_byte = static_cast<double>(tokens - fixed) /
                            static_cast<double>(text_bytes(history, 0, last_turn));
    size_t cut = 0;
    for (size_t t = 1; t < starts.size(); ++t) {
      cut = starts[t];
      const double kept = static_cast<double>(fixed) +
                          per_byte * static_cast<double>(text_bytes(history, cut, last_turn));
      if (kept <= kTrimTarget * static_cast<double>(budget)) break;
    }
    summarise(conversation_id, inputs.summary,
              std::vector<Message>(history.begin(), history.begin() + static_cast<ptrdiff_t>(cut)),
              cancel);
    if (cancel.cancelled()) throw Error("cancelled", "the reply was cancelled");
  }
}

void ConversationMemory::summarise(const std::string& conversation_id, const std::string& previous,
                                   const std::vector<Message>& old,
                                   const CancellationToken& cancel) {
  // A rough 3 bytes per token keeps the request inside small contexts too.
  const size_t input_bytes = static_cast<size_t>(std::clamp<int64_t>(
      (engine_.context_size() - kSummaryTokens - 128) * 3, 0, kSummaryInputBytes));
  std::string transcript;
  for (auto it = old.rbegin(); it != old.rend(); ++it) {  // the latest lines matter most
    std::string line = transcript_line(*it) + "\n";
    if (transcript.size() + line.size() > input_bytes) break;
    transcript.insert(0, line);
  }
  std::string summary;
  bool dropped = true;
  try {
    llm::ChatRequest r;
    r.messages.push_back(
        {{"role", "system"},
         {"content", "You keep short notes of a conversation between a user and an assistant."}});
    r.messages.push_back(
        {{"role", "user"},
         {"content", fmt::format("Notes so far: {}\n\nMore of the conversation:\n{}\nRewrite the "
                                 "notes in at most three sentences. Keep what the user said about "
                                 "themselves, what they asked for and anything still open.",
                                 previous.empty() ? "(none)" : previous, transcript)}});
    r.options.max_tokens = kSummaryTokens;
    r.options.sampling.temperature = 0;
    llm::ChatReply reply = engine_.chat(r, {}, cancel);
    if (reply.finish == llm::FinishReason::Cancelled) return;
    summary = reply.content;
    dropped = summary.empty();
  } catch (const Error& e) {
    spdlog::warn("conversation {}: could not summarise old turns, dropping them: {}",
                 conversation_id, e.what());
  }
  store_.append_message(conversation_id, "system", dropped ? previous : summary,
                        {{"kind", "summary"},
                         {"through", old.back().id},
                         {"messages", old.size()},
                         {"dropped", dropped}});
}

}  // namespace tektra
