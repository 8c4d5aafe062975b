// WebRtcEchoCanceller over libwebrtc-audio-processing 0.3's AudioProcessing module.
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <algorithm>
#include <optional>
#include <string>

#include "audio/echo_canceller.h"
#include "core/error.h"

namespace tektra {
namespace {

void check(int status, const char* what) {
  if (status != webrtc::AudioProcessing::kNoError)
    throw Error("aec_failed", std::string("WebRTC audio processing: ") + what + " failed (" +
                                  std::to_string(status) + ")");
}

webrtc::NoiseSuppression::Level webrtc_level(NoiseSuppression level) {
  switch (level) {
    case NoiseSuppression::low:
      return webrtc::NoiseSuppression::kLow;
    case NoiseSuppression::moderate:
      return webrtc::NoiseSuppression::kModerate;
    case NoiseSuppression::high:
      return webrtc::NoiseSuppression::kHigh;
    case NoiseSuppression::very_high:
    case NoiseSuppression::off:
      break;
  }
  return webrtc::NoiseSuppression::kVeryHigh;
}

void fill(webrtc::AudioFrame& frame, std::span<const int16_t> pcm) {
  frame.samples_per_channel_ = pcm.size();
  frame.sample_rate_hz_ = EchoCanceller::kRate;
  frame.num_channels_ = 1;
  std::copy(pcm.begin(), pcm.end(), frame.data_);
}

}  // namespace

struct WebRtcEchoCanceller::State {
  std::unique_ptr<webrtc::AudioProcessing> apm;
  webrtc::AudioFrame capture, render;
  std::optional<DelayEstimator> estimator;
};

WebRtcEchoCanceller::WebRtcEchoCanceller(EchoCancellerSettings settings)
    : settings_(std::move(settings)) {
  validate(settings_);
  reset();
}

WebRtcEchoCanceller::~WebRtcEchoCanceller() = default;

void WebRtcEchoCanceller::reset() {
  auto state = std::make_unique<State>();
  webrtc::Config config;
  // The extended filter covers a longer echo path (and adapts its step size); without our own
  // delay estimate the AEC's delay-agnostic mode tracks the delay itself.
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
  config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(!settings_.align_delay));
  state->apm.reset(webrtc::AudioProcessing::Create(config));
  if (!state->apm) throw Error("aec_failed", "cannot create WebRTC audio processing");
  auto& apm = *state->apm;
  check(apm.Initialize(kRate, kRate, kRate, webrtc::AudioProcessing::kMono,
                       webrtc::AudioProcessing::kMono, webrtc::AudioProcessing::kMono),
        "initialization");
  check(apm.echo_cancellation()->enable_drift_compensation(false), "drift compensation");
  check(apm.echo_cancellation()->set_suppression_level(
            settings_.suppress_residual ? webrtc::EchoCancellation::kModerateSuppression
                                        : webrtc::EchoCancellation::kLowSuppression),
        "suppression level");
  check(apm.echo_cancellation()->Enable(true), "echo cancellation");
  if (settings_.noise_suppression != NoiseSuppression::off) {
    check(apm.noise_suppression()->set_level(webrtc_level(settings_.noise_suppression)),
          "noise suppression level");
    check(apm.noise_suppression()->Enable(true), "noise suppression");
  }
  if (settings_.agc) {
    check(apm.gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital), "AGC mode");
    check(apm.gain_control()->set_target_level_dbfs(3), "AGC target");
    check(apm.gain_control()->set_compression_gain_db(9), "AGC gain");
    check(apm.gain_control()->enable_limiter(true), "AGC limiter");
    check(apm.gain_control()->Enable(true), "AGC");
  }
  if (settings_.align_delay)
    state->estimator.emplace(DelayEstimatorSettings{.max_delay_ms = settings_.max_delay_ms});
  state_ = std::move(state);
}

float WebRtcEchoCanceller::estimated_delay_ms() const {
  if (!state_->estimator || !state_->estimator->has_estimate()) return -1;
  return state_->estimator->delay_ms();
}

std::vector<int16_t> WebRtcEchoCanceller::process(std::span<const int16_t> mic,
                                                  std::span<const int16_t> far_end) {
  check_echo_frames(mic, far_end);
  auto& state = *state_;
  // WebRTC's AEC buffers the reply itself and lines it up by the stream delay it is told, so the
  // reply goes in as sent and only our estimate goes along with it.
  int delay_ms = 0;
  if (state.estimator) {
    state.estimator->push(mic, far_end);
    if (state.estimator->has_estimate()) delay_ms = int(state.estimator->delay_ms() + 0.5f);
  }
  fill(state.render, far_end);
  check(state.apm->ProcessReverseStream(&state.render), "render analysis");
  fill(state.capture, mic);
  check(state.apm->set_stream_delay_ms(delay_ms), "stream delay");
  check(state.apm->ProcessStream(&state.capture), "capture processing");
  return {state.capture.data_, state.capture.data_ + kFrame};
}

}  // namespace tektra
