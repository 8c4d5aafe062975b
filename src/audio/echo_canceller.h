// Acoustic echo cancellation with the reply audio the server itself sends as the far-end
// reference: the microphone signal minus the part of it that is the assistant's own voice coming
// back from the user's speaker. 16 kHz mono, 10 ms frames.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tektra {

struct EchoCancellerSettings {
  // Echo path covered: delay from sending to hearing it back, plus reverberation. Longer filters
  // converge more slowly (measured: 16 dB after 9 s at 250 ms, 12 dB at 500 ms).
  int tail_ms = 250;
  bool suppress_residual = true;  // speexdsp's preprocessor removes what the filter leaves
};

// speexdsp's multi-delay block frequency-domain (MDF) adaptive filter. Not thread-safe: one per
// session, fed in step.
class SpeexEchoCanceller {
 public:
  static constexpr int kRate = 16000;
  static constexpr size_t kFrame = 160;  // 10 ms

  explicit SpeexEchoCanceller(EchoCancellerSettings settings = {});
  ~SpeexEchoCanceller();
  SpeexEchoCanceller(const SpeexEchoCanceller&) = delete;
  SpeexEchoCanceller& operator=(const SpeexEchoCanceller&) = delete;

  // One frame of microphone audio and the frame of reply audio sent at the same moment (zeros when
  // nothing was sent); returns the microphone frame without the echo. Both are kFrame samples;
  // throws Error("invalid_audio") otherwise.
  std::vector<int16_t> process(std::span<const int16_t> mic, std::span<const int16_t> far_end);
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
  EchoCancellerSettings settings_;
};

}  // namespace tektra
