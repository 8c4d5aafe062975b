// TurnDetector: smooths per-frame VAD decisions and turns them into speech start/stop events.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "vad/vad.h"

namespace tektra {
namespace {

constexpr int64_t kSampleRate = 16000;
// A ~30 ms window (3 frames of 10 ms) with the default 0.5 threshold is a 2-of-3 vote: it drops a
// lone voiced frame in silence and bridges a lone unvoiced frame inside speech, while a clean
// edge passes through exactly (after compensating the window's delay).
constexpr int64_t kSmoothingSamples = kSampleRate * 30 / 1000;
// A burst lights up more frames than its length: it straddles a frame boundary (one frame more)
// and the VAD's analysis filters ring into the frame after it (kRingingMs more); WebRTC turns a
// 110 ms burst into up to 13 voiced 10 ms frames. Discounting both from a run keeps bursts
// shorter than min_speech_ms from starting a turn, for ~20 ms more latency on real speech.
constexpr int64_t kRingingMs = 10;

}  // namespace

TurnSettings TurnSettings::from(const VadConfig& config) {
  TurnSettings settings;
  settings.threshold = config.threshold;
  settings.min_speech_ms = config.min_speech_ms;
  settings.silence_duration_ms = config.silence_duration_ms;
  settings.command_silence_ms = config.command_silence_ms;
  settings.prefix_padding_ms = config.prefix_padding_ms;
  return settings;
}

TurnDetector::TurnDetector(std::unique_ptr<VoiceActivityDetector> vad, TurnSettings settings)
    : vad_(std::move(vad)), settings_(settings) {
  if (!vad_) throw Error("invalid_config", "a turn detector needs a voice activity detector");
  const auto frame = static_cast<int64_t>(vad_->frame_samples());
  if (frame <= 0) {
    throw Error("invalid_config", fmt::format("VAD '{}' has no frame size", vad_->name()));
  }
  pending_.reserve(static_cast<size_t>(frame));
  recent_.assign(static_cast<size_t>(std::max<int64_t>(1, kSmoothingSamples / frame)), 0.0f);
}

std::vector<TurnEvent> TurnDetector::push(std::span<const int16_t> pcm16k) {
  std::vector<TurnEvent> events;
  const size_t frame = vad_->frame_samples();
  size_t used = 0;
  if (!pending_.empty()) {
    used = std::min(frame - pending_.size(), pcm16k.size());
    pending_.insert(pending_.end(), pcm16k.begin(), pcm16k.begin() + static_cast<ptrdiff_t>(used));
    if (pending_.size() < frame) return events;
    process_frame(pending_, events);
    pending_.clear();
  }
  // Whole frames straight from the caller's buffer; only a partial tail is copied.
  for (; pcm16k.size() - used >= frame; used += frame) {
    process_frame(pcm16k.subspan(used, frame), events);
  }
  pending_.insert(pending_.end(), pcm16k.begin() + static_cast<ptrdiff_t>(used), pcm16k.end());
  return events;
}

void TurnDetector::process_frame(std::span<const int16_t> frame, std::vector<TurnEvent>& events) {
  recent_[recent_next_] = vad_->speech_probability(frame);
  recent_next_ = (recent_next_ + 1) % recent_.size();
  const float mean =
      std::accumulate(recent_.begin(), recent_.end(), 0.0f) / static_cast<float>(recent_.size());
  const bool voiced = mean >= settings_.threshold;
  // The window's decision describes its middle frame, so edges are dated there, not at its end.
  const int64_t frame_index = frames_done_ - static_cast<int64_t>(recent_.size() - 1) / 2;
  ++frames_done_;
  if (frame_index < 0) return;

  if (voiced) {
    last_voiced_frame_ = frame_index;
    silent_run_frames_ = 0;
    if (in_speech_) return;
    if (voiced_run_frames_ == 0) run_start_frame_ = frame_index;
    ++voiced_run_frames_;
    const int64_t evidence_ms = frames_to_ms(voiced_run_frames_ - 1) - kRingingMs;
    if (evidence_ms >= settings_.min_speech_ms) {
      in_speech_ = true;
      voiced_run_frames_ = 0;
      events.push_back({TurnEvent::Kind::SpeechStarted, frames_to_ms(run_start_frame_)});
    }
    return;
  }
  // Any unvoiced frame breaks a run that has not started a turn yet, so a click or a cough has to
  // be min_speech_ms long on its own.
  voiced_run_frames_ = 0;
  if (!in_speech_) return;
  ++silent_run_frames_;
  if (frames_to_ms(silent_run_frames_) >= settings_.silence_duration_ms) {
    in_speech_ = false;
    silent_run_frames_ = 0;
    events.push_back({TurnEvent::Kind::SpeechStopped, frames_to_ms(last_voiced_frame_ + 1)});
  }
}

void TurnDetector::set_settings(const TurnSettings& settings) {
  settings_ = settings;
}

int64_t TurnDetector::trailing_silence_ms() const {
  return in_speech_ ? frames_to_ms(silent_run_frames_) : 0;
}

std::optional<TurnEvent> TurnDetector::end_turn() {
  if (!in_speech_) return std::nullopt;
  abandon_turn();
  return TurnEvent{TurnEvent::Kind::SpeechStopped, frames_to_ms(last_voiced_frame_ + 1)};
}

void TurnDetector::abandon_turn() {
  in_speech_ = false;
  voiced_run_frames_ = 0;
  silent_run_frames_ = 0;
}

int64_t TurnDetector::processed_ms() const {
  return frames_to_ms(frames_done_);
}

int64_t TurnDetector::frames_to_ms(int64_t frames) const {
  return frames * static_cast<int64_t>(vad_->frame_samples()) * 1000 / kSampleRate;
}

void TurnDetector::reset() {
  vad_->reset();
  pending_.clear();
  std::fill(recent_.begin(), recent_.end(), 0.0f);
  recent_next_ = 0;
  frames_done_ = 0;
  in_speech_ = false;
  voiced_run_frames_ = 0;
  silent_run_frames_ = 0;
  run_start_frame_ = 0;
  last_voiced_frame_ = 0;
}

}  // namespace tektra
