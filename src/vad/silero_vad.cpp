// SileroVad: int16 frames to the float chunks the network takes.
#include "vad/silero_vad.h"

#include <fmt/format.h>

#include <array>

#include "core/error.h"

namespace tektra {

SileroVad::SileroVad(std::shared_ptr<const SileroNetwork> network) : network_(std::move(network)) {
  if (!network_) throw Error("invalid_config", "Silero VAD needs a network");
}

SileroVad::SileroVad(const std::filesystem::path& weights)
    : SileroVad(std::make_shared<const SileroNetwork>(load_silero_weights(weights))) {}

float SileroVad::speech_probability(std::span<const int16_t> frame) {
  if (frame.size() != SileroNetwork::kChunk) {
    throw Error("invalid_audio", fmt::format("Silero VAD takes frames of {} samples, got {}",
                                             SileroNetwork::kChunk, frame.size()));
  }
  std::array<float, SileroNetwork::kChunk> chunk;
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<float>(frame[i]) / 32768.0f;
  return network_->process(chunk, state_);
}

}  // namespace tektra
