// Sample-rate conversion of mono 16-bit PCM (streaming and whole-buffer) and downmixing to mono.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/audio_buffer.h"

struct soxr;  // libsoxr's handle; kept out of this header so users need not see soxr.h

namespace tektra {

// A streaming mono resampler. Output is aligned with the input (no leading delay samples): the
// filter holds back a few milliseconds of tail, which flush() releases at the end of a stream.
// Rates must be 1000..384000 Hz; equal rates pass samples through untouched.
class Resampler {
 public:
  Resampler(int in_rate, int out_rate);  // throws Error("invalid_audio") for a rate out of range
  ~Resampler();
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;

  int in_rate() const { return in_rate_; }
  int out_rate() const { return out_rate_; }

  std::vector<int16_t> process(std::span<const int16_t> pcm);
  // Appends the output to `out`; a caller that keeps `out` between frames allocates nothing.
  void process(std::span<const int16_t> pcm, std::vector<int16_t>& out);
  // Ends the stream: returns the held-back tail and readies the resampler for a new stream.
  std::vector<int16_t> flush();

 private:
  struct SoxrDelete {
    void operator()(soxr* handle) const;
  };
  int in_rate_;
  int out_rate_;
  std::unique_ptr<soxr, SoxrDelete> soxr_;  // null when the rates match
};

// Whole-buffer conversion; output length is in.size() * out_rate / in_rate, rounded.
std::vector<int16_t> resample(std::span<const int16_t> mono, int in_rate, int out_rate);

// The mean of the channels of each frame (rounded); mono input is copied.
// Throws Error("invalid_audio") when the buffer has no channels.
std::vector<int16_t> downmix_to_mono(const AudioBuffer& audio);

// Downmix then resample, e.g. to_mono(read_wav(path), 16000) for the speech engines.
AudioBuffer to_mono(const AudioBuffer& audio, int target_rate);

}  // namespace tektra
