// The WebRTC GMM voice activity detector (libwebrtc-audio-processing) on 10 ms frames at 16 kHz.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "vad/vad.h"

struct WebRtcVadInst;  // the library's opaque handle

namespace tektra {

// speech_probability() is the detector's 0/1 decision for the frame itself, without the
// hangover the library appends after speech (TurnDetector applies its own; see the .cpp).
class WebRtcVad final : public VoiceActivityDetector {
 public:
  // aggressiveness 0 (lets most through) .. 3 (strictest); Error("invalid_config") otherwise.
  explicit WebRtcVad(int aggressiveness);

  std::string name() const override { return "webrtc"; }
  size_t frame_samples() const override { return 160; }
  float speech_probability(std::span<const int16_t> frame) override;
  void reset() override;

 private:
  struct Free {
    void operator()(WebRtcVadInst* handle) const;
  };
  void initialize();

  int aggressiveness_;
  std::unique_ptr<WebRtcVadInst, Free> handle_;
};

}  // namespace tektra
