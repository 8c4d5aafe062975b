// RemoteEngine: one streamed POST per reply, retried while the server cannot be reached.
#include "llm/remote_engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

#include "core/error.h"
#include "core/ids.h"
#include "llm/remote/circuit_breaker.h"
#include "llm/remote/http_connection.h"
#include "llm/remote/sse_reader.h"

namespace tektra::llm {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
constexpr size_t kMaxErrorBody = 64 * 1024;

ChatReply cancelled_reply() {
  ChatReply reply;
  reply.finish = FinishReason::Cancelled;
  return reply;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

ordered_json request_body(const ChatRequest& r, const std::string& model) {
  ordered_json body;
  if (!model.empty()) body["model"] = model;
  body["messages"] = r.messages;
  if (r.tools.is_array() && !r.tools.empty()) body["tools"] = r.tools;
  const GenerateOptions& o = r.options;
  if (o.max_tokens > 0) body["max_tokens"] = o.max_tokens;
  body["temperature"] = o.sampling.temperature;
  body["top_p"] = o.sampling.top_p;
  if (o.sampling.seed != 0) body["seed"] = o.sampling.seed;
  if (o.sampling.frequency_penalty != 0) body["frequency_penalty"] = o.sampling.frequency_penalty;
  if (o.sampling.presence_penalty != 0) body["presence_penalty"] = o.sampling.presence_penalty;
  if (!o.stop.empty()) body["stop"] = o.stop;
  if (o.format == ResponseFormat::JsonObject) body["response_format"] = {{"type", "json_object"}};
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  return body;
}

std::map<std::string, std::string> headers(const RemoteEngineOptions& o, const HttpEndpoint& e) {
  std::map<std::string, std::string> h = {{"Host", e.host + ":" + std::to_string(e.port)},
                                          {"Accept", "text/event-stream, application/json"}};
  if (!o.api_key.empty()) h["Authorization"] = "Bearer " + o.api_key;
  return h;
}

// The whole (short) body of an error response.
std::string read_all(HttpConnection& c, std::chrono::milliseconds timeout) {
  std::string body;
  while (auto piece = c.read_body(timeout)) {
    body += *piece;
    if (body.size() > kMaxErrorBody) break;
  }
  return body;
}

// The Error for a refused request, from OpenAI's error shape when the body has it.
Error refusal(int status, const std::string& body) {
  std::string message = body.substr(0, 300);
  std::string code;
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error")) {
    const json& e = parsed["error"];
    if (e.is_object()) {
      message = e.value("message", message);
      if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    } else if (e.is_string()) {
      message = e.get<std::string>();
    }
  }
  const std::string text = fmt::format("the remote model answered {}: {}", status, message);
  if (code == "context_full" || code == "context_length_exceeded" ||
      message.find("context") != std::string::npos)
    return Error("context_full", text);
  return Error("remote_error", text);
}

// Tool calls arrive in pieces: an id and name first, then the arguments' JSON text in fragments.
struct CallParts {
  std::string id, name, arguments;
};

void add_call_delta(std::vector<CallParts>& calls, const json& delta) {
  size_t index = calls.size();
  if (delta.contains("index") && delta["index"].is_number_unsigned())
    index = delta["index"].get<size_t>();
  if (index > 128) throw Error("bad_response", "a tool call index past 128");
  if (index >= calls.size()) calls.resize(index + 1);
  CallParts& c = calls[index];
  if (delta.contains("id") && delta["id"].is_string()) c.id = delta["id"].get<std::string>();
  if (delta.contains("function") && delta["function"].is_object()) {
    const json& f = delta["function"];
    if (f.contains("name") && f["name"].is_string()) c.name += f["name"].get<std::string>();
    if (f.contains("arguments") && f["arguments"].is_string())
      c.arguments += f["arguments"].get<std::string>();
    else if (f.contains("arguments") && f["arguments"].is_object())
      c.arguments += f["arguments"].dump();
  }
}

void finish_calls(const std::vector<CallParts>& parts, ChatReply& reply) {
  for (const auto& p : parts) {
    if (p.name.empty()) {
      reply.tool_call_errors.push_back("A tool call had no function name, so it was not run.");
      continue;
    }
    json arguments =
        p.arguments.empty() ? json::object() : json::parse(p.arguments, nullptr, false);
    if (!arguments.is_object()) {
      reply.tool_call_errors.push_back(
          fmt::format("The call to {} was not run: its arguments must be a JSON object, not '{}'.",
                      p.name, p.arguments.substr(0, 200)));
      continue;
    }
    reply.tool_calls.push_back({p.id.empty() ? make_id("call_") : p.id, p.name, arguments});
  }
}

}  // namespace

