// Adaptive jitter buffer: a ring of frames keyed by unwrapped sequence number, a playout point that
// waits for late frames while the delay is below target and drops frames while it is well above.
#include "audio/jitter_buffer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace tektra {
namespace {

constexpr double kQuantile = 0.97;  // with waiting for missing frames, late loss stays under 1 %
constexpr int64_t kWindowMs = 10000;
constexpr double kDecayMs = 2000;  // the target falls this slowly; it rises at once
constexpr size_t kSkipFade = 64;   // 4 ms

}  // namespace

JitterBuffer::JitterBuffer(JitterBufferSettings settings)
    : settings_(settings),
      frame_(static_cast<size_t>(settings.frame_ms * kRate / 1000)),
      concealer_(settings.concealment, settings.frame_ms == 10 ? 160 : 320),
      target_ms_(settings.min_delay_ms) {
  if (settings.frame_ms != 10 && settings.frame_ms != 20)
    throw Error("invalid_value", "jitter buffer frames must be 10 or 20 ms");
  if (settings.min_delay_ms < 0 || settings.max_delay_ms < settings.min_delay_ms ||
      settings.max_delay_ms > 2000)
    throw Error("invalid_value", "the jitter buffer delay must be 0 <= min <= max <= 2000 ms");
  // Room for the largest delay twice over, so a frame is never overwritten while it waits.
  const size_t slots = static_cast<size_t>(2 * settings.max_delay_ms / settings.frame_ms + 4);
  slots_.resize(slots);
  storage_.resize(slots * frame_);
  const size_t window = static_cast<size_t>(kWindowMs / settings.frame_ms);
  transits_.resize(window);
  sorted_.reserve(window);
}

int64_t JitterBuffer::unwrap(uint16_t seq) {
  if (!receiving_) return seq;
  const auto step =
      static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(highest_)));
  return highest_ + step;
}

std::span<int16_t> JitterBuffer::pcm(int64_t seq) {
  const auto index = static_cast<size_t>(seq % int64_t(slots_.size()));
  return std::span(storage_).subspan(index * frame_, frame_);
}

bool JitterBuffer::queued(int64_t seq) const {
  const Slot& s = slots_[static_cast<size_t>(seq % int64_t(slots_.size()))];
  return s.seq == seq && s.state == State::kQueued;
}

void JitterBuffer::push(uint16_t seq, int64_t arrival_ms, std::span<const int16_t> pcm_in) {
  if (pcm_in.size() != frame_)
    throw Error("invalid_audio", "jitter buffer packets must hold one frame of " +
                                     std::to_string(frame_) + " samples, got " +
                                     std::to_string(pcm_in.size()));
  ++stats_.received;
  // Unwrapped numbers start at 2^16 so that early reordering never makes them negative.
  int64_t ext = unwrap(seq) + (receiving_ ? 0 : 65536);
  if (!receiving_) {
    receiving_ = true;
    highest_ = next_ = ext;
  } else if (ext >= next_ + int64_t(slots_.size())) {
    // Further ahead than the ring holds: a long outage or a new stream. Start over from here.
    restart();
    receiving_ = true;
    highest_ = next_ = ext;
  }
  Slot& s = slot(ext);
  if (s.seq == ext && (s.state == State::kQueued || s.state == State::kPlayed)) {
    ++stats_.duplicates;
    return;
  }
  // Late packets count: they are the evidence that the delay is too short.
  observe_transit(ext, arrival_ms);
  highest_ = std::max(highest_, ext);
  if (!playing_ && ext < next_ && highest_ - ext < int64_t(slots_.size())) next_ = ext;
  if (ext < next_) {
    ++stats_.late;
    return;
  }
  std::copy(pcm_in.begin(), pcm_in.end(), pcm(ext).begin());
  s = {ext, State::kQueued};
  ++queued_;
}

