// DelayEstimator (GCC-PHAT on 4 kHz audio) and EchoPathAligner (a reply delay line driven by it).
#include "audio/delay_estimator.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/error.h"

namespace tektra {
namespace {

size_t next_power_of_two(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Below this RMS (of 16-bit samples, after decimation) a window is treated as silence.
constexpr float kSilenceRms = 30.0f;
// Estimates this close (in 16 kHz samples, 2 ms) to the current one count as the same delay.
constexpr int kSameDelay = 32;

}  // namespace

void check_echo_frames(std::span<const int16_t> mic, std::span<const int16_t> far_end) {
  if (mic.size() != DelayEstimator::kFrame || far_end.size() != DelayEstimator::kFrame)
    throw Error("invalid_audio", "echo processing takes 10 ms frames of " +
                                     std::to_string(DelayEstimator::kFrame) + " samples");
}

void fft(std::span<std::complex<float>> data, bool inverse) {
  const size_t n = data.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double angle = 2 * std::numbers::pi / double(len) * (inverse ? 1 : -1);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < n; i += len) {
      std::complex<double> w(1);
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<float> wf(float(w.real()), float(w.imag()));
        const auto u = data[i + k], v = data[i + k + len / 2] * wf;
        data[i + k] = u + v;
        data[i + k + len / 2] = u - v;
        w *= step;
      }
    }
  }
}

DelayEstimator::DelayEstimator(DelayEstimatorSettings settings) : settings_(settings) {
  if (settings_.max_delay_ms < 10 || settings_.max_delay_ms > 2000)
    throw Error("invalid_value", "the echo delay search window must be 10 to 2000 ms");
  if (settings_.window_ms < 100 || settings_.window_ms > 4000)
    throw Error("invalid_value", "the delay estimation window must be 100 to 4000 ms");
  if (settings_.update_ms < 10 || settings_.update_ms % 10 != 0)
    throw Error("invalid_value", "the delay estimation period must be a multiple of 10 ms");
  const size_t rate = kRate / decimation_;
  window_ = rate * size_t(settings_.window_ms) / 1000;
  max_lag_ = rate * size_t(settings_.max_delay_ms) / 1000;
  fft_size_ = next_power_of_two(window_ + max_lag_);
  frames_per_update_ = size_t(settings_.update_ms) / 10;
  mic_history_.assign(fft_size_, 0.0f);
  far_history_.assign(fft_size_, 0.0f);
  mic_spectrum_.resize(fft_size_);
  far_spectrum_.resize(fft_size_);
  cross_.resize(fft_size_);
  correlation_.resize(max_lag_ + 1);
  reset();
}

void DelayEstimator::reset() {
  std::fill(mic_history_.begin(), mic_history_.end(), 0.0f);
  std::fill(far_history_.begin(), far_history_.end(), 0.0f);
  write_ = frames_since_update_ = 0;
  cross_valid_ = false;
  delay_samples_ = candidate_samples_ = -1;
  confidence_ = 0;
}

void DelayEstimator::push(std::span<const int16_t> mic, std::span<const int16_t> far_end) {
  check_echo_frames(mic, far_end);
  // Averaging four samples is a crude low-pass, but it is the same linear filter on both signals,
  // so it cannot move the correlation peak.
  for (size_t i = 0; i + decimation_ <= kFrame; i += decimation_) {
    float m = 0, f = 0;
    for (size_t k = 0; k < decimation_; ++k) m += mic[i + k], f += far_end[i + k];
    mic_history_[write_] = m / float(decimation_);
    far_history_[write_] = f / float(decimation_);
    write_ = (write_ + 1) % fft_size_;
  }
  if (++frames_since_update_ >= frames_per_update_) {
    frames_since_update_ = 0;
    update();
  }
}

