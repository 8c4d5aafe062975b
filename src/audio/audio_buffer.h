// A block of 16-bit PCM audio with its sample rate and channel count.
#pragma once

#include <cstdint>
#include <vector>

namespace tektra {

struct AudioBuffer {
  int sample_rate = 16000;
  int channels = 1;
  std::vector<int16_t> samples;  // interleaved when channels > 1

  size_t frames() const {
    return channels > 0 ? samples.size() / static_cast<size_t>(channels) : 0;
  }
  double duration_seconds() const {
    return sample_rate > 0 ? static_cast<double>(frames()) / sample_rate : 0.0;
  }
};

}  // namespace tektra
