// RealtimeConnection: parses client events, drives the VoiceSession, renders server events.
#include "server/realtime_connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audio/resampler.h"
#include "core/base64.h"
#include "core/error.h"
#include "core/ids.h"

namespace tektra {
namespace {

using nlohmann::json;

constexpr int kPipelineRate = 16000;

// Realtime format names: beta strings ("pcm16") or GA objects ({"type":"audio/pcm","rate":24000}).
AudioFormat parse_format(const json& value) {
  auto bad = [&] {
    return Error("invalid_value",
                 fmt::format("unsupported audio format {}; use pcm16 (16000 or 24000 Hz), "
                             "g711_ulaw or g711_alaw",
                             value.dump()));
  };
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    if (s == "pcm16" || s == "audio/pcm") return {AudioEncoding::Pcm16, 24000};
    if (s == "g711_ulaw" || s == "audio/pcmu") return {AudioEncoding::Mulaw, 8000};
    if (s == "g711_alaw" || s == "audio/pcma") return {AudioEncoding::Alaw, 8000};
    throw bad();
  }
  if (!value.is_object() || !value.contains("type") || !value["type"].is_string()) throw bad();
  AudioFormat format = parse_format(value["type"]);
  if (value.contains("rate")) {
    if (!value["rate"].is_number_integer()) throw bad();
    int rate = value["rate"].get<int>();
    bool ok =
        format.encoding == AudioEncoding::Pcm16 ? (rate == 16000 || rate == 24000) : rate == 8000;
    if (!ok) throw bad();
    format.sample_rate = rate;
  }
  return format;
}

std::string beta_format_name(const AudioFormat& f) {
  switch (f.encoding) {
    case AudioEncoding::Pcm16:
      return "pcm16";
    case AudioEncoding::Mulaw:
      return "g711_ulaw";
    case AudioEncoding::Alaw:
      return "g711_alaw";
  }
  return "pcm16";
}

json ga_format(const AudioFormat& f) {
  switch (f.encoding) {
    case AudioEncoding::Pcm16:
      return {{"type", "audio/pcm"}, {"rate", f.sample_rate}};
    case AudioEncoding::Mulaw:
      return {{"type", "audio/pcmu"}, {"rate", 8000}};
    case AudioEncoding::Alaw:
      return {{"type", "audio/pcma"}, {"rate", 8000}};
  }
  return nullptr;
}

template <typename T>
T number_field(const json& object, const char* key, T fallback, T lo, T hi) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  if (!object[key].is_number())
    throw Error("invalid_value", fmt::format("{} must be a number", key));
  T v = object[key].get<T>();
  if (v < lo || v > hi)
    throw Error("invalid_value", fmt::format("{} must be between {} and {}", key, lo, hi));
  return v;
}

bool bool_field(const json& object, const char* key, bool fallback) {
  if (!object.contains(key) || object[key].is_null()) return fallback;
  if (!object[key].is_boolean())
    throw Error("invalid_value", fmt::format("{} must be a boolean", key));
  return object[key].get<bool>();
}

// OpenAI's input_audio_noise_reduction: null (off) or {"type": "near_field" | "far_field"}; a
// far-field microphone hears more of the room, so it gets the stronger suppression.
NoiseSuppression parse_noise_reduction(const json& value) {
  if (value.is_null()) return NoiseSuppression::off;
  const std::string type = value.is_object() ? value.value("type", "") : "";
  if (type == "near_field") return NoiseSuppression::moderate;
  if (type == "far_field") return NoiseSuppression::high;
  throw Error("invalid_value",
              "input_audio_noise_reduction must be null or {\"type\": \"near_field\" or "
              "\"far_field\"}");
}

json noise_reduction_json(NoiseSuppression level) {
  if (level == NoiseSuppression::off) return nullptr;
  return {{"type", level >= NoiseSuppression::high ? "far_field" : "near_field"}};
}

}  // namespace

RealtimeConnection::RealtimeConnection(ServerServices& services, Send send, RealtimeOptions options)
    : services_(services), send_(std::move(send)), options_(std::move(options)) {
  SessionSettings settings = SessionSettings::from(services_.config);
  settings.output_sample_rate = output_format_.sample_rate;
  input_resampler_ = std::make_unique<Resampler>(input_format_.sample_rate, kPipelineRate);
  session_ =
      VoiceSession::create(services_.session_services(), settings, *this, options_.conversation_id);
}

