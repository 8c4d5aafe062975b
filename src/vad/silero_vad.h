// Silero VAD v6 as a VoiceActivityDetector: 32 ms frames (512 samples at 16 kHz), the network's
// speech probability for each.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "vad/silero_model.h"
#include "vad/vad.h"

namespace tektra {

class SileroVad final : public VoiceActivityDetector {
 public:
  explicit SileroVad(std::shared_ptr<const SileroNetwork> network);
  // Throws Error("invalid_model") for a file that is not Silero VAD v6 weights.
  explicit SileroVad(const std::filesystem::path& weights);

  std::string name() const override { return "silero"; }
  size_t frame_samples() const override { return SileroNetwork::kChunk; }
  // Throws Error("invalid_audio") for a frame of any other size.
  float speech_probability(std::span<const int16_t> frame) override;
  void reset() override { state_ = {}; }

 private:
  std::shared_ptr<const SileroNetwork> network_;
  SileroNetwork::State state_;
};

}  // namespace tektra
