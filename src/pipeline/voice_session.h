// One live voice conversation: audio in -> turn detection -> STT -> agent -> TTS -> paced audio
// out, with barge-in. Transport-agnostic: a transport feeds 16 kHz PCM and renders observer
// callbacks.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "audio/audio_front_end.h"
#include "core/cancellation.h"
#include "core/clock.h"
#include "core/event_bus.h"
#include "core/metrics.h"
#include "core/serial_executor.h"
#include "core/thread_pool.h"
#include "core/timer_queue.h"
#include "stt/stt.h"
#include "tts/tts.h"
#include "vad/vad.h"

namespace tektra {

class Resampler;

struct SessionSettings {
  std::string voice = "slt";
  double speaking_rate = 1.0;
  std::string instructions;
  bool server_vad = true;  // false: the client commits turns and asks for responses itself
  bool create_response = true;
  bool interrupt_response = true;
  TurnSettings turn;
  FrontEndSettings front_end;      // echo cancellation and noise suppression of the input
  int output_sample_rate = 24000;  // reply audio is delivered as mono PCM16 at this rate
  // The defaults the configuration gives (voice, rate, turn detection, front-end).
  static SessionSettings from(const Config& config);
};

enum class ResponseStatus { Completed, Cancelled, Failed };
const char* to_string(ResponseStatus status);

struct ResponseInfo {
  std::string response_id;
  std::string item_id;  // the assistant message item
};

// Receives everything a session reports. Calls for one session never overlap and arrive in order.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_speech_started(const std::string& item_id, int64_t audio_ms) = 0;
  virtual void on_speech_stopped(const std::string& item_id, int64_t audio_ms) = 0;
  virtual void on_input_committed(const std::string& item_id) = 0;
  virtual void on_input_cleared() = 0;
  // `delta` extends the text so far; `text` is the whole current hypothesis.
  virtual void on_transcript_partial(const std::string& item_id, const std::string& delta,
                                     const std::string& text) = 0;
  virtual void on_transcript_completed(const std::string& item_id,
                                       const Transcript& transcript) = 0;
  virtual void on_response_started(const ResponseInfo& response) = 0;
  // One sentence of the reply, sent just before its audio.
  virtual void on_response_text(const ResponseInfo& response, const std::string& delta) = 0;
  virtual void on_response_audio(const ResponseInfo& response, std::span<const int16_t> pcm) = 0;
  virtual void on_response_done(const ResponseInfo& response, ResponseStatus status,
                                const std::string& text) = 0;
  virtual void on_event(const std::string& type, const nlohmann::json& data) = 0;  // "tektra.*"
  // `request_id` is the id the client gave the request that failed ("" when none).
  virtual void on_error(const std::string& code, const std::string& message,
                        const std::string& request_id) = 0;
};

// Shared engines and services every session uses.
struct SessionServices {
  Agent& agent;
  SpeechRecognizer& recognizer;
  VoiceCatalog& voices;
  ThreadPool& pool;
  // Replies run here, apart from `pool`: one may wait on a language model for seconds, and input
  // processing (barge-in) must never wait behind it.
  ThreadPool& replies;
  TimerQueue& timers;
  EventBus& bus;
  MetricsRegistry& metrics;
  VadConfig vad;
  std::chrono::milliseconds playback_lead{400};  // how far reply audio may run ahead of real time
};

// Owned through shared_ptr: queued work and paced audio keep it alive. The owner calls close()
// before the observer goes away; after that the observer hears nothing more. Nothing here blocks
// the caller except drain().
class VoiceSession : public std::enable_shared_from_this<VoiceSession> {
 public:
  static std::shared_ptr<VoiceSession> create(SessionServices services, SessionSettings settings,
                                              SessionObserver& observer,
                                              std::string conversation_id = "");
  ~VoiceSession();
  VoiceSession(const VoiceSession&) = delete;
  VoiceSession& operator=(const VoiceSession&) = delete;

  // Cancels any response, drops queued input, detaches the observer. Idempotent.
  void close();

  const std::string& id() const { return id_; }
  std::string conversation_id() const;
  SessionSettings settings() const;
  // Throws Error("unknown_voice") before changing anything when the voice does not exist.
  void update(const SessionSettings& settings);