RealtimeConnection::~RealtimeConnection() {
  session_->close();
}

std::string RealtimeConnection::name(const std::string& ga) const {
  if (!options_.beta_event_names) return ga;
  static const std::map<std::string, std::string> beta = {
      {"response.output_audio.delta", "response.audio.delta"},
      {"response.output_audio.done", "response.audio.done"},
      {"response.output_audio_transcript.delta", "response.audio_transcript.delta"},
      {"response.output_audio_transcript.done", "response.audio_transcript.done"},
      {"response.output_text.delta", "response.text.delta"},
      {"response.output_text.done", "response.text.done"},
      {"conversation.item.added", "conversation.item.created"},
  };
  auto it = beta.find(ga);
  return it == beta.end() ? ga : it->second;
}

void RealtimeConnection::emit(const std::string& type, json payload) {
  payload["type"] = name(type);
  payload["event_id"] = make_id("event_");
  send_(payload.dump(-1, ' ', false, json::error_handler_t::replace));
}

void RealtimeConnection::send_error(const std::string& code, const std::string& message,
                                    const json& event_id) {
  services_.metrics
      .counter("tektra_errors_total", "Errors reported to clients",
               fmt::format("code=\"{}\"", code))
      .inc();
  json error = {{"type", "invalid_request_error"},
                {"code", code},
                {"message", message},
                {"param", nullptr},
                {"event_id", event_id}};
  emit("error", {{"error", error}});
}

json RealtimeConnection::session_json() const {
  SessionSettings s = session_->settings();
  json turn = nullptr;
  if (s.server_vad) {
    turn = {{"type", "server_vad"},
            {"threshold", s.turn.threshold},
            {"prefix_padding_ms", s.turn.prefix_padding_ms},
            {"silence_duration_ms", s.turn.silence_duration_ms},
            {"create_response", s.create_response},
            {"interrupt_response", s.interrupt_response}};
  }
  const json noise_reduction = noise_reduction_json(s.front_end.canceller.noise_suppression);
  return {
      {"id", session_->id()},
      {"object", "realtime.session"},
      {"model", "tektra"},
      {"modalities", {"audio", "text"}},
      {"instructions", s.instructions},
      {"voice", s.voice},
      {"speed", s.speaking_rate},
      {"input_audio_format", beta_format_name(input_format_)},
      {"output_audio_format", beta_format_name(output_format_)},
      {"turn_detection", turn},
      {"input_audio_noise_reduction", noise_reduction},
      {"audio",
       {{"input",
         {{"format", ga_format(input_format_)},
          {"turn_detection", turn},
          {"noise_reduction", noise_reduction}}},
        {"output",
         {{"format", ga_format(output_format_)}, {"voice", s.voice}, {"speed", s.speaking_rate}}}}},
      {"tektra",
       {{"conversation_id", session_->conversation_id()},
        {"echo_cancellation", s.front_end.echo_cancellation}}}};
}

void RealtimeConnection::open() {
  emit("session.created", {{"session", session_json()}});
}

void RealtimeConnection::reject_oversize(size_t bytes) {
  send_error(
      "message_too_large",
      fmt::format(
          "message of {} bytes exceeds the limit of {} bytes; split audio into smaller appends",
          bytes, services_.config.server.max_message_bytes));
}

void RealtimeConnection::handle_message(std::string_view text) {
  json event = json::parse(text, nullptr, false);
  if (event.is_discarded()) {
    send_error("invalid_json", "the message is not valid JSON");
    return;
  }
  json event_id =
      event.is_object() && event.contains("event_id") ? event["event_id"] : json(nullptr);
  if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
    send_error("invalid_event", "every event must be a JSON object with a string \"type\"",
               event_id);
    return;
  }
  try {
    dispatch(event);
  } catch (const Error& e) {
    send_error(e.code(), e.what(), event_id);
  } catch (const json::exception& e) {
    send_error("invalid_event",
               fmt::format("malformed {} event: {}", event["type"].get<std::string>(), e.what()),
               event_id);
  } catch (const std::exception& e) {
    spdlog::error("realtime event failed: {}", e.what());
    send_error("server_error", e.what(), event_id);
  }
}

