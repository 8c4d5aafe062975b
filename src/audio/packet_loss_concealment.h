// Packet-loss concealment: the audio to play in place of a frame that never arrived (16 kHz mono).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tektra {

enum class ConcealmentMethod {
  // The last frame again at half level, a quarter after 20 ms, silence after 40 ms.
  kRepeat,
  // Like kPitch, and when the frame after the gap has already arrived, a linear cross-fade from
  // the last pitch period into that frame's own pitch periods extended backwards.
  kInterpolate,
  // The last pitch period repeated with overlap-add at its seam, full level for 10 ms, then fading
  // by 20 % every 10 ms to silence at 60 ms (the scheme of ITU-T G.711 Appendix I).
  kPitch,
};

// One per stream. It must see every frame played, real or concealed, in order. Not thread-safe.
class PacketLossConcealer {
 public:
  static constexpr int kRate = 16000;

  // frame_samples is 160 or 320 (10 or 20 ms); Error("invalid_value") otherwise.
  PacketLossConcealer(ConcealmentMethod method, size_t frame_samples);

  // A frame that arrived, about to be played. When it ends a loss its first 4 ms are cross-faded
  // (in place) from the concealed signal so the resumption does not click.
  void receive(std::span<int16_t> frame);

  // Writes a frame in place of a missing one. `next` is the first frame after the gap when it has
  // already arrived and `frames_to_next` the number of missing frames from this one up to it;
  // only kInterpolate uses them. Frames of the wrong size throw Error("invalid_audio").
  void conceal(std::span<int16_t> out, std::span<const int16_t> next = {},
               size_t frames_to_next = 1);

  ConcealmentMethod method() const { return method_; }
  size_t frame_samples() const { return frame_; }

 private:
  void start_loss();
  float extrapolate();  // the next sample of the signal continued from before the loss
  void remember(std::span<const int16_t> frame);

  ConcealmentMethod method_;
  size_t frame_;
  std::vector<int16_t> history_;  // the most recent audio played, oldest first
  std::vector<float> cycle_;      // what a loss repeats: a pitch period, or a frame for kRepeat
  size_t phase_ = 0;              // position in cycle_
  size_t lost_samples_ = 0;       // concealed so far in the current loss
  bool concealing_ = false;
  float toward_next_ = 0;  // kInterpolate: weight of the following frame reached so far
};

// The pitch period, in samples (40-240: 400 down to 67 Hz), of the last 20 ms of `audio` by
// normalized autocorrelation with the audio before it. Needs at least 35 ms of audio;
// Error("invalid_audio") otherwise.
int estimate_pitch_period(std::span<const int16_t> audio);

}  // namespace tektra
