// What a voice session does to microphone audio before turn detection and speech recognition:
// cancel the echo of the reply audio it sent (EchoReference) and suppress noise, in 10 ms frames
// at 16 kHz. Not thread-safe except reference(), which replies write from other threads.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "audio/echo_canceller.h"
#include "audio/echo_reference.h"
#include "core/clock.h"
#include "core/config.h"

namespace tektra {

struct FrontEndSettings {
  bool echo_cancellation = true;
  EchoCancellerSettings canceller;  // engine, noise suppression, gain, delay alignment
  // A second canceller whose output the recogniser hears instead ("" : the same audio as turn
  // detection). WebRTC's suppressor removes echo best but takes much of the user's voice during
  // double talk; speexdsp's leaves the voice.
  std::string recognition_engine;
  bool operator==(const FrontEndSettings&) const = default;
};

// The session defaults the configuration gives; Error("invalid_config") for a bad value.
FrontEndSettings front_end_settings(const AudioConfig& config);
// "off", "low", "moderate", "high" or "very_high"; Error("invalid_value") otherwise.
NoiseSuppression noise_suppression_named(const std::string& name);

class AudioFrontEnd {
 public:
  // Throws as create_echo_canceller() does for bad settings.
  explicit AudioFrontEnd(FrontEndSettings settings);

  // Where the session puts the reply audio as it is sent.
  EchoReference& reference() { return *reference_; }

  // Cleans `mic` (any length), whose last sample arrived at `arrived`. Returns the cleaned audio of
  // the whole 10 ms frames available; the rest waits for the next call.
  std::vector<int16_t> process(std::span<const int16_t> mic, TimePoint arrived);
  // The same frames process() returned last, cleaned for the recogniser (recognition_engine).
  const std::vector<int16_t>& for_recognition() const { return recognition_; }

  // Whether what process() returned last may still hold the reply's echo: the reply was playing
  // while the canceller was still looking for the echo's delay, or converging after it found it
  // (the first 1.5 to 2.5 s of a session's first reply; again if the delay moves). Speech heard
  // then cannot be told from the assistant's own voice.
  bool echo_unresolved() const { return echo_unresolved_; }

  // New settings take effect from the next frame; the canceller restarts only when they change.
  void update(const FrontEndSettings& settings);
  const FrontEndSettings& settings() const { return settings_; }
  // The echo delay the canceller's aligner found, when it has one.
  std::optional<float> echo_delay_ms() const;

 private:
  bool active() const;
  bool echo_converged(size_t samples, TimePoint arrived);

  FrontEndSettings settings_;
  std::unique_ptr<EchoReference> reference_ = std::make_unique<EchoReference>();
  std::unique_ptr<EchoCanceller> canceller_;              // null when there is nothing to do
  std::unique_ptr<EchoCanceller> recognition_canceller_;  // null: the recogniser hears the same
  std::vector<int16_t> recognition_;
  std::vector<int16_t> pending_;  // less than a frame of microphone audio
  // The reference position of the next microphone sample. Set from arrival times, then advanced
  // sample by sample: network jitter must not move the echo path the canceller is learning.
  std::optional<int64_t> next_reference_;
  bool echo_unresolved_ = false;
  float settled_delay_ms_ = -1;   // the delay estimate the canceller is converging on
  int64_t settling_samples_ = 0;  // reply audio heard since that estimate
};

}  // namespace tektra