struct RemoteEngine::Endpoint {
  HttpEndpoint http;
};

RemoteEngine::RemoteEngine(RemoteEngineOptions options)
    : options_(std::move(options)),
      endpoint_(std::make_unique<Endpoint>(Endpoint{parse_http_url(options_.url)})),
      breaker_(
          std::make_unique<CircuitBreaker>(options_.breaker_failures, options_.breaker_cooldown)),
      model_(options_.model) {}

RemoteEngine::~RemoteEngine() = default;

std::string RemoteEngine::model_name() const {
  std::lock_guard lock(mutex_);
  return model_.empty() ? "remote" : model_;
}

bool RemoteEngine::circuit_open() const {
  return breaker_->open();
}

int64_t RemoteEngine::prompt_tokens(const ChatRequest& request) const {
  const size_t bytes =
      request.messages.dump().size() + (request.tools.is_null() ? 0 : request.tools.dump().size());
  return static_cast<int64_t>((bytes + 2) / 3);
}

std::vector<std::string> RemoteEngine::list_models(std::chrono::milliseconds timeout) const {
  try {
    HttpConnection c(endpoint_->http, timeout, {});
    c.send("GET", endpoint_->http.base_path + "/v1/models", headers(options_, endpoint_->http), "");
    const HttpHead head = c.read_head(timeout);
    const std::string body = read_all(c, timeout);
    if (head.status != 200) throw refusal(head.status, body);
    const json parsed = json::parse(body, nullptr, false);
    std::vector<std::string> ids;
    if (parsed.is_object() && parsed.contains("data") && parsed["data"].is_array())
      for (const auto& m : parsed["data"])
        if (m.is_object() && m.contains("id") && m["id"].is_string())
          ids.push_back(m["id"].get<std::string>());
    return ids;
  } catch (const Error& e) {
    throw Error("engine_unavailable", fmt::format("{}: {}", options_.url, e.what()));
  }
}

std::string RemoteEngine::resolved_model() {
  {
    std::lock_guard lock(mutex_);
    if (!model_.empty() || model_asked_) return model_;
  }
  std::string first;
  try {
    const auto ids = list_models(options_.connect_timeout);
    if (!ids.empty()) first = ids.front();
  } catch (const Error& e) {
    return "";  // asked again next time; the chat call reports the failure
  }
  std::lock_guard lock(mutex_);
  model_asked_ = true;
  if (model_.empty()) model_ = first;
  return model_;
}

