// AudioFrontEnd: 10 ms framing, the reply reference for each frame, the canceller.
#include "audio/audio_front_end.h"

#include <cstdlib>

#include "core/error.h"

namespace tektra {
namespace {

constexpr size_t kFrame = EchoCanceller::kFrame;
// How long a canceller re-converges after its delay estimate moves (WebRTC's AEC: ERLE back
// above 30 dB within about 1 s of reply audio).
constexpr int64_t kSettlingSamples = EchoCanceller::kRate * 3 / 2;
// Arrival jitter tolerated before the reference is re-anchored to the wall clock.
constexpr int64_t kReanchorSamples = EchoCanceller::kRate / 10;

// `settings` for `engine`. WebRTC's own residual suppressor runs at its lowest: stronger settings
// take the user's voice during double talk (bench audio). speexdsp's filter leaves more echo and
// needs its preprocessor's residual suppression.
EchoCancellerSettings for_engine(EchoCancellerSettings settings, const std::string& engine) {
  settings.engine = engine;
  settings.suppress_residual = engine == "speex";
  return settings;
}

}  // namespace

NoiseSuppression noise_suppression_named(const std::string& name) {
  if (name == "off") return NoiseSuppression::off;
  if (name == "low") return NoiseSuppression::low;
  if (name == "moderate") return NoiseSuppression::moderate;
  if (name == "high") return NoiseSuppression::high;
  if (name == "very_high") return NoiseSuppression::very_high;
  throw Error("invalid_value", "unknown noise suppression level \"" + name +
                                   "\" (off, low, moderate, high or very_high)");
}

FrontEndSettings front_end_settings(const AudioConfig& config) {
  try {
    FrontEndSettings settings;
    settings.echo_cancellation = config.echo_canceller != "off";
    // A session cannot know how late its reply comes back (network, the client's playback
    // queue, the room), so the delay is always estimated; the filter then covers the room only.
    settings.canceller.align_delay = true;
    settings.canceller.tail_ms = 120;
    settings.canceller =
        for_engine(settings.canceller,
                   settings.echo_cancellation ? config.echo_canceller : settings.canceller.engine);
    if (settings.canceller.engine == "webrtc") settings.recognition_engine = "speex";
    settings.canceller.noise_suppression = noise_suppression_named(config.noise_suppression);
    settings.canceller.agc = config.agc;
    validate(settings.canceller);
    return settings;
  } catch (const Error& e) {
    throw Error("invalid_config", e.what());
  }
}

AudioFrontEnd::AudioFrontEnd(FrontEndSettings settings) {
  update(settings);
}

bool AudioFrontEnd::active() const {
  return settings_.echo_cancellation ||
         settings_.canceller.noise_suppression != NoiseSuppression::off || settings_.canceller.agc;
}

void AudioFrontEnd::update(const FrontEndSettings& settings) {
  validate(settings.canceller);
  if (canceller_ && settings == settings_) return;
  settings_ = settings;
  canceller_ = active() ? create_echo_canceller(settings_.canceller) : nullptr;
  recognition_canceller_ = nullptr;
  if (canceller_ && settings_.echo_cancellation && !settings_.recognition_engine.empty()) {
    recognition_canceller_ =
        create_echo_canceller(for_engine(settings_.canceller, settings_.recognition_engine));
  }
}

std::optional<float> AudioFrontEnd::echo_delay_ms() const {
  if (!canceller_ || canceller_->estimated_delay_ms() < 0) return std::nullopt;
  return canceller_->estimated_delay_ms();
}

bool AudioFrontEnd::echo_converged(size_t samples, TimePoint arrived) {
  // The echo returns up to the estimator's search window after the reply played.
  const auto window = std::chrono::milliseconds(settings_.canceller.max_delay_ms + 100);
  if (!reference_->playing(arrived, window)) return true;
  // Before any estimate the counter runs too: a reply heard this long without an echo to find
  // (a headset, a client cancelling its own echo) has none.
  const float delay = canceller_->estimated_delay_ms();
  if (delay != settled_delay_ms_) {
    settled_delay_ms_ = delay;
    settling_samples_ = 0;
  }
  settling_samples_ += static_cast<int64_t>(samples);
  return settling_samples_ >= kSettlingSamples;
}

std::vector<int16_t> AudioFrontEnd::process(std::span<const int16_t> mic, TimePoint arrived) {
  if (!canceller_ && pending_.empty()) {
    recognition_.assign(mic.begin(), mic.end());
    return recognition_;
  }
  pending_.insert(pending_.end(), mic.begin(), mic.end());
  const size_t whole = pending_.size() / kFrame * kFrame;
  std::vector<int16_t> out(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(whole));
  recognition_ = out;
  if (canceller_ && whole > 0) {
    // The microphone and the loudspeaker share the client's sample clock, so the reference runs
    // on in step with the samples; arrival times only re-anchor it when they disagree by more
    // than jitter (the stream paused, or the client's clock drifted).
    const int64_t arrived_at =
        reference_->position(arrived) - static_cast<int64_t>(pending_.size());
    if (!next_reference_ || std::abs(*next_reference_ - arrived_at) > kReanchorSamples) {
      next_reference_ = arrived_at;
    }
    std::vector<int16_t> far(whole);  // silence: without echo cancellation only NS/AGC act
    if (settings_.echo_cancellation) reference_->read(*next_reference_, far);
    *next_reference_ += static_cast<int64_t>(whole);
    const std::span<const int16_t> far_frames(far);
    for (size_t at = 0; at < whole; at += kFrame) {
      const auto mic_frame = std::span<const int16_t>(recognition_).subspan(at, kFrame);
      const auto cleaned = canceller_->process(mic_frame, far_frames.subspan(at, kFrame));
      std::copy(cleaned.begin(), cleaned.end(), out.begin() + static_cast<ptrdiff_t>(at));
      if (recognition_canceller_) {
        const auto heard =
            recognition_canceller_->process(mic_frame, far_frames.subspan(at, kFrame));
        std::copy(heard.begin(), heard.end(), recognition_.begin() + static_cast<ptrdiff_t>(at));
      }
    }
    if (!recognition_canceller_) recognition_ = out;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(whole));
  echo_unresolved_ = settings_.echo_cancellation && canceller_ && !echo_converged(whole, arrived);
  return out;
}

}  // namespace tektra
