// Acoustic echo cancellation with the reply audio the server itself sends as the far-end
// reference: the microphone signal minus the part of it that is the assistant's own voice coming
// back from the user's speaker. 16 kHz mono, 10 ms frames. Two engines (speexdsp's MDF filter
// and WebRTC's AEC), each optionally behind a delay aligner and with its own noise suppression
// and automatic gain control.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audio/delay_estimator.h"

namespace tektra {

// How hard the engine's own noise suppressor works (speexdsp preprocessor: at most 10/15/25/35 dB
// of attenuation; WebRTC NS: its kLow..kVeryHigh levels).
enum class NoiseSuppression { off, low, moderate, high, very_high };

struct EchoCancellerSettings {
  // Echo path covered by the adaptive filter: delay from sending to hearing it back, plus
  // reverberation (with align_delay, reverberation only). Longer filters converge more slowly.
  // speex only; WebRTC's filter length is fixed (see WebRtcEchoCanceller).
  int tail_ms = 250;
  bool suppress_residual = true;  // remove what the linear filter leaves (speex preprocessor)
  std::string engine = "speex";   // "speex" | "webrtc"
  // Estimate the bulk delay (DelayEstimator) and line the reference up with it, so the filter
  // only has to model the room: speex holds the reference back (EchoPathAligner, restarting its
  // filter when the delay moves), WebRTC is told it as the stream delay. Needed for echo later
  // than the filter's length.
  bool align_delay = false;
  int max_delay_ms = 500;  // with align_delay: the longest delay searched for
  NoiseSuppression noise_suppression = NoiseSuppression::off;
  bool agc = false;  // adaptive digital gain towards a steady speech level

  bool operator==(const EchoCancellerSettings&) const = default;  // to tell when a restart is due
};

// Throws Error("unknown_engine") or Error("invalid_value").
void validate(const EchoCancellerSettings& settings);

// One per session, fed in step; not thread-safe.
class EchoCanceller {
 public:
  static constexpr int kRate = 16000;
  static constexpr size_t kFrame = 160;  // 10 ms

  virtual ~EchoCanceller() = default;

  // One frame of microphone audio and the frame of reply audio sent at the same moment (zeros when
  // nothing was sent); returns the microphone frame without the echo. Both are kFrame samples;
  // throws Error("invalid_audio") otherwise.
  virtual std::vector<int16_t> process(std::span<const int16_t> mic,
                                       std::span<const int16_t> far_end) = 0;
  virtual void reset() = 0;
  virtual std::string_view name() const = 0;
  // The bulk delay the aligner found, in ms; negative before an estimate or without align_delay.
  virtual float estimated_delay_ms() const = 0;
};

// Builds the engine `settings.engine` names; throws Error("unknown_engine") for any other.
std::unique_ptr<EchoCanceller> create_echo_canceller(const EchoCancellerSettings& settings);

// speexdsp's multi-delay block frequency-domain (MDF) adaptive filter, with its preprocessor for
// the residual echo, noise and gain.
class SpeexEchoCanceller final : public EchoCanceller {
 public:
  explicit SpeexEchoCanceller(EchoCancellerSettings settings = {});
  ~SpeexEchoCanceller() override;
  SpeexEchoCanceller(const SpeexEchoCanceller&) = delete;
  SpeexEchoCanceller& operator=(const SpeexEchoCanceller&) = delete;

  std::vector<int16_t> process(std::span<const int16_t> mic,
                               std::span<const int16_t> far_end) override;
  void reset() override;
  std::string_view name() const override { return "speex"; }
  float estimated_delay_ms() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
  EchoCancellerSettings settings_;
};

// WebRTC audio processing (libwebrtc-audio-processing 0.3): the AEC with its extended filter,
// told the stream delay by our own DelayEstimator when align_delay is on and otherwise left to
// find it itself (delay-agnostic mode), plus its noise suppressor and digital AGC. Its residual
// echo suppression is strong: in double talk it keeps much less of the user than speex does.
class WebRtcEchoCanceller final : public EchoCanceller {
 public:
  explicit WebRtcEchoCanceller(EchoCancellerSettings settings = {});
  ~WebRtcEchoCanceller() override;
  WebRtcEchoCanceller(const WebRtcEchoCanceller&) = delete;
  WebRtcEchoCanceller& operator=(const WebRtcEchoCanceller&) = delete;

  std::vector<int16_t> process(std::span<const int16_t> mic,
                               std::span<const int16_t> far_end) override;
  void reset() override;
  std::string_view name() const override { return "webrtc"; }
  float estimated_delay_ms() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
  EchoCancellerSettings settings_;
};

}  // namespace tektra
