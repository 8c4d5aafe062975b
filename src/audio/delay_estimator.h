// Bulk echo delay: how long after the reply audio is sent it comes back in the microphone, and a
// delay line that holds the reply back by that much so an echo canceller's adaptive filter only
// has to model the room's reverberation. 16 kHz mono, 10 ms frames.
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace tektra {

struct DelayEstimatorSettings {
  int max_delay_ms = 500;  // search window: lags 0..max_delay_ms
  int window_ms = 1000;    // microphone audio correlated per update
  int update_ms = 250;     // how often the estimate is refreshed
  // Minimum peak-to-average ratio of the correlation for an update to count; below it (silence,
  // double talk, no echo at all) the previous estimate stands.
  float min_confidence = 6.0f;
};

// Generalized cross-correlation with phase transform (GCC-PHAT) between the reply and the
// microphone, both decimated to 4 kHz, with the cross-spectrum smoothed across updates. The
// estimate moves only when a confident peak is seen in two updates in a row, so a canceller
// behind the aligner is not restarted by one bad update.
class DelayEstimator {
 public:
  static constexpr int kRate = 16000;
  static constexpr size_t kFrame = 160;

  explicit DelayEstimator(DelayEstimatorSettings settings = {});  // Error("invalid_value")

  // One 10 ms frame of each; Error("invalid_audio") for any other size.
  void push(std::span<const int16_t> mic, std::span<const int16_t> far_end);
  void reset();

  bool has_estimate() const { return delay_samples_ >= 0; }
  int delay_samples() const { return delay_samples_; }  // -1 before the first estimate
  float delay_ms() const { return float(delay_samples_) * 1000.0f / float(kRate); }
  float confidence() const { return confidence_; }  // of the last update

 private:
  void update();

  DelayEstimatorSettings settings_;
  size_t decimation_ = 4;
  size_t window_ = 0;    // mic samples per update, at 4 kHz
  size_t max_lag_ = 0;   // at 4 kHz
  size_t fft_size_ = 0;  // power of two >= window_ + max_lag_
  size_t frames_per_update_ = 0;
  std::vector<float> mic_history_, far_history_;  // ring buffers at 4 kHz, fft_size_ long
  size_t write_ = 0, frames_since_update_ = 0;
  std::vector<std::complex<float>> mic_spectrum_, far_spectrum_, cross_;
  std::vector<float> correlation_;
  bool cross_valid_ = false;
  int delay_samples_ = -1, candidate_samples_ = -1;
  float confidence_ = 0;
};

// Delays the reply by the estimate (less a safety margin, so an estimate a little late still
// leaves the echo causal for the filter). Before the first estimate the reply passes unchanged.
class EchoPathAligner {
 public:
  static constexpr size_t kFrame = DelayEstimator::kFrame;
  static constexpr int kMarginMs = 10;

  explicit EchoPathAligner(DelayEstimatorSettings settings = {});

  // Feeds the estimator and returns the reply frame to give the canceller with `mic`. The span
  // stays valid until the next call.
  std::span<const int16_t> align(std::span<const int16_t> mic, std::span<const int16_t> far_end);
  void reset();

  const DelayEstimator& estimator() const { return estimator_; }
  int applied_delay_samples() const { return applied_; }

 private:
  DelayEstimator estimator_;
  std::vector<int16_t> line_;  // ring buffer of past reply audio
  size_t write_ = 0;
  int applied_ = 0;
  std::vector<int16_t> out_;
};

// Error("invalid_audio") unless both are one 10 ms frame (DelayEstimator::kFrame samples): the
// unit every echo-path stage works in.
void check_echo_frames(std::span<const int16_t> mic, std::span<const int16_t> far_end);

// In-place radix-2 FFT (size a power of two); inverse is unscaled.
void fft(std::span<std::complex<float>> data, bool inverse);

}  // namespace tektra