  // Input audio, 16 kHz mono PCM16, any chunk size. Processed in order off the caller's thread.
  void append_audio(std::vector<int16_t> pcm16k);
  // Requests below take the client's id for the request, echoed in any error they cause.
  void commit_input(const std::string& request_id = "");  // manual turn end: transcribe the buffer
  void clear_input();
  // A typed user message; with respond, a reply follows as if create_response() was called.
  void add_user_text(const std::string& text, bool respond);
  void create_response(const std::string& request_id = "");  // reply to the latest unanswered input
  void cancel_response(const std::string& request_id = "");
  // The client played only `audio_end_ms` of an assistant item. Returns the text actually heard
  // (the sentences that had started by then), or nullopt for an unknown item.
  std::optional<std::string> truncate(const std::string& item_id, int64_t audio_end_ms);

  // Blocks until all input queued so far has been processed (tests, benchmarks).
  void drain();

 private:
  struct Response;
  void process_audio(const std::vector<int16_t>& chunk);
  void begin_user_turn(int64_t onset_ms);
  void end_user_turn(int64_t last_voiced_ms, int64_t decided_ms);
  void complete_user_item(const std::string& item_id, const Transcript& transcript);
  void feed_stream(std::span<const int16_t> pcm);
  void end_turn_early_on_command(const TurnSettings& turn);
  struct TurnTiming {
    TimePoint decided;      // wall time of the end-of-turn decision
    double hangover_s = 0;  // silence waited before deciding
    double stt_s = 0;
  };
  // Starts a reply: to the pending user input, or speaking `announcement` verbatim.
  void start_response(std::optional<TurnTiming> turn, std::optional<std::string> announcement,
                      const std::string& request_id = "");
  void run_response(std::shared_ptr<Response> response);
  void speak(const std::shared_ptr<Response>& response, const std::string& sentence);
  void schedule_audio(const std::shared_ptr<Response>& response, const std::string& sentence,
                      std::vector<int16_t> pcm);
  // Runs `task` (under the session mutex) on the timer thread at `when`, unless the session is
  // closed or the response has ended by then.
  void at(TimePoint when, const std::shared_ptr<Response>& response, std::function<void()> task);
  void report_first_audio(Response& response);
  // When a model answered: its first and last token against the first audio, all from the
  // response's start ("tektra.model_timing").
  void report_model_timing(const Response& response);
  void finish_response(const std::shared_ptr<Response>& response, ResponseStatus status);
  void cancel_active_response();
  void cancel_locked();  // cancel_active_response with the session mutex already held
  void on_bus_event(const Event& event);
  void announce(const std::string& message);  // speaks `message` once no response is running
  // On the executor: starts the reply now, or retries shortly while another reply is running (or,
  // for an announcement, while the user is speaking).
  void start_when_idle(std::optional<TurnTiming> turn, std::optional<std::string> announcement);
  void observe_stage(const char* stage, double seconds);

  SessionServices services_;
  SessionObserver& observer_;
  const std::string id_;
  SerialExecutor executor_;  // input-side logic; responses run beside it so barge-in stays live

  VoiceSession(SessionServices services, SessionSettings settings, SessionObserver& observer,
               std::string conversation_id);
  // Calls `f(observer)` under the session mutex unless the session is closed.
  template <typename F>
  void notify(F&& f) {
    std::lock_guard lock(mutex_);
    if (!closed_) f(observer_);
  }
  // Posts to the executor with the session kept alive.
  void post(std::function<void(VoiceSession&)> task);

  mutable std::mutex mutex_;  // guards the fields below and serialises observer calls
  bool closed_ = false;
  SessionSettings settings_;
  std::string conversation_id_;
  std::string pending_user_text_;  // unanswered user input
  std::shared_ptr<Response> active_response_;
  struct SpokenSentence {
    double offset_s;
    std::string text;
  };
  std::map<std::string, std::vector<SpokenSentence>> spoken_;  // recent assistant items

  // Touched only on the executor.
  std::unique_ptr<TurnDetector> turn_;
  std::unique_ptr<AudioFrontEnd> front_end_;  // its reference() is written by paced audio tasks
  std::vector<int16_t> history_;              // recent input for prefix padding
  int64_t history_start_sample_ = 0;
  int64_t samples_in_ = 0;
  std::unique_ptr<RecognitionStream> stream_;
  std::string user_item_;
  std::string last_partial_;
  bool command_checked_ = false;  // the current pause was already checked for a complete command
  int64_t last_partial_sample_ = 0;
  std::vector<int16_t> manual_buffer_;

  EventBus::SubscriptionId bus_subscription_ = 0;
};

}  // namespace tektra
