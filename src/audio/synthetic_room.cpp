// Synthetic room impulse responses and echo-cancellation measures.
#include "audio/synthetic_room.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace tektra {

std::vector<float> room_impulse_response(int delay_ms, int rt60_ms, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0, 1);
  const size_t start = static_cast<size_t>(kRoomRate * delay_ms / 1000);
  const size_t tail = static_cast<size_t>(kRoomRate * rt60_ms / 1000);
  std::vector<float> ir(start + tail, 0.0f);
  ir[start] = 0.6f;
  for (size_t i = 1; i < tail; ++i)
    ir[start + i] = 0.02f * noise(random) * std::pow(10.0f, -3.0f * float(i) / float(tail));
  return ir;
}

std::vector<float> convolve(std::span<const float> x, std::span<const float> h) {
  std::vector<float> y(x.size(), 0.0f);
  for (size_t k = 0; k < h.size(); ++k) {
    if (h[k] == 0.0f) continue;
    for (size_t n = k; n < x.size(); ++n) y[n] += h[k] * x[n - k];
  }
  return y;
}

std::vector<int16_t> to_pcm(std::span<const float> x) {
  std::vector<int16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<int16_t>(std::clamp(x[i], -32768.0f, 32767.0f));
  return out;
}

double energy(std::span<const int16_t> x) {
  double e = 0;
  for (int16_t s : x) e += double(s) * s;
  return e;
}

double erle_db(std::span<const int16_t> mic, std::span<const int16_t> out, double from_s,
               double to_s) {
  const size_t a = size_t(from_s * kRoomRate);
  const size_t b = std::min(out.size(), size_t(to_s * kRoomRate));
  if (a >= b) return 0;
  return 10 *
         std::log10(energy(mic.subspan(a, b - a)) / std::max(1.0, energy(out.subspan(a, b - a))));
}

double convergence_s(std::span<const int16_t> mic, std::span<const int16_t> out, double target_db) {
  const size_t window = kRoomRate / 2, step = kRoomRate / 10;
  double onset = -1, converged = -1;
  for (size_t a = 0; a + window <= out.size(); a += step) {
    if (energy(mic.subspan(a, window)) < 100.0 * 100.0 * double(window)) continue;
    const double t = double(a) / kRoomRate;
    if (onset < 0) onset = t;
    if (erle_db(mic, out, t, t + 0.5) < target_db)
      converged = -1;
    else if (converged < 0)
      converged = t;
  }
  return converged < 0 ? -1 : converged - onset;
}

}  // namespace tektra
