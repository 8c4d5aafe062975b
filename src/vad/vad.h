// Voice activity detection and turn-taking (speech start, end of turn) on 16 kHz mono PCM.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"

namespace tektra {

class VoiceActivityDetector {
 public:
  virtual ~VoiceActivityDetector() = default;
  virtual std::string name() const = 0;
  virtual size_t frame_samples() const = 0;  // the fixed frame size at 16 kHz it expects
  // Probability (or 0/1 decision) that the frame is speech; frame.size() == frame_samples().
  virtual float speech_probability(std::span<const int16_t> frame) = 0;
  virtual void reset() = 0;
};

// Throws Error("unknown_engine") for a name not in vad_engines(), Error("invalid_model") when
// Silero's weights (config.model, loaded once per process) cannot be read.
std::unique_ptr<VoiceActivityDetector> create_vad(const VadConfig& config);
std::vector<std::string> vad_engines();

// The detector sessions get. For engine "silero" with no model configured, the first weights found
// in `model_dir`; when there are none, or they do not load, WebRTC's detector, with `note` saying
// why. A configured model that does not load throws as create_vad() does.
struct VadChoice {
  VadConfig config;
  std::string note;
};
VadChoice choose_vad(VadConfig config, const std::filesystem::path& model_dir);

struct TurnSettings {
  double threshold = 0.5;  // smoothed speech probability that counts as speech
  int min_speech_ms = 120;
  int silence_duration_ms = 500;
  // The pipeline may end a turn after this much silence when the words so far already form a
  // complete command; the detector itself only uses silence_duration_ms.
  int command_silence_ms = 250;
  int prefix_padding_ms = 300;
  static TurnSettings from(const VadConfig& config);
};

struct TurnEvent {
  enum class Kind { SpeechStarted, SpeechStopped } kind;
  // Positions in the stream, in ms since the detector started (or was reset). For SpeechStarted
  // this is the onset of speech (not the decision time); for SpeechStopped the last voiced ms.
  int64_t audio_ms = 0;
};

// Feeds arbitrary-sized chunks to a VAD in its frame size and applies the hangovers: speech must
// last min_speech_ms to start a turn, silence must last silence_duration_ms to end it.
class TurnDetector {
 public:
  TurnDetector(std::unique_ptr<VoiceActivityDetector> vad, TurnSettings settings);
  std::vector<TurnEvent> push(std::span<const int16_t> pcm16k);
  void set_settings(const TurnSettings& settings);
  // Silence so far inside the current turn (0 when not in speech).
  int64_t trailing_silence_ms() const;
  // Ends the current turn at once, before the hangover runs out: the SpeechStopped event, or
  // nullopt when no turn is open.
  std::optional<TurnEvent> end_turn();
  // Forgets the current turn without an event; the stream's timeline continues.
  void abandon_turn();
  bool in_speech() const { return in_speech_; }
  int64_t processed_ms() const;
  void reset();

 private:
  void process_frame(std::span<const int16_t> frame, std::vector<TurnEvent>& events);
  int64_t frames_to_ms(int64_t frames) const;

  std::unique_ptr<VoiceActivityDetector> vad_;
  TurnSettings settings_;
  std::vector<int16_t> pending_;
  std::vector<float> recent_;  // speech probabilities of the smoothing window (a ring)
  size_t recent_next_ = 0;     // where the next probability goes in recent_
  int64_t frames_done_ = 0;
  bool in_speech_ = false;
  int64_t voiced_run_frames_ = 0;
  int64_t silent_run_frames_ = 0;
  int64_t run_start_frame_ = 0;
  int64_t last_voiced_frame_ = 0;
};

}  // namespace tektra
