// Opus for transports that want it (WebRTC-style clients, bandwidth-limited links): mono speech
// at 8, 12, 16, 24 or 48 kHz in 10, 20, 40 or 60 ms frames, with Opus's own concealment of lost
// packets. libopus keeps to this one translation unit.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tektra {

struct OpusSettings {
  int sample_rate = 16000;
  int frame_ms = 20;
  int bitrate = 24000;        // bits per second
  bool voip = true;           // tuned for speech (OPUS_APPLICATION_VOIP) rather than audio
  int expected_loss_pct = 0;  // > 0 adds in-band forward error correction for that loss rate
};

class OpusEncoder {
 public:
  // Throws Error("invalid_audio") for a rate, frame length or bitrate Opus does not take.
  explicit OpusEncoder(OpusSettings settings);
  ~OpusEncoder();
  OpusEncoder(const OpusEncoder&) = delete;
  OpusEncoder& operator=(const OpusEncoder&) = delete;

  // Samples per frame (rate * frame_ms / 1000).
  int frame_samples() const { return frame_samples_; }
  // One packet for exactly one frame; Error("invalid_audio") for another length.
  std::vector<uint8_t> encode(std::span<const int16_t> frame);

 private:
  struct State;
  std::unique_ptr<State> state_;
  int frame_samples_;
};

class OpusDecoder {
 public:
  // Throws Error("invalid_audio") for a rate Opus does not take.
  explicit OpusDecoder(int sample_rate, int frame_ms = 20);
  ~OpusDecoder();
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  // The packet's samples. Throws Error("invalid_audio") for a corrupt packet.
  std::vector<int16_t> decode(std::span<const uint8_t> packet);
  // One frame standing in for a lost packet: Opus's concealment, or, when `next` (the packet
  // after the loss) is given and carries forward error correction, the lost frame rebuilt from it.
  std::vector<int16_t> conceal(std::span<const uint8_t> next = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
  int frame_samples_;
};

}  // namespace tektra
