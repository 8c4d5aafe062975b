// The OpenAI-Realtime-compatible protocol for one WebSocket: client JSON events in, server events
// out, a VoiceSession underneath. Knows nothing about sockets; the transport moves the text frames.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audio/codec.h"
#include "pipeline/voice_session.h"
#include "server/server.h"

namespace tektra {

class Resampler;

struct RealtimeOptions {
  bool beta_event_names = false;  // the client sent "OpenAI-Beta: realtime=v1"
  std::string conversation_id;    // resume an existing conversation
};

class RealtimeConnection : public SessionObserver {
 public:
  using Send = std::function<void(std::string text)>;  // must be thread-safe and non-blocking

  RealtimeConnection(ServerServices& services, Send send, RealtimeOptions options);
  ~RealtimeConnection() override;

  void open();                                 // sends session.created
  void handle_message(std::string_view text);  // one client event; never throws
  void reject_oversize(size_t bytes);          // a client message over the size limit was dropped
  void send_error(const std::string& code, const std::string& message,
                  const nlohmann::json& event_id = nullptr);

  // SessionObserver
  void on_speech_started(const std::string& item_id, int64_t audio_ms) override;
  void on_speech_stopped(const std::string& item_id, int64_t audio_ms) override;
  void on_input_committed(const std::string& item_id) override;
  void on_input_cleared() override;
  void on_transcript_partial(const std::string& item_id, const std::string& delta,
                             const std::string& text) override;
  void on_transcript_completed(const std::string& item_id, const Transcript& transcript) override;
  void on_response_started(const ResponseInfo& response) override;
  void on_response_text(const ResponseInfo& response, const std::string& delta) override;
  void on_response_audio(const ResponseInfo& response, std::span<const int16_t> pcm) override;
  void on_response_done(const ResponseInfo& response, ResponseStatus status,
                        const std::string& text) override;
  void on_event(const std::string& type, const nlohmann::json& data) override;
  void on_error(const std::string& code, const std::string& message,
                const std::string& request_id) override;

 private:
  void dispatch(const nlohmann::json& event);
  void session_update(const nlohmann::json& session, const nlohmann::json& event_id);
  void append_audio(const nlohmann::json& event);
  void item_create(const nlohmann::json& event);
  void item_truncate(const nlohmann::json& event);
  nlohmann::json session_json() const;
  void emit(const std::string& type, nlohmann::json payload);
  std::string name(const std::string& ga_name) const;

  ServerServices& services_;
  Send send_;
  RealtimeOptions options_;
  AudioFormat input_format_{AudioEncoding::Pcm16, 24000};
  AudioFormat output_format_{AudioEncoding::Pcm16, 24000};
  std::unique_ptr<Resampler> input_resampler_;
  std::shared_ptr<VoiceSession> session_;
};

}  // namespace tektra
