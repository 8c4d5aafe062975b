// SpeexEchoCanceller over speexdsp (its echo state and, for the residual, noise and gain, its
// preprocessor), optionally behind an EchoPathAligner.
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <optional>

#include "audio/echo_canceller.h"

namespace tektra {
namespace {

// Most attenuation the preprocessor applies to noise, in dB (negative), per level.
int noise_suppress_db(NoiseSuppression level) {
  switch (level) {
    case NoiseSuppression::off:
      return 0;
    case NoiseSuppression::low:
      return -10;
    case NoiseSuppression::moderate:
      return -15;
    case NoiseSuppression::high:
      return -25;
    case NoiseSuppression::very_high:
      return -35;
  }
  return 0;
}

}  // namespace

struct SpeexEchoCanceller::State {
  SpeexEchoState* echo = nullptr;
  SpeexPreprocessState* preprocess = nullptr;
  std::optional<EchoPathAligner> aligner;
  ~State() {
    if (preprocess) speex_preprocess_state_destroy(preprocess);
    if (echo) speex_echo_state_destroy(echo);
  }
};

SpeexEchoCanceller::SpeexEchoCanceller(EchoCancellerSettings settings)
    : settings_(std::move(settings)) {
  validate(settings_);
  reset();
}

SpeexEchoCanceller::~SpeexEchoCanceller() = default;

void SpeexEchoCanceller::reset() {
  auto state = std::make_unique<State>();
  const int taps = kRate * settings_.tail_ms / 1000;
  state->echo = speex_echo_state_init(static_cast<int>(kFrame), taps);
  int rate = kRate;
  speex_echo_ctl(state->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  const bool denoise = settings_.noise_suppression != NoiseSuppression::off;
  if (settings_.suppress_residual || denoise || settings_.agc) {
    state->preprocess = speex_preprocess_state_init(static_cast<int>(kFrame), kRate);
    if (settings_.suppress_residual)
      speex_preprocess_ctl(state->preprocess, SPEEX_PREPROCESS_SET_ECHO_STATE, state->echo);
    // The residual echo is removed by the same spectral gain as noise, so the denoiser stays on
    // for it and "off" only lifts the noise attenuation to 0 dB.
    int on = denoise || settings_.suppress_residual ? 1 : 0;
    speex_preprocess_ctl(state->preprocess, SPEEX_PREPROCESS_SET_DENOISE, &on);
    int suppress = noise_suppress_db(settings_.noise_suppression);
    speex_preprocess_ctl(state->preprocess, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &suppress);
    int agc = settings_.agc ? 1 : 0;
    speex_preprocess_ctl(state->preprocess, SPEEX_PREPROCESS_SET_AGC, &agc);
    if (settings_.agc) {
      float level = 8000;  // about -12 dBFS RMS
      speex_preprocess_ctl(state->preprocess, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level);
    }
  }
  if (settings_.align_delay)
    state->aligner.emplace(DelayEstimatorSettings{.max_delay_ms = settings_.max_delay_ms});
  state_ = std::move(state);
}

float SpeexEchoCanceller::estimated_delay_ms() const {
  if (!state_->aligner || !state_->aligner->estimator().has_estimate()) return -1;
  return state_->aligner->estimator().delay_ms();
}

std::vector<int16_t> SpeexEchoCanceller::process(std::span<const int16_t> mic,
                                                 std::span<const int16_t> far_end) {
  check_echo_frames(mic, far_end);
  if (state_->aligner) {
    const int before = state_->aligner->applied_delay_samples();
    far_end = state_->aligner->align(mic, far_end);
    // A filter adapted to the old alignment is worse than none: it re-adapts from a new start
    // faster than it unlearns (measured: 21.7 against 16.4 dB of ERLE with echo 250 ms late).
    if (before != state_->aligner->applied_delay_samples()) speex_echo_state_reset(state_->echo);
  }
  std::vector<int16_t> out(kFrame);
  speex_echo_cancellation(state_->echo, mic.data(), far_end.data(), out.data());
  if (state_->preprocess) speex_preprocess_run(state_->preprocess, out.data());
  return out;
}

}  // namespace tektra
