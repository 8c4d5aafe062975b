// Agent: one turn is match -> action (through tools) -> reply, with both messages stored.
#include "agent/agent.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/text_normalizer.h"
#include "agent/tools/builtin_tools.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "core/utf8_cut.h"

namespace tektra {
namespace {

constexpr size_t kTitleBytes = 60;

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

// The first words of the opening message, cut on a UTF-8 character boundary.
std::string title_for(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  std::string title(text.substr(start));
  for (char& c : title) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return cut_utf8(title, kTitleBytes);
}

// `text` without the words of `name` ("thanks Ada" -> "thanks"): the intent engine knows the
// configured name as a filler, not one given later through the API. Unchanged when absent.
std::string without_words(std::string_view text, std::string_view name) {
  const std::vector<Token> words = normalize_text(text);
  const std::vector<Token> drop = normalize_text(name);
  if (drop.empty()) return std::string(text);
  std::string kept;
  bool found = false;
  for (size_t i = 0; i < words.size();) {
    bool here = i + drop.size() <= words.size();
    for (size_t k = 0; here && k < drop.size(); ++k) here = words[i + k].text == drop[k].text;
    if (here) {
      found = true;
      i += drop.size();
      continue;
    }
    if (!kept.empty()) kept += ' ';
    kept += words[i].text;
    ++i;
  }
  return found ? kept : std::string(text);
}

void record_turn(const AgentReply& reply, double seconds) {
  auto& metrics = MetricsRegistry::global();
  if (reply.from_model) {
    metrics
        .histogram("tektra_agent_model_turn_seconds",
                   "Time from request to the end of a language-model reply, tools included")
        .observe(seconds);
  } else {
    metrics
        .histogram("tektra_agent_respond_seconds",
                   "Time from request to reply text, without a language model")
        .observe(seconds);
  }
  metrics
      .counter("tektra_agent_intents_total", "Turns by matched intent",
               fmt::format("intent=\"{}\"", reply.from_model       ? "model"
                                            : reply.intent.empty() ? "none"
                                                                   : reply.intent))
      .inc();
}

}  // namespace

IntentEngine load_intent_engine(const AgentConfig& config) {
  TemplateSet templates = shipped_templates();
  templates.override_with(load_template_directory(config.intents_dir));
  return IntentEngine(std::move(templates), {config.name});
}

Agent::Agent(Store& store, EventBus& bus, const AgentConfig& config, llm::ChatEngine* model,
             WallClock clock)
    : store_(store),
      config_(config),
      clock_(std::move(clock)),
      engine_(load_intent_engine(config)),
      actions_(builtin_intent_actions()),
      capabilities_(builtin_capabilities()),
      model_(model),
      timers_(store, bus) {
  configured_personality(config_);  // a bad personality fails at start, not on the first turn
  add_builtin_tools(tools_);
  if (model_) responder_ = std::make_unique<LlmResponder>(store_, *model_, tools_, config_);
}

Personality Agent::personality() const {
  return current_personality(store_, config_);
}

Personality Agent::update_personality(const nlohmann::json& changes) {
  return tektra::update_personality(store_, config_, changes);
}

Personality Agent::reset_personality() {
  return tektra::reset_personality(store_, config_);
}

std::string Agent::grammar_jsgf() const {
  return engine_.jsgf_grammar();
}

void Agent::check(const AgentRequest& request) const {
  if (is_blank(request.text)) throw Error("empty_text", "the message has no text");
  if (!request.conversation_id.empty() && !store_.conversation(request.conversation_id))
    throw Error("not_found", fmt::format("no conversation with id {}", request.conversation_id));
}

AgentReply Agent::respond(const AgentRequest& request) {
  TimePoint started = SteadyClock::now();
  check(request);
  AgentReply reply;
  reply.conversation_id = request.conversation_id.empty()
                              ? store_.create_conversation(title_for(request.text)).id
                              : request.conversation_id;

  const Personality personality = current_personality(store_, config_);
  std::optional<IntentMatch> match = engine_.match(
      personality.name == config_.name ? request.text
                                       : without_words(request.text, personality.name));
  if (match) {
    reply.intent = match->intent;
    reply.slots = match->slots;
  }
  store_.append_message(
      reply.conversation_id, "user", request.text,
      {{"intent", reply.intent}, {"slots", reply.slots}, {"score", match ? match->score : 0.0}});

  ToolContext tool_context{request.session_id, reply.conversation_id, store_, timers_, clock_};
  auto action = match ? actions_.find(match->intent) : actions_.end();
  if (action != actions_.end()) {
    AgentConfig config = config_;
    config.name = personality.name;
    ActionReply answer =
        action->second(ActionContext{*match, tools_, tool_context, config, capabilities_});
    reply.text = std::move(answer.text);
    reply.end_conversation = answer.end_conversation;
    reply.understood = true;
  } else if (responder_ && !match) {
    try {
      const TimePoint model_start = SteadyClock::now();
      PromptInputs prompt;
      prompt.personality = personality;
      prompt.now = clock_();
      prompt.capabilities = capabilities_;
      prompt.instructions = request.instructions;
      LlmTurn turn = responder_->respond(reply.conversation_id, request.text, std::move(prompt),
                                         tool_context, request.on_text, request.cancel);
      reply.text = std::move(turn.text);
      reply.from_model = reply.understood = true;
      reply.cancelled = turn.cancelled;
      reply.tools_called = std::move(turn.tools_called);
      const double before_model = seconds_between(started, model_start);
      if (turn.first_token_seconds >= 0) {
        reply.model_first_token_s = before_model + turn.first_token_seconds;
        reply.model_last_token_s = before_model + turn.last_token_seconds;
      }
      record_turn(reply, seconds_between(started, SteadyClock::now()));
      return reply;  // the responder stored the model's messages
    } catch (const Error& e) {
      if (e.code() != "engine_unavailable") throw;
      spdlog::warn("language model unavailable, answering from intents only: {}", e.what());
      reply.text = not_understood_reply();
    }
  } else {
    reply.text = not_understood_reply();
  }
  if (request.on_text) request.on_text(reply.text);

  double seconds = seconds_between(started, SteadyClock::now());
  store_.append_message(reply.conversation_id, "assistant", reply.text,
                        {{"intent", reply.intent},
                         {"slots", reply.slots},
                         {"understood", reply.understood},
                         {"latency_ms", seconds * 1000.0}});
  record_turn(reply, seconds);
  return reply;
}

}  // namespace tektra
