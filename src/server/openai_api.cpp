#include "server/openai_api.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "core/error.h"
#include "core/ids.h"
#include "llm/tool_calls.h"

namespace tektra {
namespace {

using nlohmann::json;

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

llm::LocalEngine& engine(ServerServices& s) {
  if (!s.llm)
    throw Error("engine_unavailable",
                "no language model is loaded (start with --llm MODEL.gguf or put one in the model "
                "directory)");
  return *s.llm;
}

double number(const json& body, const char* key, double fallback, double lo, double hi) {
  if (!body.contains(key) || body[key].is_null()) return fallback;
  if (!body[key].is_number())
    throw Error("invalid_value", fmt::format("\"{}\" must be a number", key));
  const double v = body[key].get<double>();
  if (v < lo || v > hi)
    throw Error("invalid_value", fmt::format("\"{}\" must be between {} and {}", key, lo, hi));
  return v;
}

int64_t integer(const json& body, const char* key, int64_t fallback, int64_t lo, int64_t hi) {
  if (!body.contains(key) || body[key].is_null()) return fallback;
  if (!body[key].is_number_integer())
    throw Error("invalid_value", fmt::format("\"{}\" must be an integer", key));
  const int64_t v = body[key].get<int64_t>();
  if (v < lo || v > hi)
    throw Error("invalid_value", fmt::format("\"{}\" must be between {} and {}", key, lo, hi));
  return v;
}

// response_format: {"type": "text"} (the default) or {"type": "json_object"}, which constrains
// sampling to one JSON object. Schemas are not enforced, so json_schema is refused rather than
// answered with JSON that may not match.
llm::ResponseFormat response_format(const json& body) {
  if (!body.contains("response_format") || body["response_format"].is_null())
    return llm::ResponseFormat::Text;
  const json& format = body["response_format"];
  if (!format.is_object() || !format.contains("type") || !format["type"].is_string())
    throw Error("invalid_value",
                "\"response_format\" must be an object with a \"type\": \"text\" or "
                "\"json_object\"");
  const std::string type = format["type"].get<std::string>();
  if (type == "text") return llm::ResponseFormat::Text;
  if (type == "json_object") return llm::ResponseFormat::JsonObject;
  if (type == "json_schema")
    throw Error("unsupported_value",
                "response_format \"json_schema\" is not supported; use \"json_object\" and "
                "describe the schema in the prompt");
  throw Error("invalid_value", fmt::format("response_format type \"{}\" is not one of \"text\", "
                                           "\"json_object\"",
                                           type));
}

// OpenAI's sampling fields, plus llama.cpp server's top_k, min_p and repeat_penalty. Fields left
// out keep `tektra generate`'s defaults, so equal settings give equal text.
llm::GenerateOptions generation_options(const json& body, int64_t default_max_tokens) {
  llm::GenerateOptions o;
  if (integer(body, "n", 1, 1, 1) != 1) throw Error("invalid_value", "\"n\" must be 1");
  o.max_tokens = static_cast<int>(integer(body, "max_tokens", default_max_tokens, 1, 1 << 20));
  if (body.contains("max_completion_tokens"))
    o.max_tokens = static_cast<int>(integer(body, "max_completion_tokens", 0, 1, 1 << 20));
  auto& s = o.sampling;
  s.temperature = static_cast<float>(number(body, "temperature", s.temperature, 0, 2));
  s.top_p = static_cast<float>(number(body, "top_p", s.top_p, 0, 1));
  s.top_k = static_cast<int>(integer(body, "top_k", s.top_k, 0, 1 << 20));
  s.min_p = static_cast<float>(number(body, "min_p", s.min_p, 0, 1));
  s.frequency_penalty =
      static_cast<float>(number(body, "frequency_penalty", s.frequency_penalty, -2, 2));
  s.presence_penalty =
      static_cast<float>(number(body, "presence_penalty", s.presence_penalty, -2, 2));
  s.repeat_penalty = static_cast<float>(number(body, "repeat_penalty", s.repeat_penalty, 0, 10));
  if (body.contains("seed") && !body["seed"].is_null()) {
    if (!body["seed"].is_number_integer())
      throw Error("invalid_value", "\"seed\" must be an integer");
    s.seed = body["seed"].get<uint64_t>();
  }
  if (body.contains("stop") && !body["stop"].is_null()) {
    const json& stop = body["stop"];
    if (stop.is_string()) {
      o.stop.push_back(stop.get<std::string>());
    } else if (stop.is_array() && stop.size() <= 4 &&
               std::all_of(stop.begin(), stop.end(), [](const json& v) { return v.is_string(); })) {
      for (const auto& v : stop) o.stop.push_back(v.get<std::string>());
    } else {
      throw Error("invalid_value", "\"stop\" must be a string or an array of up to 4 strings");
    }
  }
  o.format = response_format(body);
  return o;
}

json usage(const llm::Generation& g) {
  const int completion = static_cast<int>(g.tokens.size());
  return {{"prompt_tokens", g.prompt_tokens},
          {"completion_tokens", completion},
          {"total_tokens", g.prompt_tokens + completion},
          {"prompt_tokens_details", {{"cached_tokens", g.cached_tokens}}}};
}

// Counts every finished generation by how it ended, and its tokens.
void record(MetricsRegistry& metrics, const llm::Generation& g) {
  metrics
      .counter("tektra_llm_generations_total", "Language-model generations by how they ended",
               fmt::format("finish=\"{}\"", llm::finish_reason_name(g.finish)))
      .inc();
  metrics.counter("tektra_llm_tokens_total", "Tokens through the language model", "kind=\"prompt\"")
      .inc(g.prompt_tokens - g.cached_tokens);
  metrics
      .counter("tektra_llm_tokens_total", "Tokens through the language model", "kind=\"generated\"")
      .inc(static_cast<double>(g.tokens.size()));
}

std::string finish_reason(const llm::Generation& g) {
  return g.finish == llm::FinishReason::Length ? "length" : "stop";
}

// The prompt of /v1/completions: a string, or one string in an array, or token ids.
std::vector<llm::Token> completion_prompt(const json& body, const llm::Tokenizer& tokenizer) {
  if (!body.contains("prompt")) throw Error("missing_field", "\"prompt\" is required");
  json prompt = body["prompt"];
  if (prompt.is_array() && prompt.size() == 1 && prompt[0].is_string()) prompt = prompt[0];
  if (prompt.is_string())
    return tokenizer.encode(prompt.get<std::string>(), /*add_special=*/true,
                            /*parse_special=*/false);
  if (prompt.is_array() && std::all_of(prompt.begin(), prompt.end(),
                                       [](const json& v) { return v.is_number_integer(); })) {
    std::vector<llm::Token> tokens;
    for (const auto& v : prompt) {
      const auto id = v.get<int64_t>();
      if (id < 0 || id >= static_cast<int64_t>(tokenizer.size()))
        throw Error("invalid_value", fmt::format("token id {} is outside the vocabulary", id));
      tokens.push_back(static_cast<llm::Token>(id));
    }
    return tokens;
  }
  throw Error("invalid_value", "\"prompt\" must be a string or an array of token ids");
}

HttpResponse models(ServerServices& s) {
  json data = json::array();
  if (s.llm)
    data.push_back(
        {{"id", s.llm->name()}, {"object", "model"}, {"created", 0}, {"owned_by", "tektra"}});
  return HttpResponse::json(200, {{"object", "list"}, {"data", data}});
}

bool wants_usage(const json& body) {
  return body.contains("stream_options") && body["stream_options"].is_object() &&
         body["stream_options"].value("include_usage", false);
}

json usage_event(const json& base, const llm::Generation& g) {
  json u = base;
  u["choices"] = json::array();
  u["usage"] = usage(g);
  return u;
}

// Runs `r` for a response already under way, cancelled when the client goes. The generation, or
// nullopt when it was cancelled or failed (the failure written as `error_event` shapes it).
std::optional<llm::Generation> run(
    llm::LocalEngine& e, MetricsRegistry& metrics, llm::GenerationRequest& r, ResponseStream& out,
    const std::function<std::string(const std::string&)>& error_event) {
  r.cancel = out.disconnected();
  llm::Generation g;
  try {
    g = e.scheduler().submit(std::move(r)).get();
  } catch (const Error& err) {
    out.write(error_event(HttpResponse::error(500, err.code(), err.what()).body));
    return std::nullopt;
  }
  record(metrics, g);
  if (g.finish == llm::FinishReason::Cancelled) return std::nullopt;
  return g;
}

// Runs `r` as a Server-Sent Events response: `opening` events, `text_event` for each piece of
// text, then `closing(generation)` and [DONE].
HttpResponse streamed(llm::LocalEngine& e, MetricsRegistry& metrics, llm::GenerationRequest r,
                      std::vector<json> opening,
                      std::function<std::optional<json>(std::string_view)> text_event,
                      std::function<std::vector<json>(const llm::Generation&)> closing) {
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers["Cache-Control"] = "no-cache";
  response.stream =
      [&e, &metrics, opening = std::move(opening), text_event, closing,
       r = std::make_shared<llm::GenerationRequest>(std::move(r))](ResponseStream& out) {
        for (const auto& event : opening) out.write(sse_event(event));
        r->on_text = [&](std::string_view text) {
          const auto event = text_event(text);
          return !event || out.write(sse_event(*event));
        };
        const auto g = run(e, metrics, *r, out,
                           [](const std::string& error) { return "data: " + error + "\n\n"; });
        if (!g) return;
        for (const auto& event : closing(*g)) out.write(sse_event(event));
        out.write("data: [DONE]\n\n");
      };
  return response;
}

// Runs `r` and answers one JSON body made by `body(generation)` when it ends. The work runs like
// a stream's, on a thread of its own rather than the request pool, so a long generation never
// holds up other requests, and a client that disconnects cancels it.
HttpResponse deferred_json(llm::LocalEngine& e, MetricsRegistry& metrics, llm::GenerationRequest r,
                           std::function<json(const llm::Generation&)> body) {
  HttpResponse response;
  response.stream =
      [&e, &metrics, body,
       r = std::make_shared<llm::GenerationRequest>(std::move(r))](ResponseStream& out) {
        const auto g = run(e, metrics, *r, out, [](const std::string& error) { return error; });
        if (g) out.write(body(*g).dump(-1, ' ', false, json::error_handler_t::replace));
      };
  return response;
}

// OpenAI's tool_calls array; stream deltas number each call.
json tool_calls_json(const std::vector<llm::ToolCall>& calls, bool indexed) {
  json out = json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    json call = {{"id", calls[i].id},
                 {"type", "function"},
                 {"function", {{"name", calls[i].name}, {"arguments", calls[i].arguments.dump()}}}};
    if (indexed) call["index"] = i;
    out.push_back(std::move(call));
  }
  return out;
}

json with_choice(const json& base, json choice) {
  json out = base;
  out["choices"] = json::array({std::move(choice)});
  return out;
}

HttpResponse completions(const HttpRequest& request, ServerServices& s) {
  const json body = parse_json_body(request);
  llm::LocalEngine& e = engine(s);
  for (const char* unsupported : {"echo", "logprobs", "suffix", "best_of"})
    if (body.contains(unsupported) && !body[unsupported].is_null() && body[unsupported] != false &&
        body[unsupported] != 1)
      throw Error("unsupported_value", fmt::format("\"{}\" is not supported", unsupported));
  llm::GenerationRequest r;
  r.prompt = completion_prompt(body, e.tokenizer());
  r.options = generation_options(body, 16);
  const json base = {{"id", make_id("cmpl-")},
                     {"object", "text_completion"},
                     {"created", unix_seconds()},
                     {"model", e.name()}};
  auto choice = [](const json& text, const json& finish) {
    return json{{"text", text}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", finish}};
  };
  // Refused before the response starts, so the refusal keeps its status.
  e.scheduler().check(r.prompt);
  if (!body.value("stream", false)) {
    return deferred_json(e, s.metrics, std::move(r), [=](const llm::Generation& g) {
      json out = with_choice(base, choice(g.text, finish_reason(g)));
      out["usage"] = usage(g);
      return out;
    });
  }
  const bool include_usage = wants_usage(body);
  return streamed(
      e, s.metrics, std::move(r), {},
      [=](std::string_view text) -> std::optional<json> {
        return with_choice(base, choice(std::string(text), nullptr));
      },
      [=](const llm::Generation& g) {
        std::vector<json> events = {with_choice(base, choice("", finish_reason(g)))};
        if (include_usage) events.push_back(usage_event(base, g));
        return events;
      });
}

HttpResponse chat_completions(const HttpRequest& request, ServerServices& s) {
  const json body = parse_json_body(request);
  llm::LocalEngine& e = engine(s);
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    throw Error("missing_field", "\"messages\" must be a non-empty array");
  for (const char* unsupported : {"logprobs", "top_logprobs", "audio"})
    if (body.contains(unsupported) && !body[unsupported].is_null() && body[unsupported] != false)
      throw Error("unsupported_value", fmt::format("\"{}\" is not supported", unsupported));
  for (const auto& m : body["messages"]) {
    static const std::set<std::string> roles = {"system", "developer", "user", "assistant", "tool"};
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
        !roles.contains(m["role"].get<std::string>()))
      throw Error("invalid_messages",
                  "each message needs a role: system, developer, user, assistant or tool");
  }
  llm::ChatTemplateInputs inputs;
  // ordered: templates print messages and tool schemas key by key, in the client's order.
  const auto ordered = nlohmann::ordered_json::parse(request.body);
  inputs.messages = ordered["messages"];
  if (ordered.contains("tools") && !ordered["tools"].is_null()) {
    if (!ordered["tools"].is_array()) throw Error("invalid_value", "\"tools\" must be an array");
    inputs.tools = ordered["tools"];
  }
  const bool tool_choice_none = body.value("tool_choice", json("auto")) == "none";
  if (tool_choice_none) inputs.tools = nullptr;
  const bool inputs_have_tools = inputs.tools.is_array() && !inputs.tools.empty();
  llm::GenerationRequest r;
  r.prompt = e.chat_prompt(std::move(inputs));
  // Without max_tokens a reply may fill what is left of the context, as with llama.cpp's server.
  const int64_t room = e.n_ctx() - static_cast<int64_t>(r.prompt.size());
  r.options = generation_options(body, std::max<int64_t>(room, 1));
  const json base = {{"id", make_id("chatcmpl-")},
                     {"object", "chat.completion.chunk"},
                     {"created", unix_seconds()},
                     {"model", e.name()}};
  auto choice = [](const json& delta, const json& finish) {
    return json{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}};
  };
  // With tools offered, the reply is read for calls in the model family's own syntax (Hermes when
  // its template has no tool section and the tools were described in the prompt).
  const auto format = inputs_have_tools ? e.tool_call_format() : llm::ToolCallFormat::None;
  const llm::ParseOptions parse_options{.id_seed = random_u64()};
  auto finish = [](const llm::Generation& g, const llm::ParsedReply& reply) -> json {
    if (!reply.tool_calls.empty() && g.finish != llm::FinishReason::Length) return "tool_calls";
    return finish_reason(g);
  };
  // Refused before the response starts, so the refusal keeps its status.
  e.scheduler().check(r.prompt);
  if (!body.value("stream", false)) {
    return deferred_json(e, s.metrics, std::move(r), [=](const llm::Generation& g) {
      llm::ParsedReply reply;
      if (format == llm::ToolCallFormat::None)
        reply.content = g.text;
      else
        reply = llm::parse_reply(g.text, format, parse_options);
      json message = {{"role", "assistant"}, {"content", reply.content}};
      if (!reply.reasoning.empty()) message["reasoning_content"] = reply.reasoning;
      if (!reply.tool_calls.empty()) {
        if (reply.content.empty()) message["content"] = nullptr;
        message["tool_calls"] = tool_calls_json(reply.tool_calls, /*indexed=*/false);
      }
      json out = base;
      out["object"] = "chat.completion";
      out["choices"] = {{{"index", 0},
                         {"message", message},
                         {"logprobs", nullptr},
                         {"finish_reason", finish(g, reply)}}};
      out["usage"] = usage(g);
      return out;
    });
  }
  const bool include_usage = wants_usage(body);
  auto calls = std::make_shared<llm::ToolCallStream>(format, parse_options);
  return streamed(
      e, s.metrics, std::move(r),
      {with_choice(base, choice({{"role", "assistant"}, {"content", ""}}, nullptr))},
      [=](std::string_view text) -> std::optional<json> {
        const std::string content =
            format == llm::ToolCallFormat::None ? std::string(text) : calls->push(text);
        if (content.empty()) return std::nullopt;
        return with_choice(base, choice({{"content", content}}, nullptr));
      },
      [=](const llm::Generation& g) {
        std::vector<json> events;
        llm::ParsedReply reply;
        if (format != llm::ToolCallFormat::None) {
          if (const std::string rest = calls->flush(); !rest.empty())
            events.push_back(with_choice(base, choice({{"content", rest}}, nullptr)));
          reply = calls->finish();
        }
        if (!reply.tool_calls.empty())
          events.push_back(with_choice(
              base, choice({{"tool_calls", tool_calls_json(reply.tool_calls, /*indexed=*/true)}},
                           nullptr)));
        events.push_back(with_choice(base, choice(json::object(), finish(g, reply))));
        if (include_usage) events.push_back(usage_event(base, g));
        return events;
      });
}

}  // namespace

std::optional<HttpResponse> route_openai(const HttpRequest& request, ServerServices& s) {
  const auto allow = [&](const char* method) {
    if (request.method != method)
      throw Error("method_not_allowed",
                  fmt::format("{} is not allowed on {}", request.method, request.path));
  };
  if (request.path == "/v1/models") {
    allow("GET");
    return models(s);
  }
  if (request.path == "/v1/completions") {
    allow("POST");
    return completions(request, s);
  }
  if (request.path == "/v1/chat/completions") {
    allow("POST");
    return chat_completions(request, s);
  }
  return std::nullopt;
}

}  // namespace tektra
