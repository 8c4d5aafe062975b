// The HTTP routes: health, metrics, chat, conversations, voices, audio transcription and speech,
// and the built-in page.
#include "server/rest_api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/embedded.h"
#include "core/error.h"
#include "server/multipart.h"
#include "server/openai_api.h"

namespace tektra {

std::span<const EmbeddedFile> embedded_web_files();  // generated from web/

namespace {

using nlohmann::json;

json conversation_json(const Conversation& c) {
  return {{"id", c.id},
          {"title", c.title},
          {"created_at_ms", c.created_at_ms},
          {"updated_at_ms", c.updated_at_ms},
          {"message_count", c.message_count}};
}

json message_json(const Message& m) {
  return {{"id", m.id},
          {"role", m.role},
          {"text", m.text},
          {"created_at_ms", m.created_at_ms},
          {"meta", m.meta}};
}

int status_for(const std::string& code) {
  if (code == "not_found") return 404;
  if (code == "method_not_allowed") return 405;
  if (code == "upgrade_required") return 426;
  if (code == "engine_unavailable") return 503;
  if (code == "internal" || code == "store_error") return 500;
  return 400;
}

std::string string_field(const json& body, const char* key, bool required) {
  if (!body.contains(key) || body[key].is_null()) {
    if (required) throw Error("missing_field", fmt::format("\"{}\" is required", key));
    return "";
  }
  if (!body[key].is_string())
    throw Error("invalid_value", fmt::format("\"{}\" must be a string", key));
  return body[key].get<std::string>();
}

json reply_json(const AgentReply& reply) {
  return {{"reply", reply.text},
          {"conversation_id", reply.conversation_id},
          {"intent", reply.intent},
          {"slots", reply.slots},
          {"understood", reply.understood},
          {"from_model", reply.from_model},
          {"tools_called", reply.tools_called},
          {"cancelled", reply.cancelled}};
}

// With a language model a reply may take seconds, so it runs on a thread of its own, not the
// request pool; a client that disconnects cancels it. With "stream": true the text arrives as
// Server-Sent Events ({"type": "delta", "text"}) before the reply itself ({"type": "done", ...}).
HttpResponse chat(const HttpRequest& request, ServerServices& s) {
  json body = parse_json_body(request);
  AgentRequest turn{.conversation_id = string_field(body, "conversation_id", false),
                    .text = string_field(body, "message", true)};
  if (body.contains("stream") && !body["stream"].is_boolean())
    throw Error("invalid_value", "\"stream\" must be a boolean");
  const bool stream = body.value("stream", false);
  if (!stream && !s.agent.has_model())
    return HttpResponse::json(200, reply_json(s.agent.respond(turn)));
  s.agent.check(turn);  // refused before the response starts, so the refusal keeps its status
  HttpResponse response;
  if (stream) {
    response.content_type = "text/event-stream";
    response.headers["Cache-Control"] = "no-cache";
  }
  response.stream = [&agent = s.agent, turn, stream](ResponseStream& out) mutable {
    turn.cancel = out.disconnected();
    if (stream)
      turn.on_text = [&out](std::string_view text) {
        return out.write(sse_event({{"type", "delta"}, {"text", text}}));
      };
    try {
      AgentReply reply = agent.respond(turn);
      if (reply.cancelled && out.disconnected().cancelled()) return;
      json done = reply_json(reply);
      if (stream) {
        done["type"] = "done";
        out.write(sse_event(done));
      } else {
        out.write(done.dump(-1, ' ', false, json::error_handler_t::replace));
      }
    } catch (const Error& e) {
      json error = json::parse(HttpResponse::error(500, e.code(), e.what()).body);
      out.write(stream ? sse_event(error) : error.dump());
    }
  };
  return response;
}

HttpResponse personality(const HttpRequest& request, ServerServices& s) {
  if (request.method == "GET") return HttpResponse::json(200, s.agent.personality().to_json());
  if (request.method == "DELETE")
    return HttpResponse::json(200, s.agent.reset_personality().to_json());
  return HttpResponse::json(200, s.agent.update_personality(parse_json_body(request)).to_json());
}

HttpResponse conversations(const HttpRequest& request, ServerServices& s) {
  auto number = [&](const char* key, int fallback, int hi) {
    auto it = request.query.find(key);
    if (it == request.query.end()) return fallback;
    try {
      size_t used = 0;
      int v = std::stoi(it->second, &used);
      if (used != it->second.size() || v < 0 || v > hi) throw std::invalid_argument(key);
      return v;
    } catch (const std::exception&) {
      throw Error("invalid_value", fmt::format("{} must be an integer between 0 and {}", key, hi));
    }
  };
  json list = json::array();
  for (const auto& c :
       s.store.conversations(number("limit", 50, 1000), number("offset", 0, 1 << 30))) {
    list.push_back(conversation_json(c));
  }
  return HttpResponse::json(200, {{"conversations", list}});
}

HttpResponse conversation(const HttpRequest& request, ServerServices& s, const std::string& id) {
  if (request.method == "DELETE") {
    if (!s.store.delete_conversation(id))
      throw Error("not_found", fmt::format("no conversation '{}'", id));
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  auto c = s.store.conversation(id);
  if (!c) throw Error("not_found", fmt::format("no conversation '{}'", id));
  json messages = json::array();
  for (const auto& m : s.store.messages(id)) messages.push_back(message_json(m));
  json out = conversation_json(*c);
  out["messages"] = messages;
  return HttpResponse::json(200, out);
}

HttpResponse voices(ServerServices& s) {
  json list = json::array();
  for (const auto& v : s.voices.voices()) {
    list.push_back({{"name", v.name},
                    {"engine", v.engine},
                    {"language", v.language},
                    {"gender", v.gender},
                    {"sample_rate", v.sample_rate}});
  }
  return HttpResponse::json(200, {{"voices", list}, {"default", s.config.tts.voice}});
}

HttpResponse transcription(const HttpRequest& request, ServerServices& s) {
  auto parts = parse_multipart(request.header("content-type"), request.body);
  auto file = parts.find("file");
  if (file == parts.end())
    throw Error("missing_field", "multipart field \"file\" (a WAV file) is required");
  std::string format = parts.count("response_format") ? parts["response_format"].data : "json";
  if (format != "json" && format != "text" && format != "verbose_json") {
    throw Error("invalid_value", "response_format must be json, text or verbose_json");
  }
  AudioBuffer audio = parse_wav(std::span(
      reinterpret_cast<const uint8_t*>(file->second.data.data()), file->second.data.size()));
  AudioBuffer mono = to_mono(audio, 16000);
  Transcript t = transcribe(s.recognizer, mono.samples);
  if (format == "text") {
    HttpResponse r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = t.text + "\n";
    return r;
  }
  json out = {{"text", t.text}};
  if (format == "verbose_json") {
    json words = json::array();
    for (const auto& w : t.words)
      words.push_back({{"word", w.word}, {"start", w.start_s}, {"end", w.end_s}});
    out["task"] = "transcribe";
    out["language"] = "english";
    out["duration"] = audio.duration_seconds();
    out["words"] = words;
  }
  return HttpResponse::json(200, out);
}

HttpResponse speech(const HttpRequest& request, ServerServices& s) {
  json body = parse_json_body(request);
  std::string input = string_field(body, "input", true);
  std::string voice = string_field(body, "voice", false);
  if (voice.empty()) voice = s.config.tts.voice;
  std::string format = string_field(body, "response_format", false);
  if (format.empty()) format = "wav";
  if (format != "wav" && format != "pcm")
    throw Error("invalid_value", "response_format must be wav or pcm");
  double speed = 1.0;
  if (body.contains("speed")) {
    if (!body["speed"].is_number()) throw Error("invalid_value", "\"speed\" must be a number");
    speed = body["speed"].get<double>();
    if (speed < 0.25 || speed > 4.0)
      throw Error("invalid_value", "\"speed\" must be between 0.25 and 4.0");
  }
  if (input.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error("empty_text", "\"input\" is empty");
  if (input.size() > 4096) throw Error("invalid_value", "\"input\" is longer than 4096 characters");
  Speech speech = s.voices.synthesize(input, voice, speed);
  HttpResponse r;
  if (format == "wav") {
    auto bytes = encode_wav(speech.audio);
    r.content_type = "audio/wav";
    r.body.assign(bytes.begin(), bytes.end());
  } else {
    // OpenAI's "pcm" is 24 kHz 16-bit little-endian mono.
    auto pcm = resample(speech.audio.samples, speech.audio.sample_rate, 24000);
    r.content_type = "audio/pcm";
    r.body.assign(reinterpret_cast<const char*>(pcm.data()), pcm.size() * 2);
  }
  r.headers["X-Sample-Rate"] = format == "wav" ? std::to_string(speech.audio.sample_rate) : "24000";
  return r;
}

std::string content_type_for(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

std::optional<HttpResponse> static_file(const std::string& path) {
  std::string wanted = path == "/" ? "index.html" : path.substr(1);
  for (const auto& f : embedded_web_files()) {
    if (f.path == wanted) {
      HttpResponse r;
      r.content_type = content_type_for(f.path);
      r.body = std::string(f.content);
      r.headers["Cache-Control"] = "no-cache";
      return r;
    }
  }
  return std::nullopt;
}

HttpResponse route(const HttpRequest& request, ServerServices& s) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  auto allow = [&](std::initializer_list<const char*> methods) {
    for (const char* m : methods) {
      if (method == m) return;
    }
    throw Error("method_not_allowed", fmt::format("{} is not allowed on {}", method, path));
  };
  if (path == "/healthz") {
    allow({"GET", "HEAD"});
    return HttpResponse::json(200, {{"status", "ok"}});
  }
  if (path == "/readyz") {
    allow({"GET", "HEAD"});
    return HttpResponse::json(200, {{"status", "ready"},
                                    {"sessions", s.active_sessions.load()},
                                    {"max_sessions", s.config.server.max_sessions}});
  }
  if (path == "/metrics") {
    allow({"GET"});
    s.metrics.gauge("tektra_sessions_active", "Open voice sessions").set(s.active_sessions.load());
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = s.metrics.render();
    return r;
  }
  if (path == "/api/v1/chat") {
    allow({"POST"});
    return chat(request, s);
  }
  if (path == "/api/v1/personality") {
    allow({"GET", "PUT", "PATCH", "DELETE"});
    return personality(request, s);
  }
  if (path == "/api/v1/conversations") {
    allow({"GET"});
    return conversations(request, s);
  }
  if (path.rfind("/api/v1/conversations/", 0) == 0) {
    allow({"GET", "DELETE"});
    std::string id = path.substr(std::string("/api/v1/conversations/").size());
    if (id.empty() || id.find('/') != std::string::npos)
      throw Error("not_found", "no such conversation");
    return conversation(request, s, id);
  }
  if (path == "/api/v1/voices") {
    allow({"GET"});
    return voices(s);
  }
  if (path == "/v1/audio/transcriptions") {
    allow({"POST"});
    return transcription(request, s);
  }
  if (path == "/v1/audio/speech") {
    allow({"POST"});
    return speech(request, s);
  }
  if (path == "/v1/realtime")
    throw Error("upgrade_required", "/v1/realtime is a WebSocket endpoint");
  if (auto response = route_openai(request, s)) return std::move(*response);
  if (method == "GET" || method == "HEAD") {
    if (auto file = static_file(path)) return *file;
  }
  throw Error("not_found", fmt::format("no route for {} {}", method, path));
}

}  // namespace

HttpResponse handle_http(const HttpRequest& request, ServerServices& services) {
  try {
    return route(request, services);
  } catch (const Error& e) {
    int status = status_for(e.code());
    services.metrics
        .counter("tektra_errors_total", "Errors reported to clients",
                 fmt::format("code=\"{}\"", e.code()))
        .inc();
    return HttpResponse::error(status, e.code(), e.what());
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
    return HttpResponse::error(500, "internal", e.what());
  }
}

}  // namespace tektra
