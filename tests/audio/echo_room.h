// Test helpers for echo cancellation: real speech and how much of it survives (the room and the
// echo measures are audio/synthetic_room.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "audio/resampler.h"
#include "audio/synthetic_room.h"
#include "audio/wav.h"
#include "support/fixtures.h"

namespace tektra::test {

constexpr int kEchoRate = kRoomRate;
constexpr size_t kEchoFrame = 160;

// A fixture's speech at 16 kHz mono, at most `seconds` long.
inline std::vector<float> speech(const std::string& name, double seconds) {
  auto pcm = to_mono(read_wav(fixture(name)), kEchoRate).samples;
  pcm.resize(std::min(pcm.size(), static_cast<size_t>(seconds * kEchoRate)));
  return {pcm.begin(), pcm.end()};
}

// Normalized correlation of `out` with `clean` over [at, at + n), best over output lags of 0 to
// 30 ms (suppressors may delay their output by a few ms).
inline double correlation(const std::vector<int16_t>& out, const std::vector<int16_t>& clean,
                          size_t at, size_t n) {
  double best = -1;
  for (size_t lag = 0; lag <= 480; lag += 1) {
    if (at + n + lag > out.size()) break;
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = at; i < at + n; ++i) {
      const double x = out[i + lag], y = clean[i];
      xy += x * y, xx += x * x, yy += y * y;
    }
    best = std::max(best, xy / std::sqrt(std::max(1.0, xx * yy)));
  }
  return best;
}

}  // namespace tektra::test