void DelayEstimator::update() {
  // The newest window_ mic samples and the newest window_ + max_lag_ reply samples, both from
  // the start of the FFT buffer (the rest is zero padding).
  const size_t far_len = window_ + max_lag_;
  double mic_energy = 0, far_energy = 0;
  for (size_t i = 0; i < fft_size_; ++i) {
    mic_spectrum_[i] = far_spectrum_[i] = 0.0f;
  }
  for (size_t i = 0; i < far_len; ++i) {
    const float f = far_history_[(write_ + fft_size_ - far_len + i) % fft_size_];
    far_spectrum_[i] = f;
    if (i >= max_lag_) far_energy += double(f) * f;
  }
  for (size_t i = 0; i < window_; ++i) {
    const float m = mic_history_[(write_ + fft_size_ - window_ + i) % fft_size_];
    mic_spectrum_[i] = m;
    mic_energy += double(m) * m;
  }
  const double floor = double(kSilenceRms) * kSilenceRms * double(window_);
  if (mic_energy < floor || far_energy < floor) return;  // nothing to correlate

  fft(mic_spectrum_, false);
  fft(far_spectrum_, false);
  // Phase transform: every frequency votes equally, so speech's low-frequency weight and the
  // room's colouring do not smear the peak. The regularizer keeps empty bins from voting loudly.
  double mean_magnitude = 0;
  for (size_t i = 0; i < fft_size_; ++i) {
    mic_spectrum_[i] = std::conj(mic_spectrum_[i]) * far_spectrum_[i];
    mean_magnitude += std::abs(mic_spectrum_[i]);
  }
  mean_magnitude /= double(fft_size_);
  const float regularizer = float(0.1 * mean_magnitude) + 1e-9f;
  constexpr float kKeep = 0.6f;  // smoothing of the cross-spectrum between updates
  for (size_t i = 0; i < fft_size_; ++i) {
    const auto phat = mic_spectrum_[i] / (std::abs(mic_spectrum_[i]) + regularizer);
    cross_[i] = cross_valid_ ? kKeep * cross_[i] + (1 - kKeep) * phat : phat;
  }
  cross_valid_ = true;
  std::copy(cross_.begin(), cross_.end(), far_spectrum_.begin());
  fft(far_spectrum_, true);

  // far_spectrum_[j] now correlates mic[k] with reply[k + j]: lag j is a delay of max_lag_ - j.
  size_t best = 0;
  double sum = 0;
  for (size_t d = 0; d <= max_lag_; ++d) {
    correlation_[d] = far_spectrum_[max_lag_ - d].real();
    sum += std::abs(correlation_[d]);
    if (correlation_[d] > correlation_[best]) best = d;
  }
  const double mean = sum / double(max_lag_ + 1);
  confidence_ = mean > 0 ? float(correlation_[best] / mean) : 0.0f;
  if (confidence_ < settings_.min_confidence) return;

  const int found = int(best * decimation_);
  // A delay counts once two updates in a row agree on it: the first windows hold little echo
  // and can peak anywhere.
  const bool confirmed =
      candidate_samples_ >= 0 && std::abs(found - candidate_samples_) <= kSameDelay;
  if (confirmed && (delay_samples_ < 0 || std::abs(found - delay_samples_) > kSameDelay))
    delay_samples_ = found;
  candidate_samples_ = found;
}

EchoPathAligner::EchoPathAligner(DelayEstimatorSettings settings)
    : estimator_(settings),
      line_(size_t(DelayEstimator::kRate) * size_t(settings.max_delay_ms) / 1000 + 2 * kFrame, 0),
      out_(kFrame, 0) {}

void EchoPathAligner::reset() {
  estimator_.reset();
  std::fill(line_.begin(), line_.end(), int16_t{0});
  write_ = 0;
  applied_ = 0;
}

std::span<const int16_t> EchoPathAligner::align(std::span<const int16_t> mic,
                                                std::span<const int16_t> far_end) {
  estimator_.push(mic, far_end);  // validates both frames
  const size_t size = line_.size();
  for (size_t i = 0; i < kFrame; ++i) line_[(write_ + i) % size] = far_end[i];
  write_ = (write_ + kFrame) % size;
  if (estimator_.has_estimate()) {
    const int margin = DelayEstimator::kRate * kMarginMs / 1000;
    applied_ = std::max(0, estimator_.delay_samples() - margin);
  }
  // The frame that ended `applied_` samples ago.
  const size_t start = (write_ + 2 * size - kFrame - size_t(applied_)) % size;
  for (size_t i = 0; i < kFrame; ++i) out_[i] = line_[(start + i) % size];
  return out_;
}

}  // namespace tektra