void JitterBuffer::observe_transit(int64_t seq, int64_t arrival_ms) {
  transits_[transit_at_] = arrival_ms - seq * settings_.frame_ms;
  transit_at_ = (transit_at_ + 1) % transits_.size();
  transit_count_ = std::min(transit_count_ + 1, transits_.size());

  sorted_.assign(transits_.begin(), transits_.begin() + static_cast<ptrdiff_t>(transit_count_));
  fastest_transit_ = *std::min_element(sorted_.begin(), sorted_.end());
  const auto rank = static_cast<size_t>(std::ceil(kQuantile * double(transit_count_))) - 1;
  std::nth_element(sorted_.begin(), sorted_.begin() + static_cast<ptrdiff_t>(rank), sorted_.end());
  const double jitter = std::clamp(double(sorted_[rank] - fastest_transit_),
                                   double(settings_.min_delay_ms), double(settings_.max_delay_ms));
  if (jitter > target_ms_)
    target_ms_ = jitter;
  else
    target_ms_ += (jitter - target_ms_) * settings_.frame_ms / kDecayMs;
}

void JitterBuffer::restart() {
  stats_.skipped += queued_;
  std::fill(slots_.begin(), slots_.end(), Slot{});
  queued_ = 0;
  transit_count_ = transit_at_ = 0;
  receiving_ = playing_ = false;
}

std::vector<int16_t> JitterBuffer::pop(int64_t now_ms) {
  std::vector<int16_t> out(frame_);
  pop(now_ms, out);
  return out;
}

void JitterBuffer::pop(int64_t now_ms, std::span<int16_t> out) {
  if (out.size() != frame_)
    throw Error("invalid_audio",
                "jitter buffer output must be one frame of " + std::to_string(frame_) + " samples");
  // How long the next frame will have waited since the fastest packet would have brought it.
  const double delay = double(now_ms - fastest_transit_ - next_ * settings_.frame_ms);
  if (!playing_) {
    if (!receiving_ || delay < target_ms_) {
      std::fill(out.begin(), out.end(), int16_t{0});
      return;
    }
    playing_ = true;
  }

  if (!queued(next_)) {
    ++stats_.concealed;
    // Below the target delay, or nothing at all to play, the frame may still come: wait for it
    // (the delay grows by a frame) rather than give it up.
    if (delay < target_ms_ || queued_ == 0) {
      concealer_.conceal(out);
      return;
    }
    conceal_missing(out);
    return;
  }

  auto frame = pcm(next_);
  if (delay >= target_ms_ + 1.25 * settings_.frame_ms && queued(next_ + 1)) {
    // Well above target: drop this frame, cross-fading it into the following one.
    slot(next_).state = State::kPlayed;
    --queued_;
    ++stats_.skipped;
    const auto dropped = frame;
    frame = pcm(++next_);
    for (size_t i = 0; i < kSkipFade; ++i) {
      const float in = (float(i) + 0.5f) / float(kSkipFade);
      frame[i] = static_cast<int16_t>(std::lround((1 - in) * dropped[i] + in * frame[i]));
    }
  }
  std::copy(frame.begin(), frame.end(), out.begin());
  concealer_.receive(out);
  slot(next_).state = State::kPlayed;
  --queued_;
  ++stats_.played;
  ++next_;
}

void JitterBuffer::conceal_missing(std::span<int16_t> out) {
  int64_t ahead = next_ + 1;
  while (ahead <= highest_ && !queued(ahead)) ++ahead;
  if (ahead <= highest_)
    concealer_.conceal(out, pcm(ahead), static_cast<size_t>(ahead - next_));
  else
    concealer_.conceal(out);
  slot(next_) = {next_, State::kMissed};
  ++stats_.lost;
  ++next_;
}

JitterBufferStats JitterBuffer::stats() const {
  JitterBufferStats stats = stats_;
  stats.target_delay_ms = static_cast<int>(std::lround(target_ms_));
  stats.buffered_ms = static_cast<int>(queued_) * settings_.frame_ms;
  return stats;
}

}  // namespace tektra