void RealtimeConnection::dispatch(const json& event) {
  const std::string type = event["type"];
  const std::string id = event.contains("event_id") && event["event_id"].is_string()
                             ? event["event_id"].get<std::string>()
                             : "";
  if (type == "input_audio_buffer.append") {
    append_audio(event);
  } else if (type == "session.update") {
    if (!event.contains("session") || !event["session"].is_object()) {
      throw Error("invalid_event", "session.update needs a \"session\" object");
    }
    session_update(event["session"], event.value("event_id", json(nullptr)));
  } else if (type == "input_audio_buffer.commit") {
    session_->commit_input(id);
  } else if (type == "input_audio_buffer.clear") {
    session_->clear_input();
  } else if (type == "conversation.item.create") {
    item_create(event);
  } else if (type == "conversation.item.truncate") {
    item_truncate(event);
  } else if (type == "response.create") {
    session_->create_response(id);
  } else if (type == "response.cancel") {
    session_->cancel_response(id);
  } else {
    throw Error("unknown_event_type", fmt::format("unknown event type '{}'", type));
  }
}

void RealtimeConnection::session_update(const json& update, const json& event_id) {
  // Validate everything first so a bad field changes nothing.
  SessionSettings s = session_->settings();
  AudioFormat input = input_format_, output = output_format_;
  if (update.contains("instructions")) s.instructions = update["instructions"].get<std::string>();
  if (update.contains("voice")) s.voice = update["voice"].get<std::string>();
  if (update.contains("speed")) s.speaking_rate = number_field(update, "speed", 1.0, 0.25, 4.0);
  if (update.contains("input_audio_format")) input = parse_format(update["input_audio_format"]);
  if (update.contains("output_audio_format")) output = parse_format(update["output_audio_format"]);
  const json* turn = update.contains("turn_detection") ? &update["turn_detection"] : nullptr;
  const json* noise = update.contains("input_audio_noise_reduction")
                          ? &update["input_audio_noise_reduction"]
                          : nullptr;
  if (update.contains("audio")) {
    const json& audio = update["audio"];
    if (audio.contains("input")) {
      if (audio["input"].contains("format")) input = parse_format(audio["input"]["format"]);
      if (audio["input"].contains("turn_detection")) turn = &audio["input"]["turn_detection"];
      if (audio["input"].contains("noise_reduction")) noise = &audio["input"]["noise_reduction"];
    }
    if (audio.contains("output")) {
      const json& out = audio["output"];
      if (out.contains("format")) output = parse_format(out["format"]);
      if (out.contains("voice")) s.voice = out["voice"].get<std::string>();
      if (out.contains("speed")) s.speaking_rate = number_field(out, "speed", 1.0, 0.25, 4.0);
    }
  }
  if (turn) {
    if (turn->is_null()) {
      s.server_vad = false;
    } else {
      std::string kind = turn->value("type", "server_vad");
      if (kind != "server_vad") {
        throw Error(
            "invalid_value",
            fmt::format("turn_detection type '{}' is not supported; use server_vad or null", kind));
      }
      s.server_vad = true;
      s.turn.threshold = number_field(*turn, "threshold", s.turn.threshold, 0.0, 1.0);
      s.turn.prefix_padding_ms =
          number_field(*turn, "prefix_padding_ms", s.turn.prefix_padding_ms, 0, 5000);
      s.turn.silence_duration_ms =
          number_field(*turn, "silence_duration_ms", s.turn.silence_duration_ms, 100, 10000);
      s.create_response = bool_field(*turn, "create_response", s.create_response);
      s.interrupt_response = bool_field(*turn, "interrupt_response", s.interrupt_response);
    }
  }
  if (noise) s.front_end.canceller.noise_suppression = parse_noise_reduction(*noise);
  if (update.contains("tektra") && update["tektra"].contains("echo_cancellation")) {
    s.front_end.echo_cancellation =
        bool_field(update["tektra"], "echo_cancellation", s.front_end.echo_cancellation);
  }
  s.output_sample_rate = output.sample_rate;
  session_->update(s);  // throws unknown_voice before changing anything
  if (input.sample_rate != input_format_.sample_rate) {
    input_resampler_ = std::make_unique<Resampler>(input.sample_rate, kPipelineRate);
  }
  input_format_ = input;
  output_format_ = output;
  json payload = {{"session", session_json()}};
  if (!event_id.is_null()) payload["event_id_ack"] = event_id;
  emit("session.updated", payload);
}

