// A synthetic room for measuring echo cancellation: the reply's path from loudspeaker to
// microphone as an impulse response, and the figures an echo canceller is judged by. Used by
// `tektra bench audio` and the tests, on real speech from the fixtures.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tektra {

constexpr int kRoomRate = 16000;

// Silence for `delay_ms`, a direct path (gain 0.6), then noise decaying by 60 dB over `rt60_ms`.
std::vector<float> room_impulse_response(int delay_ms, int rt60_ms, uint32_t seed);
// x convolved with h, as long as x.
std::vector<float> convolve(std::span<const float> x, std::span<const float> h);
std::vector<int16_t> to_pcm(std::span<const float> x);  // clamped to int16
double energy(std::span<const int16_t> x);

// Echo return loss enhancement: how much weaker `out` is than `mic` over [from_s, to_s), in dB.
double erle_db(std::span<const int16_t> mic, std::span<const int16_t> out, double from_s,
               double to_s);
// How long after the echo first reaches the microphone (s) the output stays `target_db` below it:
// from then on every half second with echo in it (RMS above 100) is attenuated that much.
// Negative when that never happens.
double convergence_s(std::span<const int16_t> mic, std::span<const int16_t> out, double target_db);

}  // namespace tektra
