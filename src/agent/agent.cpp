// Agent: one turn is match -> action (through tools) -> reply, with both messages stored.
#include "agent/agent.h"

#include <fmt/format.h>

#include "agent/tools/builtin_tools.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"

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
  if (title.size() <= kTitleBytes) return title;
  size_t cut = kTitleBytes;
  while (cut > 0 && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) --cut;
  return title.substr(0, cut) + "...";
}

}  // namespace

IntentEngine load_intent_engine(const AgentConfig& config) {
  TemplateSet templates = shipped_templates();
  templates.override_with(load_template_directory(config.intents_dir));
  return IntentEngine(std::move(templates), {config.name});
}

Agent::Agent(Store& store, EventBus& bus, const AgentConfig& config, WallClock clock)
    : store_(store),
      config_(config),
      clock_(std::move(clock)),
      engine_(load_intent_engine(config)),
      actions_(builtin_intent_actions()),
      capabilities_(builtin_capabilities()),
      timers_(store, bus) {
  add_builtin_tools(tools_);
}

std::string Agent::grammar_jsgf() const {
  return engine_.jsgf_grammar();
}

AgentReply Agent::respond(const AgentRequest& request) {
  TimePoint started = SteadyClock::now();
  if (is_blank(request.text)) throw Error("empty_text", "the message has no text");
  AgentReply reply;
  if (request.conversation_id.empty()) {
    reply.conversation_id = store_.create_conversation(title_for(request.text)).id;
  } else if (store_.conversation(request.conversation_id)) {
    reply.conversation_id = request.conversation_id;
  } else {
    throw Error("not_found", fmt::format("no conversation with id {}", request.conversation_id));
  }

  std::optional<IntentMatch> match = engine_.match(request.text);
  if (match) {
    reply.intent = match->intent;
    reply.slots = match->slots;
  }
  store_.append_message(
      reply.conversation_id, "user", request.text,
      {{"intent", reply.intent}, {"slots", reply.slots}, {"score", match ? match->score : 0.0}});

  auto action = match ? actions_.find(match->intent) : actions_.end();
  if (action != actions_.end()) {
    ToolContext tool_context{request.session_id, reply.conversation_id, store_, timers_, clock_};
    ActionReply answer =
        action->second(ActionContext{*match, tools_, tool_context, config_, capabilities_});
    reply.text = std::move(answer.text);
    reply.end_conversation = answer.end_conversation;
    reply.understood = true;
  } else {
    reply.text = not_understood_reply();
  }

  double seconds = seconds_between(started, SteadyClock::now());
  store_.append_message(reply.conversation_id, "assistant", reply.text,
                        {{"intent", reply.intent},
                         {"slots", reply.slots},
                         {"understood", reply.understood},
                         {"latency_ms", seconds * 1000.0}});
  auto& metrics = MetricsRegistry::global();
  metrics
      .histogram("tektra_agent_respond_seconds",
                 "Time from request to reply text, without a language model")
      .observe(seconds);
  metrics
      .counter("tektra_agent_intents_total", "Turns by matched intent",
               fmt::format("intent=\"{}\"", reply.intent.empty() ? "none" : reply.intent))
      .inc();
  return reply;
}

}  // namespace tektra