void RealtimeConnection::append_audio(const json& event) {
  if (!event.contains("audio") || !event["audio"].is_string()) {
    throw Error("invalid_event", "input_audio_buffer.append needs a base64 \"audio\" string");
  }
  auto bytes = base64_decode(event["audio"].get<std::string>());
  if (!bytes) throw Error("invalid_base64", "\"audio\" is not valid base64");
  if (bytes->size() >= 4 && std::equal(bytes->begin(), bytes->begin() + 4, "RIFF")) {
    throw Error("invalid_audio_format",
                "received a WAV file; send raw audio in the session's input format (" +
                    beta_format_name(input_format_) + ")");
  }
  if (input_format_.encoding == AudioEncoding::Pcm16 && bytes->size() % 2 != 0) {
    throw Error("invalid_audio_format", "pcm16 audio must have an even number of bytes");
  }
  std::vector<int16_t> pcm = decode_audio(*bytes, input_format_.encoding);
  session_->append_audio(input_resampler_->process(pcm));
}

void RealtimeConnection::item_create(const json& event) {
  if (!event.contains("item") || !event["item"].is_object()) {
    throw Error("invalid_event", "conversation.item.create needs an \"item\" object");
  }
  const json& item = event["item"];
  std::string role = item.value("role", "user");
  if (item.value("type", "message") != "message" || role != "user") {
    throw Error("invalid_value", "only user message items are supported");
  }
  std::string text;
  if (item.contains("content") && item["content"].is_array()) {
    for (const auto& part : item["content"]) {
      std::string kind = part.value("type", "");
      if ((kind == "input_text" || kind == "text") && part.contains("text") &&
          part["text"].is_string()) {
        text += (text.empty() ? "" : " ") + part["text"].get<std::string>();
      }
    }
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw Error("empty_text", "the message item has no input_text content");
  }
  std::string id = item.value("id", make_id("item_"));
  json added = {{"id", id},
                {"object", "realtime.item"},
                {"type", "message"},
                {"role", "user"},
                {"status", "completed"},
                {"content", {{{"type", "input_text"}, {"text", text}}}}};
  emit("conversation.item.added", {{"previous_item_id", nullptr}, {"item", added}});
  emit("conversation.item.done", {{"item", added}});
  session_->add_user_text(text, false);
}

void RealtimeConnection::item_truncate(const json& event) {
  std::string item_id = event.value("item_id", "");
  int64_t audio_end_ms = number_field<int64_t>(event, "audio_end_ms", -1, 0, INT64_MAX);
  if (item_id.empty() || audio_end_ms < 0) {
    throw Error("invalid_event", "conversation.item.truncate needs item_id and audio_end_ms");
  }
  auto heard = session_->truncate(item_id, audio_end_ms);
  if (!heard) throw Error("item_not_found", fmt::format("no assistant audio item '{}'", item_id));
  emit("conversation.item.truncated", {{"item_id", item_id},
                                       {"content_index", event.value("content_index", 0)},
                                       {"audio_end_ms", audio_end_ms},
                                       {"transcript", *heard}});
}

// ---- SessionObserver: pipeline events rendered as Realtime server events ----

void RealtimeConnection::on_speech_started(const std::string& item_id, int64_t audio_ms) {
  emit("input_audio_buffer.speech_started", {{"audio_start_ms", audio_ms}, {"item_id", item_id}});
}

void RealtimeConnection::on_speech_stopped(const std::string& item_id, int64_t audio_ms) {
  emit("input_audio_buffer.speech_stopped", {{"audio_end_ms", audio_ms}, {"item_id", item_id}});
}

void RealtimeConnection::on_input_committed(const std::string& item_id) {
  emit("input_audio_buffer.committed", {{"previous_item_id", nullptr}, {"item_id", item_id}});
  json item = {
      {"id", item_id},         {"object", "realtime.item"},
      {"type", "message"},     {"role", "user"},
      {"status", "completed"}, {"content", {{{"type", "input_audio"}, {"transcript", nullptr}}}}};
  emit("conversation.item.added", {{"previous_item_id", nullptr}, {"item", item}});
}

void RealtimeConnection::on_input_cleared() {
  emit("input_audio_buffer.cleared", json::object());
}

