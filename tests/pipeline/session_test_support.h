// In-process VoiceSession testing: a recording observer, a shared Runtime and audio feeding.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/runtime.h"
#include "audio/resampler.h"
#include "pipeline/voice_session.h"
#include "support/speech.h"
#include "support/temp_dir.h"

namespace tektra::test {

using namespace std::chrono_literals;

enum class Kind {
  SpeechStarted,
  SpeechStopped,
  InputCommitted,
  InputCleared,
  Partial,
  TranscriptCompleted,
  ResponseStarted,
  ResponseText,
  ResponseAudio,
  ResponseDone,
  Event,
  Error,
};

inline const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::SpeechStarted:
      return "speech_started";
    case Kind::SpeechStopped:
      return "speech_stopped";
    case Kind::InputCommitted:
      return "input_committed";
    case Kind::InputCleared:
      return "input_cleared";
    case Kind::Partial:
      return "transcript_partial";
    case Kind::TranscriptCompleted:
      return "transcript_completed";
    case Kind::ResponseStarted:
      return "response_started";
    case Kind::ResponseText:
      return "response_text";
    case Kind::ResponseAudio:
      return "response_audio";
    case Kind::ResponseDone:
      return "response_done";
    case Kind::Event:
      return "event";
    case Kind::Error:
      return "error";
  }
  return "?";
}

// One observer callback, as recorded.
struct Call {
  explicit Call(Kind k) : kind(k) {}
  Kind kind;
  TimePoint at;
  std::string item_id;      // the user item, or the assistant item of a response
  std::string response_id;  // response calls only
  int64_t audio_ms = 0;     // speech started / stopped
  std::string text;   // partial or final transcript, response text delta or final text, event type,
                      // error code
  std::string delta;  // partials
  Transcript transcript;
  ResponseStatus status = ResponseStatus::Failed;
  std::vector<int16_t> pcm;  // response audio
  nlohmann::json data;       // events
  std::string message;       // errors
  std::string request_id;    // errors
};

using Filter = std::function<bool(const Call&)>;