ChatReply RemoteEngine::chat(const ChatRequest& request, const ContentCallback& on_content,
                             const CancellationToken& cancel) {
  Clock::duration retry_in{};
  if (!breaker_->allow(&retry_in))
    throw Error(
        "engine_unavailable",
        fmt::format("the remote model at {} keeps failing; trying again in {} s", options_.url,
                    std::chrono::duration_cast<std::chrono::seconds>(retry_in).count() + 1));
  const Clock::time_point start = Clock::now();
  const std::string body =
      request_body(request, resolved_model()).dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string path = endpoint_->http.base_path + "/v1/chat/completions";
  std::unique_ptr<HttpConnection> conn;
  HttpHead head;
  std::mt19937_64 jitter(random_u64());
  std::string last_failure;
  for (int attempt = 0; attempt <= options_.retries && !conn; ++attempt) {
    if (attempt > 0) {
      // Exponential backoff with jitter, sleeping in slices so a cancel is honoured.
      const auto base = options_.backoff * (1 << std::min(attempt - 1, 10));
      const auto wait = base / 2 + std::chrono::milliseconds(jitter() % (base.count() + 1));
      for (auto until = Clock::now() + wait; Clock::now() < until;) {
        if (cancel.cancelled()) return cancelled_reply();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    try {
      auto c = std::make_unique<HttpConnection>(endpoint_->http, options_.connect_timeout, cancel);
      c->send("POST", path, headers(options_, endpoint_->http), body);
      head = c->read_head(options_.first_byte_timeout);
      conn = std::move(c);
    } catch (const Error& e) {
      if (e.code() == "cancelled") return cancelled_reply();
      last_failure = e.what();
      spdlog::debug("remote model {}: attempt {} failed: {}", options_.url, attempt + 1, e.what());
    }
  }
  if (!conn) {
    breaker_->failed();
    throw Error("engine_unavailable", fmt::format("the remote model at {} cannot be reached: {}",
                                                  options_.url, last_failure));
  }
  if (head.status != 200) {
    std::string error_body;
    try {
      error_body = read_all(*conn, options_.idle_timeout);
    } catch (const Error&) {
      // The status says enough.
    }
    if (head.status >= 500 || head.status == 429) {
      breaker_->failed();
      throw Error("engine_unavailable", refusal(head.status, error_body).what());
    }
    breaker_->succeeded();  // it answered: the server is up, the request was wrong
    throw refusal(head.status, error_body);
  }

  ChatReply reply;
  std::vector<CallParts> calls;
  SseReader sse;
  bool done = false, finished = false;
  int deltas = 0;
  try {
    while (!done) {
      std::optional<std::string> piece = conn->read_body(options_.idle_timeout);
      if (!piece) break;
      for (const std::string& data : sse.push(*piece)) {
        if (data == "[DONE]") {
          done = true;
          break;
        }
        const json event = json::parse(data, nullptr, false);
        if (!event.is_object())
          throw Error("bad_response", "an event is not a JSON object: " + data.substr(0, 100));
        if (event.contains("error")) throw refusal(200, data);
        if (event.contains("usage") && event["usage"].is_object()) {
          reply.prompt_tokens = event["usage"].value("prompt_tokens", reply.prompt_tokens);
          reply.completion_tokens =
              event["usage"].value("completion_tokens", reply.completion_tokens);
        }
        if (!event.contains("choices") || !event["choices"].is_array() || event["choices"].empty())
          continue;
        const json& choice = event["choices"][0];
        if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
          finished = true;
          reply.finish =
              choice["finish_reason"] == "length" ? FinishReason::Length : FinishReason::Stop;
        }
        if (!choice.contains("delta") || !choice["delta"].is_object()) continue;
        const json& delta = choice["delta"];
        const bool any = (delta.contains("content") && delta["content"].is_string()) ||
                         delta.contains("tool_calls") || delta.contains("reasoning_content");
        if (any && deltas++ == 0) reply.first_token_seconds = seconds_since(start);
        if (delta.contains("reasoning_content") && delta["reasoning_content"].is_string())
          reply.reasoning += delta["reasoning_content"].get<std::string>();
        if (delta.contains("tool_calls") && delta["tool_calls"].is_array())
          for (const auto& call : delta["tool_calls"]) add_call_delta(calls, call);
        if (delta.contains("content") && delta["content"].is_string()) {
          const std::string& text = delta["content"].get_ref<const std::string&>();
          if (text.empty()) continue;
          reply.content += text;
          if (on_content && !on_content(text)) {
            reply.finish = FinishReason::Cancelled;
            reply.total_seconds = seconds_since(start);
            breaker_->succeeded();
            return reply;  // closing the connection stops the server's generation
          }
        }
      }
    }
  } catch (const Error& e) {
    if (e.code() == "cancelled") {
      reply.finish = FinishReason::Cancelled;
      reply.total_seconds = seconds_since(start);
      return reply;
    }
    if (e.code() == "context_full" || e.code() == "remote_error") throw;
    breaker_->failed();
    throw Error("engine_unavailable", fmt::format("the remote model at {} stopped answering: {}",
                                                  options_.url, e.what()));
  }
  if (!done && !finished) {
    breaker_->failed();
    throw Error("engine_unavailable",
                fmt::format("the remote model at {} ended its reply early", options_.url));
  }
  breaker_->succeeded();
  finish_calls(calls, reply);
  if (reply.completion_tokens == 0) reply.completion_tokens = deltas;
  if (reply.prompt_tokens == 0) reply.prompt_tokens = static_cast<int>(prompt_tokens(request));
  reply.total_seconds = seconds_since(start);
  return reply;
}

}  // namespace tektra::llm
