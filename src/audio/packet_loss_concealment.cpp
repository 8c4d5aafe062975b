// Packet-loss concealment by frame repetition, pitch-period repetition and interpolation.
#include "audio/packet_loss_concealment.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace tektra {
namespace {

constexpr size_t kSamplesPerMs = PacketLossConcealer::kRate / 1000;
constexpr int kMinLag = 40;   // 400 Hz
constexpr int kMaxLag = 240;  // 67 Hz
constexpr size_t kPitchWindow = 20 * kSamplesPerMs;
constexpr size_t kHistory = 1024;  // >= kPitchWindow + kMaxLag, a period plus its overlap, a frame
constexpr size_t kResumeFade = 4 * kSamplesPerMs;

int16_t to_pcm(float value) {
  return static_cast<int16_t>(std::lround(std::clamp(value, -32768.0f, 32767.0f)));
}

float repeat_gain(size_t lost_samples) {
  if (lost_samples < 20 * kSamplesPerMs) return 0.5f;
  if (lost_samples < 40 * kSamplesPerMs) return 0.25f;
  return 0.0f;
}

// A long loss repeating one period turns into a buzz, so it fades out.
float pitch_gain(size_t lost_samples) {
  constexpr float kFullLevel = 10 * kSamplesPerMs;
  const float faded = (float(lost_samples) - kFullLevel) / kFullLevel * 0.2f;
  return std::clamp(1.0f - faded, 0.0f, 1.0f);
}

void check_frame(size_t size, size_t expected) {
  if (size != expected)
    throw Error("invalid_audio", "concealment frames must be " + std::to_string(expected) +
                                     " samples, got " + std::to_string(size));
}

}  // namespace

int estimate_pitch_period(std::span<const int16_t> audio) {
  if (audio.size() < kPitchWindow + kMaxLag)
    throw Error("invalid_audio", "pitch estimation needs at least 35 ms of audio");
  const int16_t* recent = audio.data() + audio.size() - kPitchWindow;
  double best_score = -std::numeric_limits<double>::infinity();
  int best_lag = kMaxLag;
  for (int lag = kMinLag; lag <= kMaxLag; ++lag) {
    const int16_t* earlier = recent - lag;
    double correlation = 0, energy = 0;
    for (size_t i = 0; i < kPitchWindow; ++i) {
      correlation += double(recent[i]) * earlier[i];
      energy += double(earlier[i]) * earlier[i];
    }
    if (energy <= 0) continue;
    const double score = correlation / std::sqrt(energy);
    if (score > best_score) best_score = score, best_lag = lag;
  }
  return best_lag;
}

PacketLossConcealer::PacketLossConcealer(ConcealmentMethod method, size_t frame_samples)
    : method_(method), frame_(frame_samples), history_(kHistory, 0) {
  if (frame_samples != 10 * kSamplesPerMs && frame_samples != 20 * kSamplesPerMs)
    throw Error("invalid_value", "concealment frames must be 10 or 20 ms (160 or 320 samples)");
  cycle_.reserve(kHistory);
}

void PacketLossConcealer::start_loss() {
  const size_t end = history_.size();
  if (method_ == ConcealmentMethod::kRepeat) {
    cycle_.assign(history_.end() - static_cast<ptrdiff_t>(frame_), history_.end());
  } else {
    // One period, its last quarter cross-faded into the audio a period earlier, so that wrapping
    // from its end back to its start continues the waveform even if the period is not exact.
    const size_t period = static_cast<size_t>(estimate_pitch_period(history_));
    const size_t overlap = period / 4;
    cycle_.assign(history_.end() - static_cast<ptrdiff_t>(period), history_.end());
    for (size_t j = 0; j < overlap; ++j) {
      const float in = (float(j) + 0.5f) / float(overlap);
      cycle_[period - overlap + j] =
          (1 - in) * history_[end - overlap + j] + in * history_[end - period - overlap + j];
    }
  }
  phase_ = 0;
  lost_samples_ = 0;
  toward_next_ = 0;
  concealing_ = true;
}

float PacketLossConcealer::extrapolate() {
  const float gain = method_ == ConcealmentMethod::kRepeat ? repeat_gain(lost_samples_)
                                                           : pitch_gain(lost_samples_);
  const float value = cycle_[phase_] * gain;
  phase_ = (phase_ + 1) % cycle_.size();
  ++lost_samples_;
  return value;
}

void PacketLossConcealer::conceal(std::span<int16_t> out, std::span<const int16_t> next,
                                  size_t frames_to_next) {
  check_frame(out.size(), frame_);
  if (!next.empty()) check_frame(next.size(), frame_);
  if (!concealing_) start_loss();

  // The following frame extended backwards by whole periods needs a whole period inside it.
  const size_t period = cycle_.size();
  const bool aim = method_ == ConcealmentMethod::kInterpolate && !next.empty() &&
                   frames_to_next >= 1 && period <= next.size();
  if (!aim) toward_next_ = 0;
  const size_t remaining = frames_to_next * frame_;
  const float start = toward_next_;
  for (size_t i = 0; i < frame_; ++i) {
    float value = extrapolate();
    if (aim) {
      const float w = start + (1 - start) * float(i + 1) / float(remaining);
      const size_t before_next = remaining - i;
      const float backwards = next[(period - before_next % period) % period];
      value = (1 - w) * value + w * backwards;
      toward_next_ = w;
    }
    out[i] = to_pcm(value);
  }
  if (aim && frames_to_next == 1) toward_next_ = 1;  // exactly, whatever the rounding
  remember(out);
}

void PacketLossConcealer::receive(std::span<int16_t> frame) {
  check_frame(frame.size(), frame_);
  if (concealing_ && toward_next_ < 1.0f) {
    for (size_t i = 0; i < kResumeFade; ++i) {
      const float in = (float(i) + 0.5f) / float(kResumeFade);
      frame[i] = to_pcm((1 - in) * extrapolate() + in * frame[i]);
    }
  }
  concealing_ = false;
  toward_next_ = 0;
  remember(frame);
}

void PacketLossConcealer::remember(std::span<const int16_t> frame) {
  std::copy(history_.begin() + static_cast<ptrdiff_t>(frame_), history_.end(), history_.begin());
  std::copy(frame.begin(), frame.end(), history_.end() - static_cast<ptrdiff_t>(frame_));
}

}  // namespace tektra