// Records every callback with its arrival time; tests wait on conditions over the record.
// Also checks the observer contract: calls never overlap and none arrive after seal().
class Recorder : public SessionObserver {
 public:
  void on_speech_started(const std::string& item_id, int64_t audio_ms) override {
    Call c{Kind::SpeechStarted};
    c.item_id = item_id;
    c.audio_ms = audio_ms;
    add(std::move(c));
  }
  void on_speech_stopped(const std::string& item_id, int64_t audio_ms) override {
    Call c{Kind::SpeechStopped};
    c.item_id = item_id;
    c.audio_ms = audio_ms;
    add(std::move(c));
  }
  void on_input_committed(const std::string& item_id) override {
    Call c{Kind::InputCommitted};
    c.item_id = item_id;
    add(std::move(c));
  }
  void on_input_cleared() override { add(Call{Kind::InputCleared}); }
  void on_transcript_partial(const std::string& item_id, const std::string& delta,
                             const std::string& text) override {
    Call c{Kind::Partial};
    c.item_id = item_id;
    c.delta = delta;
    c.text = text;
    add(std::move(c));
  }
  void on_transcript_completed(const std::string& item_id, const Transcript& transcript) override {
    Call c{Kind::TranscriptCompleted};
    c.item_id = item_id;
    c.text = transcript.text;
    c.transcript = transcript;
    add(std::move(c));
  }
  void on_response_started(const ResponseInfo& response) override {
    add(response_call(Kind::ResponseStarted, response));
  }
  void on_response_text(const ResponseInfo& response, const std::string& delta) override {
    Call c = response_call(Kind::ResponseText, response);
    c.text = delta;
    add(std::move(c));
  }
  void on_response_audio(const ResponseInfo& response, std::span<const int16_t> pcm) override {
    Call c = response_call(Kind::ResponseAudio, response);
    c.pcm.assign(pcm.begin(), pcm.end());
    add(std::move(c));
  }
  void on_response_done(const ResponseInfo& response, ResponseStatus status,
                        const std::string& text) override {
    Call c = response_call(Kind::ResponseDone, response);
    c.status = status;
    c.text = text;
    add(std::move(c));
  }
  void on_event(const std::string& type, const nlohmann::json& data) override {
    Call c{Kind::Event};
    c.text = type;
    c.data = data;
    add(std::move(c));
  }
  void on_error(const std::string& code, const std::string& message,
                const std::string& request_id) override {
    Call c{Kind::Error};
    c.text = code;
    c.message = message;
    c.request_id = request_id;
    add(std::move(c));
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

  // Waits until `done(calls)` holds; false on timeout.
  bool wait_until(const std::function<bool(const std::vector<Call>&)>& done,
                  std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(calls_); });
  }

  // The first call at or after index `from` of `kind` that passes `filter`.
  std::optional<Call> wait_for(Kind kind, std::chrono::milliseconds timeout,
                               const Filter& filter = {}, size_t from = 0) {
    std::optional<Call> found;
    wait_until(
        [&](const std::vector<Call>& calls) {
          for (size_t i = from; i < calls.size(); ++i) {
            if (calls[i].kind == kind && (!filter || filter(calls[i]))) {
              found = calls[i];
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  std::optional<Call> wait_event(const std::string& type, std::chrono::milliseconds timeout,
                                 size_t from = 0) {
    return wait_for(
        Kind::Event, timeout, [&](const Call& c) { return c.text == type; }, from);
  }

  std::optional<Call> wait_done(const std::string& response_id, std::chrono::milliseconds timeout) {
    return wait_for(Kind::ResponseDone, timeout,
                    [&](const Call& c) { return c.response_id == response_id; });
  }

  // From now on every callback is a contract violation (the owner has closed the session).
  void seal() { sealed_ = true; }
  int late_calls() const { return late_calls_; }
  int overlapping_calls() const { return overlaps_; }

  std::string describe() const {
    std::ostringstream out;
    auto all = calls();
    for (size_t i = 0; i < all.size(); ++i) {
      const Call& c = all[i];
      out << "  [" << i << "] " << kind_name(c.kind);
      if (!c.response_id.empty()) out << " " << c.response_id;
      if (c.kind == Kind::SpeechStarted || c.kind == Kind::SpeechStopped)
        out << " " << c.audio_ms << " ms";
      if (c.kind == Kind::ResponseAudio) out << " " << c.pcm.size() << " samples";
      if (c.kind == Kind::ResponseDone) out << " " << to_string(c.status);
      if (!c.text.empty()) out << " \"" << c.text << "\"";
      if (!c.request_id.empty()) out << " request " << c.request_id;
      out << "\n";
    }
    return out.str();
  }

 private:
  static Call response_call(Kind kind, const ResponseInfo& response) {
    Call c{kind};
    c.item_id = response.item_id;
    c.response_id = response.response_id;
    return c;
  }

  void add(Call c) {
    if (sealed_) ++late_calls_;
    if (in_call_.fetch_add(1) != 0) ++overlaps_;
    c.at = SteadyClock::now();
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(std::move(c));
    }
    changed_.notify_all();
    in_call_.fetch_sub(1);
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
  std::atomic<bool> sealed_{false};
  std::atomic<int> late_calls_{0};
  std::atomic<int> in_call_{0};
  std::atomic<int> overlaps_{0};
};

// --- queries over a record -----------------------------------------------------------------

inline std::vector<Call> of_kind(const std::vector<Call>& calls, Kind kind,
                                 const Filter& filter = {}) {
  std::vector<Call> out;
  for (const auto& c : calls)
    if (c.kind == kind && (!filter || filter(c))) out.push_back(c);
  return out;
}

// Index of the first call of `kind` passing `filter` at or after `from`, or -1.
inline int index_of(const std::vector<Call>& calls, Kind kind, const Filter& filter = {},
                    size_t from = 0) {
  for (size_t i = from; i < calls.size(); ++i)
    if (calls[i].kind == kind && (!filter || filter(calls[i]))) return static_cast<int>(i);
  return -1;
}

inline int last_index_of(const std::vector<Call>& calls, Kind kind, const Filter& filter = {}) {
  for (size_t i = calls.size(); i-- > 0;)
    if (calls[i].kind == kind && (!filter || filter(calls[i]))) return static_cast<int>(i);
  return -1;
}

inline Filter of_response(const std::string& response_id) {
  return [response_id](const Call& c) { return c.response_id == response_id; };
}

inline size_t audio_samples(const std::vector<Call>& calls, const std::string& response_id) {
  size_t n = 0;
  for (const auto& c : of_kind(calls, Kind::ResponseAudio, of_response(response_id)))
    n += c.pcm.size();
  return n;
}

inline std::string response_text(const std::vector<Call>& calls, const std::string& response_id) {
  std::string text;
  for (const auto& c : of_kind(calls, Kind::ResponseText, of_response(response_id))) text += c.text;
  return text;
}

// --- audio -----------------------------------------------------------------------------------

constexpr size_t kChunk = 320;  // 20 ms at 16 kHz

// The user's voice: a 16 kHz flite voice ("kal" is built from 8 kHz diphones, telephone band).
inline const std::string kSpeaker = "awb";

// Appends `pcm` in 20 ms chunks, at real-time pace when asked (pacing the input, not a check).
inline void feed(VoiceSession& session, std::span<const int16_t> pcm, bool real_time = false) {
  auto start = SteadyClock::now();
  for (size_t pos = 0, i = 0; pos < pcm.size(); pos += kChunk, ++i) {
    if (real_time) std::this_thread::sleep_until(start + i * 20ms);
    size_t n = std::min(kChunk, pcm.size() - pos);
    session.append_audio(std::vector<int16_t>(pcm.begin() + static_cast<ptrdiff_t>(pos),
                                              pcm.begin() + static_cast<ptrdiff_t>(pos + n)));
  }
}

inline std::vector<int16_t> concat(std::vector<int16_t> a, const std::vector<int16_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Where speech begins / ends: the first / last sample at least `level` loud (-30 dBFS; the
// engines' breaths and clicks before an utterance stay below it).
inline int64_t first_audible_ms(std::span<const int16_t> pcm, int level = 1000) {
  for (size_t i = 0; i < pcm.size(); ++i)
    if (std::abs(pcm[i]) >= level) return static_cast<int64_t>(i) * 1000 / 16000;
  return -1;
}
inline int64_t last_audible_ms(std::span<const int16_t> pcm, int level = 1000) {
  for (size_t i = pcm.size(); i-- > 0;)
    if (std::abs(pcm[i]) >= level) return static_cast<int64_t>(i) * 1000 / 16000;
  return -1;
}

// Gaussian noise with the given RMS, deterministic.
inline std::vector<int16_t> noise_ms(int ms, double rms, uint32_t seed = 7) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, rms);
  std::vector<int16_t> out(static_cast<size_t>(16) * static_cast<size_t>(ms));
  for (auto& s : out) s = static_cast<int16_t>(std::clamp(dist(gen), -32768.0, 32767.0));
  return out;
}

// --- fixture ---------------------------------------------------------------------------------

// One Runtime (store in a temp dir, real pocketsphinx / flite / WebRTC VAD) per test suite.
class VoiceSessionTest : public ::testing::Test {
 protected:
  // The simulated client hears no echo of the replies (a headset), so the echo canceller is off:
  // with it on, speech in the first 1.5 s of a session's first reply counts as echo
  // (VoiceSessionEcho tests the canceller).
  static void SetUpTestSuite() {
    start_runtime([](Config& c) { c.audio.echo_canceller = "off"; });
  }
  // A suite needing other settings calls this from its own SetUpTestSuite.
  static void start_runtime(const std::function<void(Config&)>& adjust) {
    temp_ = new TempDir();
    Config config = load_config(std::nullopt, {});
    config.data_dir = temp_->path();
    config.agent.intents_dir = (temp_->path() / "intents").string();
    if (adjust) adjust(config);
    runtime_ = new Runtime(config);
  }
  static void TearDownTestSuite() {
    delete runtime_;
    runtime_ = nullptr;
    delete temp_;
    temp_ = nullptr;
  }
  void TearDown() override {
    for (auto& s : sessions_) s->close();
    sessions_.clear();
  }

  static Runtime& runtime() { return *runtime_; }
  static VoiceCatalog& voices() { return runtime_->voices(); }

  static SessionServices services() { return runtime_->services().session_services(); }
  static SessionSettings default_settings() {
    SessionSettings settings = SessionSettings::from(runtime_->config());
    return settings;
  }

  // A recorder owned by the fixture, so it outlives every session of the test.
  Recorder& recorder() { return *recorders_.emplace_back(std::make_unique<Recorder>()); }

  // A session closed at the end of the test, before its recorder goes away.
  std::shared_ptr<VoiceSession> open(Recorder& recorder,
                                     const std::function<void(SessionSettings&)>& adjust = {}) {
    SessionSettings settings = default_settings();
    if (adjust) adjust(settings);
    auto session = VoiceSession::create(services(), settings, recorder);
    sessions_.push_back(session);
    return session;
  }

  // Samples `text` would have if spoken whole by `voice` at `rate` (before the session trims the
  // engine's leading silence, which is at most ~300 ms).
  static size_t full_samples(const std::string& text, const std::string& voice, int rate) {
    Speech s = voices().synthesize(text, voice, 1.0);
    return resample(s.audio.samples, s.audio.sample_rate, rate).size();
  }

  inline static TempDir* temp_ = nullptr;
  inline static Runtime* runtime_ = nullptr;
  std::vector<std::unique_ptr<Recorder>> recorders_;  // destroyed after the sessions
  std::vector<std::shared_ptr<VoiceSession>> sessions_;
};

}  // namespace tektra::test
