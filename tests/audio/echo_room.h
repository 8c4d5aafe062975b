// Test helpers for echo cancellation: real speech, a synthetic room it echoes in, and measures.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "support/fixtures.h"

namespace tektra::test {

constexpr int kEchoRate = 16000;
constexpr size_t kEchoFrame = 160;

// A fixture's speech at 16 kHz mono, at most `seconds` long.
inline std::vector<float> speech(const std::string& name, double seconds) {
  auto pcm = to_mono(read_wav(fixture(name)), kEchoRate).samples;
  pcm.resize(std::min(pcm.size(), static_cast<size_t>(seconds * kEchoRate)));
  return {pcm.begin(), pcm.end()};
}

// A room: silence for `delay_ms`, a direct path, then noise decaying by 60 dB over `rt60_ms`.
inline std::vector<float> room(int delay_ms, int rt60_ms, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0, 1);
  const size_t start = static_cast<size_t>(kEchoRate * delay_ms / 1000);
  const size_t tail = static_cast<size_t>(kEchoRate * rt60_ms / 1000);
  std::vector<float> ir(start + tail, 0.0f);
  ir[start] = 0.6f;
  for (size_t i = 1; i < tail; ++i)
    ir[start + i] = 0.02f * noise(random) * std::pow(10.0f, -3.0f * float(i) / float(tail));
  return ir;
}

inline std::vector<float> convolve(const std::vector<float>& x, const std::vector<float>& h) {
  std::vector<float> y(x.size(), 0.0f);
  for (size_t k = 0; k < h.size(); ++k) {
    if (h[k] == 0.0f) continue;
    for (size_t n = k; n < x.size(); ++n) y[n] += h[k] * x[n - k];
  }
  return y;
}

inline std::vector<int16_t> to_pcm(const std::vector<float>& x) {
  std::vector<int16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<int16_t>(std::clamp(x[i], -32768.0f, 32767.0f));
  return out;
}

inline double energy(std::span<const int16_t> x) {
  double e = 0;
  for (int16_t s : x) e += double(s) * s;
  return e;
}

// How much weaker `out` is than `mic` over [from_s, to_s), in dB.
inline double erle_db(const std::vector<int16_t>& mic, const std::vector<int16_t>& out,
                      double from_s, double to_s) {
  const size_t a = size_t(from_s * kEchoRate), b = std::min(out.size(), size_t(to_s * kEchoRate));
  return 10 * std::log10(energy(std::span(mic).subspan(a, b - a)) /
                         std::max(1.0, energy(std::span(out).subspan(a, b - a))));
}

// How long after the echo first reaches the microphone (s) the output stays `target_db` below it:
// from then on every half second with echo in it (RMS above 100) is attenuated that much.
// Negative when that never happens.
inline double convergence_s(const std::vector<int16_t>& mic, const std::vector<int16_t>& out,
                            double target_db) {
  const size_t window = kEchoRate / 2, step = kEchoRate / 10;
  double onset = -1, converged = -1;
  for (size_t a = 0; a + window <= out.size(); a += step) {
    if (energy(std::span(mic).subspan(a, window)) < 100.0 * 100.0 * double(window)) continue;
    const double t = double(a) / kEchoRate;
    if (onset < 0) onset = t;
    if (erle_db(mic, out, t, t + 0.5) < target_db)
      converged = -1;
    else if (converged < 0)
      converged = t;
  }
  return converged < 0 ? -1 : converged - onset;
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