void RealtimeConnection::on_transcript_partial(const std::string& item_id, const std::string& delta,
                                               const std::string& text) {
  if (!delta.empty()) {
    emit("conversation.item.input_audio_transcription.delta",
         {{"item_id", item_id}, {"content_index", 0}, {"delta", delta}});
  }
  emit("tektra.input_audio_transcription.partial", {{"item_id", item_id}, {"text", text}});
}

void RealtimeConnection::on_transcript_completed(const std::string& item_id,
                                                 const Transcript& transcript) {
  json words = json::array();
  for (const auto& w : transcript.words) {
    words.push_back(
        {{"word", w.word}, {"start", w.start_s}, {"end", w.end_s}, {"confidence", w.confidence}});
  }
  emit(
      "conversation.item.input_audio_transcription.completed",
      {{"item_id", item_id},
       {"content_index", 0},
       {"transcript", transcript.text},
       {"tektra",
        {{"words", words}, {"confidence", transcript.confidence}, {"search", transcript.search}}}});
}

void RealtimeConnection::on_response_started(const ResponseInfo& r) {
  emit("response.created", {{"response",
                             {{"id", r.response_id},
                              {"object", "realtime.response"},
                              {"status", "in_progress"},
                              {"output", json::array()}}}});
  json item = {{"id", r.item_id},     {"object", "realtime.item"}, {"type", "message"},
               {"role", "assistant"}, {"status", "in_progress"},   {"content", json::array()}};
  emit("response.output_item.added",
       {{"response_id", r.response_id}, {"output_index", 0}, {"item", item}});
  emit("conversation.item.added", {{"previous_item_id", nullptr}, {"item", item}});
  emit("response.content_part.added", {{"response_id", r.response_id},
                                       {"item_id", r.item_id},
                                       {"output_index", 0},
                                       {"content_index", 0},
                                       {"part", {{"type", "audio"}, {"transcript", ""}}}});
}

void RealtimeConnection::on_response_text(const ResponseInfo& r, const std::string& delta) {
  json payload = {{"response_id", r.response_id},
                  {"item_id", r.item_id},
                  {"output_index", 0},
                  {"content_index", 0},
                  {"delta", delta}};
  emit("response.output_audio_transcript.delta", payload);
  emit("response.output_text.delta", payload);
}

void RealtimeConnection::on_response_audio(const ResponseInfo& r, std::span<const int16_t> pcm) {
  std::vector<uint8_t> bytes = encode_audio(pcm, output_format_.encoding);
  emit("response.output_audio.delta", {{"response_id", r.response_id},
                                       {"item_id", r.item_id},
                                       {"output_index", 0},
                                       {"content_index", 0},
                                       {"delta", base64_encode(bytes)}});
}

void RealtimeConnection::on_response_done(const ResponseInfo& r, ResponseStatus status,
                                          const std::string& text) {
  json common = {{"response_id", r.response_id},
                 {"item_id", r.item_id},
                 {"output_index", 0},
                 {"content_index", 0}};
  const char* item_status = status == ResponseStatus::Completed ? "completed" : "incomplete";
  json item = {{"id", r.item_id},       {"object", "realtime.item"},
               {"type", "message"},     {"role", "assistant"},
               {"status", item_status}, {"content", {{{"type", "audio"}, {"transcript", text}}}}};
  if (status == ResponseStatus::Completed) {
    emit("response.output_audio.done", common);
    json t = common;
    t["transcript"] = text;
    emit("response.output_audio_transcript.done", t);
    json p = common;
    p["part"] = {{"type", "audio"}, {"transcript", text}};
    emit("response.content_part.done", p);
    emit("response.output_item.done",
         {{"response_id", r.response_id}, {"output_index", 0}, {"item", item}});
  }
  json response = {{"id", r.response_id},
                   {"object", "realtime.response"},
                   {"status", to_string(status)},
                   {"output", {item}}};
  if (status == ResponseStatus::Cancelled) response["status_details"] = {{"type", "cancelled"}};
  emit("response.done", {{"response", response}});
}

void RealtimeConnection::on_event(const std::string& type, const json& data) {
  emit(type, data);
}

void RealtimeConnection::on_error(const std::string& code, const std::string& message,
                                  const std::string& request_id) {
  send_error(code, message, request_id.empty() ? json(nullptr) : json(request_id));
}

}  // namespace tektra
